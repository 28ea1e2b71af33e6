import { useTranslation } from 'react-i18next';

const TIME_ZONE = 'Europe/Paris';

/** A calendar date (AAAA-MM-JJ) read at noon UTC, so that it is the same day in Paris. */
const toDate = (iso: string) => new Date(iso.length === 10 ? `${iso}T12:00:00Z` : iso);

/**
 * Dates and numbers of the diagnostic pages, in Europe/Paris, as people read them:
 * « lundi 3 mars 2026 », « 14 h 05 », « lundi 3 mars 2026 à 14 h 05 », « 12 500 € ».
 */
export function useAssessmentFormat() {
  const { i18n, t } = useTranslation();
  const english = i18n.language === 'en';
  const locale = english ? 'en-GB' : 'fr-FR';
  const dateFormat = new Intl.DateTimeFormat(locale, { timeZone: TIME_ZONE, dateStyle: 'full' });
  const shortDateFormat = new Intl.DateTimeFormat(locale, { timeZone: TIME_ZONE, day: 'numeric', month: 'long', year: 'numeric' });
  const timeParts = new Intl.DateTimeFormat('fr-FR', { timeZone: TIME_ZONE, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const money = new Intl.NumberFormat(locale, { style: 'currency', currency: 'EUR', maximumFractionDigits: 0 });
  const time = (iso: string) => {
    const parts = timeParts.formatToParts(toDate(iso));
    const hour = Number(parts.find((p) => p.type === 'hour')?.value ?? 0);
    const minute = parts.find((p) => p.type === 'minute')?.value ?? '00';
    return english ? `${String(hour).padStart(2, '0')}:${minute}` : `${hour}\u00a0h\u00a0${minute}`;
  };
  return {
    date: (iso: string) => dateFormat.format(toDate(iso)),
    shortDate: (iso: string) => shortDateFormat.format(toDate(iso)),
    time,
    dateTime: (iso: string) => t('assessment.format.dateTime', { date: dateFormat.format(toDate(iso)), time: time(iso) }),
    money: (amount: number) => money.format(amount),
    /** A file size: « 350 ko », « 2,4 Mo ». */
    size: (bytes: number) =>
      bytes < 1024 * 1024
        ? t('assessment.format.kilobytes', { value: String(Math.max(1, Math.round(bytes / 1024))) })
        : t('assessment.format.megabytes', { value: new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(bytes / (1024 * 1024)) }),
  };
}
