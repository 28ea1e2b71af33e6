import { useTranslation } from 'react-i18next';
import { Button } from './Button';
import { Notice } from './Notice';

/** What to show when data could not be loaded: the reason and a way to try again. */
export function LoadError({ error, onRetry }: { error: Error; onRetry: () => void }) {
  const { t } = useTranslation();
  return (
    <Notice tone="danger" title={t('ui.loadError')} role="alert">
      <p>{error.message}</p>
      <Button variant="secondary" onClick={onRetry}>
        {t('ui.retry')}
      </Button>
    </Notice>
  );
}
