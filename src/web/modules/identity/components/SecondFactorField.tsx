import { useTranslation } from 'react-i18next';
import { Button, TextInput } from '../../../ui';

interface SecondFactorFieldProps {
  id: string;
  value: string;
  onChange: (value: string) => void;
  /** true when the person types one of their recovery codes instead of the app's code */
  recovery: boolean;
  onRecoveryChange: (recovery: boolean) => void;
  error?: string;
}

/** The code of the authenticator app, or (after a toggle) a recovery code. */
export function SecondFactorField({ id, value, onChange, recovery, onRecoveryChange, error }: SecondFactorFieldProps) {
  const { t } = useTranslation();
  return (
    <div className="second-factor">
      {recovery ? (
        <TextInput
          id={id}
          label={t('secondFactor.recoveryLabel')}
          hint={t('secondFactor.recoveryHint')}
          autoComplete="off"
          spellCheck={false}
          autoCapitalize="none"
          value={value}
          onChange={(event) => onChange(event.target.value)}
          error={error}
        />
      ) : (
        <TextInput
          id={id}
          label={t('secondFactor.codeLabel')}
          hint={t('secondFactor.codeHint')}
          inputMode="numeric"
          autoComplete="one-time-code"
          value={value}
          onChange={(event) => onChange(event.target.value)}
          error={error}
        />
      )}
      <Button
        variant="link"
        onClick={() => {
          onChange('');
          onRecoveryChange(!recovery);
        }}
      >
        {recovery ? t('secondFactor.useApp') : t('secondFactor.useRecovery')}
      </Button>
    </div>
  );
}
