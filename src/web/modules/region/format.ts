import { useTranslation } from 'react-i18next';

const TIME_ZONE = 'Europe/Paris';
/** A calendar date (AAAA-MM-JJ) read at noon UTC, so that it is the same day in Paris. */
const toDate = (iso: string) => new Date(iso.length === 10 ? `${iso}T12:00:00Z` : iso);

/** Dates and amounts of the regional pages, in Europe/Paris: « lundi 3 mars 2026 », « 12 500 € ». */
export function useRegionFormat() {
  const { i18n } = useTranslation();
  const locale = i18n.language === 'en' ? 'en-GB' : 'fr-FR';
  const date = new Intl.DateTimeFormat(locale, { timeZone: TIME_ZONE, dateStyle: 'full' });
  const dateTime = new Intl.DateTimeFormat(locale, { timeZone: TIME_ZONE, dateStyle: 'full', timeStyle: 'short' });
  const money = new Intl.NumberFormat(locale, { style: 'currency', currency: 'EUR', maximumFractionDigits: 0 });
  const number = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
  return {
    date: (iso: string) => date.format(toDate(iso)),
    dateTime: (iso: string) => dateTime.format(toDate(iso)),
    money: (amount: number) => money.format(amount),
    score: (value: number | null) => (value === null ? '—' : number.format(value)),
  };
}
