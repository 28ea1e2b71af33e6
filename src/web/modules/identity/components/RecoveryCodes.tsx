import { Copy, Printer } from 'lucide-react';
import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { Button, useToast } from '../../../ui';

/** The new recovery codes, shown once: print, copy, then say they are noted. */
export function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const { t } = useTranslation();
  const toast = useToast();
  const titleId = useId();

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(codes.join('\n'));
      toast(t('recoveryCodes.copied'));
    } catch {
      toast(t('recoveryCodes.copyFailed'), 'info');
    }
  };

  return (
    <section className="recovery-codes" aria-labelledby={titleId}>
      <h2 id={titleId}>{t('recoveryCodes.title')}</h2>
      <p>{t('recoveryCodes.explanation')}</p>
      <p className="recovery-codes__warning">{t('recoveryCodes.once')}</p>
      <ol className="recovery-codes__list">
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ol>
      <div className="actions no-print">
        <Button variant="secondary" icon={Printer} onClick={() => window.print()}>
          {t('recoveryCodes.print')}
        </Button>
        <Button variant="secondary" icon={Copy} onClick={() => void copy()}>
          {t('recoveryCodes.copy')}
        </Button>
        <Button onClick={onDone}>{t('recoveryCodes.done')}</Button>
      </div>
    </section>
  );
}
