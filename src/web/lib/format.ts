import { useTranslation } from 'react-i18next';

const TIME_ZONE = 'Europe/Paris';

/** Dates as people read them, in Europe/Paris: « lundi 3 mars 2026 à 14:05 ». */
export function useDateFormat() {
  const { i18n } = useTranslation();
  const format = new Intl.DateTimeFormat(i18n.language === 'en' ? 'en-GB' : 'fr-FR', {
    timeZone: TIME_ZONE,
    dateStyle: 'full',
    timeStyle: 'short',
  });
  return { dateTime: (iso: string) => format.format(new Date(iso)) };
}
