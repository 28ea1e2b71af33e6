import { z } from 'zod';
import { useTranslation } from 'react-i18next';
import { i18n } from '../../../i18n';
import { TextInput } from '../../../ui';

/** Adds the confirmation field to a contract's schema: both entries must be the same. */
export function withConfirmation<T extends z.ZodRawShape>(schema: z.ZodObject<T>, passwordKey: keyof T & string) {
  return schema.extend({ confirmation: z.string() }).refine((values) => {
    const entries = values as Record<string, unknown>;
    return entries[passwordKey] === entries.confirmation;
  }, {
    path: ['confirmation'],
    message: i18n.t('password.mismatch'),
  });
}

interface NewPasswordFieldsProps {
  idPrefix: string;
  password: string;
  confirmation: string;
  onPasswordChange: (value: string) => void;
  onConfirmationChange: (value: string) => void;
  passwordError?: string;
  confirmationError?: string;
}

/** "Nouveau mot de passe" and its confirmation, as on every page that sets a password. */
export function NewPasswordFields(props: NewPasswordFieldsProps) {
  const { t } = useTranslation();
  return (
    <>
      <TextInput
        id={`${props.idPrefix}-password`}
        label={t('password.new')}
        hint={t('password.rules')}
        type="password"
        autoComplete="new-password"
        value={props.password}
        onChange={(event) => props.onPasswordChange(event.target.value)}
        error={props.passwordError}
      />
      <TextInput
        id={`${props.idPrefix}-confirmation`}
        label={t('password.confirm')}
        type="password"
        autoComplete="new-password"
        value={props.confirmation}
        onChange={(event) => props.onConfirmationChange(event.target.value)}
        error={props.confirmationError}
      />
    </>
  );
}
