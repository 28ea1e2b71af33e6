import { LoaderCircle } from 'lucide-react';
import { useTranslation } from 'react-i18next';

/** Progress with words: never a bare animation. */
export function Spinner({ label }: { label?: string }) {
  const { t } = useTranslation();
  return (
    <div className="spinner" role="status">
      <LoaderCircle className="icon icon--spin" aria-hidden="true" />
      <span>{label ?? t('ui.loading')}</span>
    </div>
  );
}
