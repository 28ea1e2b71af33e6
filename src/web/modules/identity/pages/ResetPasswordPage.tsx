import { useMutation, useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { mfaBodySchema, resetConfirmBodySchema } from '../../../../contracts/auth';
import { useFormErrors } from '../../../lib/forms';
import { Button, buttonClass, ErrorSummary, Notice, PageHeader, Spinner } from '../../../ui';
import { passwordResetInfo, resetPassword } from '../api';
import { NewPasswordFields, withConfirmation } from '../components/passwords';
import { SecondFactorField } from '../components/SecondFactorField';
import { tokenFromHash } from '../links';

export function ResetPasswordPage() {
  const { t } = useTranslation();
  const [token] = useState(tokenFromHash);
  const info = useQuery({
    queryKey: ['password-reset', token],
    queryFn: () => passwordResetInfo(token ?? ''),
    enabled: token !== null,
    retry: false,
    staleTime: Infinity,
  });

  return (
    <div className="narrow">
      <PageHeader title={t('reset.title')} />
      {token === null ? (
        <BadLink message={t('reset.incomplete')} />
      ) : info.isError ? (
        <BadLink message={info.error.message} />
      ) : info.data ? (
        <ResetForm token={token} mfaRequired={info.data.mfaRequired} />
      ) : (
        <Spinner label={t('reset.checking')} />
      )}
    </div>
  );
}

function BadLink({ message }: { message: string }) {
  const { t } = useTranslation();
  return (
    <>
      <Notice tone="danger" title={t('reset.badLink')} role="alert">
        <p>{message}</p>
      </Notice>
      <p className="after-form">
        <Link to="/mot-de-passe-oublie">{t('reset.askAgain')}</Link>
      </p>
    </>
  );
}

function ResetForm({ token, mfaRequired }: { token: string; mfaRequired: boolean }) {
  const { t } = useTranslation();
  const form = useFormErrors();
  const [password, setPassword] = useState('');
  const [confirmation, setConfirmation] = useState('');
  const [code, setCode] = useState('');
  const [recovery, setRecovery] = useState(false);

  const mutation = useMutation({
    mutationFn: resetPassword,
    onSuccess: () => {
      // The link is used: take its token out of the address bar and the history.
      window.history.replaceState(window.history.state, '', window.location.pathname);
    },
    onError: form.fail,
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const schema = withConfirmation(
      mfaRequired ? resetConfirmBodySchema.extend({ code: mfaBodySchema.shape.code }) : resetConfirmBodySchema.omit({ code: true }),
      'password',
    );
    const values = form.validate(schema, { token, password, confirmation, ...(mfaRequired ? { code } : {}) });
    if (!values) return;
    const { confirmation: _confirmation, ...body } = values;
    mutation.mutate(body);
  };

  if (mutation.isSuccess) {
    return (
      <>
        <Notice tone="success" title={t('reset.doneTitle')} role="status">
          <p>{t('reset.done')}</p>
        </Notice>
        <p className="after-form">
          <Link to="/connexion" className={buttonClass('primary')}>
            {t('reset.goToLogin')}
          </Link>
        </p>
      </>
    );
  }

  return (
    <>
      <p>{t('reset.lead')}</p>
      <ErrorSummary
        errors={form.errors}
        fieldIds={{ password: 'reset-password', confirmation: 'reset-confirmation', code: 'reset-code' }}
      />
      <form className="form" noValidate onSubmit={submit}>
        <NewPasswordFields
          idPrefix="reset"
          password={password}
          confirmation={confirmation}
          onPasswordChange={setPassword}
          onConfirmationChange={setConfirmation}
          passwordError={form.errors.fields.password}
          confirmationError={form.errors.fields.confirmation}
        />
        {mfaRequired && (
          <>
            <p>{t('reset.mfaExplanation')}</p>
            <SecondFactorField
              id="reset-code"
              value={code}
              onChange={setCode}
              recovery={recovery}
              onRecoveryChange={setRecovery}
              error={form.errors.fields.code}
            />
          </>
        )}
        <Button type="submit" loading={mutation.isPending}>
          {t('reset.submit')}
        </Button>
      </form>
    </>
  );
}
