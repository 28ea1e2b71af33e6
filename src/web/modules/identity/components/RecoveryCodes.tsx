import { Copy, Printer } from 'lucide-react';
import { useEffect, useId, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { Button, useToast } from '../../../ui';

interface RecoveryCodesProps {
  codes: string[];
  onDone: () => void;
  /** The level of the section's heading, under the page's own headings. */
  headingLevel?: 2 | 3;
}

/** The new recovery codes, shown once: print, copy, then say they are noted. Takes the focus when shown. */
export function RecoveryCodes({ codes, onDone, headingLevel = 2 }: RecoveryCodesProps) {
  const { t } = useTranslation();
  const toast = useToast();
  const titleId = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  const Heading = headingLevel === 3 ? 'h3' : 'h2';

  useEffect(() => heading.current?.focus(), []);

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
      <Heading id={titleId} ref={heading} tabIndex={-1}>
        {t('recoveryCodes.title')}
      </Heading>
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
