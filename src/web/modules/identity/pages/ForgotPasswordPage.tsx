import { useMutation } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { resetRequestBodySchema } from '../../../../contracts/auth';
import { useFormErrors } from '../../../lib/forms';
import { Button, ErrorSummary, Notice, PageHeader, TextInput } from '../../../ui';
import { requestPasswordReset } from '../api';

export function ForgotPasswordPage() {
  const { t } = useTranslation();
  const form = useFormErrors();
  const [email, setEmail] = useState('');
  const mutation = useMutation({ mutationFn: requestPasswordReset, onError: form.fail });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const body = form.validate(resetRequestBodySchema, { email });
    if (body) mutation.mutate(body.email);
  };

  return (
    <div className="narrow">
      <PageHeader title={t('forgot.title')} lead={<p>{t('forgot.lead')}</p>} />
      {mutation.isSuccess ? (
        <Notice tone="success" title={t('forgot.sentTitle')} role="status">
          <p>{t('forgot.sent')}</p>
        </Notice>
      ) : (
        <>
          <ErrorSummary errors={form.errors} fieldIds={{ email: 'forgot-email' }} />
          <form className="form" noValidate onSubmit={submit}>
            <TextInput
              id="forgot-email"
              label={t('fields.email')}
              type="email"
              autoComplete="email"
              spellCheck={false}
              value={email}
              onChange={(event) => setEmail(event.target.value)}
              error={form.errors.fields.email}
            />
            <Button type="submit" loading={mutation.isPending}>
              {t('forgot.submit')}
            </Button>
          </form>
        </>
      )}
      <p className="after-form">
        <Link to="/connexion">{t('forgot.backToLogin')}</Link>
      </p>
    </div>
  );
}
