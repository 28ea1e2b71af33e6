import { useMutation, useQueryClient } from '@tanstack/react-query';
import { getRouteApi, useNavigate } from '@tanstack/react-router';
import { ShieldCheck } from 'lucide-react';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { mfaEnrolConfirmBodySchema } from '../../../../contracts/auth';
import { useFormErrors } from '../../../lib/forms';
import { Button, ErrorSummary, Notice, PageHeader, Spinner, TextInput } from '../../../ui';
import { confirmMfaEnrolment, startMfaEnrolment } from '../api';
import { RecoveryCodes } from '../components/RecoveryCodes';

const route = getRouteApi('/public/connexion/activer-double-authentification');

export function MfaEnrolPage() {
  const { t } = useTranslation();
  const { retour } = route.useSearch();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const form = useFormErrors();
  const [code, setCode] = useState('');

  const start = useMutation({ mutationFn: startMfaEnrolment });
  const confirm = useMutation({ mutationFn: confirmMfaEnrolment, onError: form.fail });

  // A new secret is made once per visit of the page.
  const started = useRef(false);
  const startEnrolment = start.mutate;
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    startEnrolment();
  }, [startEnrolment]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const body = form.validate(mfaEnrolConfirmBodySchema, { code });
    if (body) confirm.mutate(body.code);
  };

  const finish = async () => {
    await queryClient.invalidateQueries({ queryKey: ['me'] });
    await navigate({ href: retour ?? '/' });
  };

  return (
    <div className="narrow">
      <PageHeader title={t('enrol.title')} lead={<p>{t('enrol.lead')}</p>} />
      {confirm.data ? (
        <>
          <Notice tone="success" title={t('enrol.done')} role="status" />
          <RecoveryCodes codes={confirm.data.recoveryCodes} onDone={() => void finish()} />
        </>
      ) : start.isError ? (
        <>
          <Notice tone="danger" role="alert">
            <p>{start.error.message}</p>
          </Notice>
          <Button onClick={() => start.mutate()}>{t('enrol.retry')}</Button>
        </>
      ) : !start.data ? (
        <Spinner label={t('enrol.preparing')} />
      ) : (
        <>
          <ol className="steps">
            <li>
              <p>{t('enrol.step1')}</p>
            </li>
            <li>
              <p>{t('enrol.step2')}</p>
              <img className="qr-code" src={start.data.qrCode} alt={t('enrol.qrAlt')} width={200} height={200} />
              <p>
                {t('enrol.secretIntro')} <code className="secret">{start.data.secret}</code>
              </p>
            </li>
            <li>
              <p>{t('enrol.step3')}</p>
            </li>
          </ol>
          <ErrorSummary errors={form.errors} fieldIds={{ code: 'enrol-code' }} />
          <form className="form" noValidate onSubmit={submit}>
            <TextInput
              id="enrol-code"
              label={t('secondFactor.codeLabel')}
              hint={t('secondFactor.codeHint')}
              inputMode="numeric"
              autoComplete="one-time-code"
              value={code}
              onChange={(event) => setCode(event.target.value)}
              error={form.errors.fields.code}
            />
            <Button type="submit" icon={ShieldCheck} loading={confirm.isPending}>
              {t('enrol.submit')}
            </Button>
          </form>
        </>
      )}
    </div>
  );
}
