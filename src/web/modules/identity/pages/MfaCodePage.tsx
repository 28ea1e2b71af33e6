import { useMutation, useQueryClient } from '@tanstack/react-query';
import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { mfaBodySchema } from '../../../../contracts/auth';
import { useFormErrors } from '../../../lib/forms';
import { Button, ErrorSummary, PageHeader } from '../../../ui';
import { verifyMfa } from '../api';
import { SecondFactorField } from '../components/SecondFactorField';

const route = getRouteApi('/public/connexion/code');

export function MfaCodePage() {
  const { t } = useTranslation();
  const { retour } = route.useSearch();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const form = useFormErrors();
  const [code, setCode] = useState('');
  const [recovery, setRecovery] = useState(false);

  const mutation = useMutation({
    mutationFn: verifyMfa,
    onSuccess: async () => {
      queryClient.removeQueries({ queryKey: ['me'] });
      await navigate({ href: retour ?? '/' });
    },
    onError: form.fail,
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const body = form.validate(mfaBodySchema, { code });
    if (body) mutation.mutate(body.code);
  };

  return (
    <div className="narrow">
      <PageHeader title={t('mfa.title')} lead={<p>{t('mfa.lead')}</p>} />
      <ErrorSummary errors={form.errors} fieldIds={{ code: 'mfa-code' }} />
      <form className="form" noValidate onSubmit={submit}>
        <SecondFactorField
          id="mfa-code"
          value={code}
          onChange={setCode}
          recovery={recovery}
          onRecoveryChange={setRecovery}
          error={form.errors.fields.code}
        />
        <Button type="submit" loading={mutation.isPending}>
          {t('mfa.submit')}
        </Button>
      </form>
      <p className="after-form">
        <Link to="/connexion">{t('mfa.backToLogin')}</Link>
      </p>
    </div>
  );
}
