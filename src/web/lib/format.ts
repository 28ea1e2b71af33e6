import { useTranslation } from 'react-i18next';

const TIME_ZONE = 'Europe/Paris';
const INTL_LOCALES = { fr: 'fr-FR', en: 'en-GB' } as const;

function intlLocale(language: string): string {
  return language === 'en' ? INTL_LOCALES.en : INTL_LOCALES.fr;
}

/** Dates as people read them, in Europe/Paris: « lundi 3 mars 2026 à 14:05 ». */
export function useDateFormat() {
  const { i18n } = useTranslation();
  const locale = intlLocale(i18n.language);
  return {
    dateTime: (iso: string) =>
      new Intl.DateTimeFormat(locale, { timeZone: TIME_ZONE, dateStyle: 'full', timeStyle: 'short' }).format(new Date(iso)),
    date: (iso: string) => new Intl.DateTimeFormat(locale, { timeZone: TIME_ZONE, dateStyle: 'long' }).format(new Date(iso)),
    shortDateTime: (iso: string) =>
      new Intl.DateTimeFormat(locale, { timeZone: TIME_ZONE, dateStyle: 'short', timeStyle: 'short' }).format(new Date(iso)),
  };
}
