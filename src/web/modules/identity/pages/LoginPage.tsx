import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { LogIn } from 'lucide-react';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { loginBodySchema } from '../../../../contracts/auth';
import { useFormErrors } from '../../../lib/forms';
import { Button, buttonClass, ErrorSummary, Notice, PageHeader, TextInput } from '../../../ui';
import { login, oidcQuery } from '../api';

const route = getRouteApi('/public/connexion');

/** Error codes the OIDC callback puts in ?erreur= (server: platform/auth/oidc-routes.ts) */
const OIDC_ERRORS = ['oidc_session', 'oidc_refus', 'compte_inconnu', 'compte_desactive'] as const;
type OidcError = (typeof OIDC_ERRORS)[number];
const isOidcError = (code: string): code is OidcError => (OIDC_ERRORS as readonly string[]).includes(code);

export function LoginPage() {
  const { t } = useTranslation();
  const { retour, erreur } = route.useSearch();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const oidc = useQuery(oidcQuery);
  const form = useFormErrors();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');

  const mutation = useMutation({
    mutationFn: login,
    onSuccess: async (answer) => {
      queryClient.removeQueries({ queryKey: ['me'] });
      if (answer.mfaRequired) await navigate({ to: '/connexion/code', search: { retour } });
      else if (answer.mfaEnrollmentRequired) await navigate({ to: '/connexion/activer-double-authentification', search: { retour } });
      else await navigate({ href: retour ?? '/' });
    },
    onError: form.fail,
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const body = form.validate(loginBodySchema, { email, password });
    if (body) mutation.mutate(body);
  };

  return (
    <div className="narrow">
      <PageHeader title={t('login.title')} lead={<p>{t('login.lead')}</p>} />
      {erreur && (
        <Notice tone="danger" title={t('login.oidcError.title')} role="alert">
          <p>{isOidcError(erreur) ? t(`login.oidcError.${erreur}`) : t('login.oidcError.generic')}</p>
        </Notice>
      )}
      <ErrorSummary errors={form.errors} fieldIds={{ email: 'login-email', password: 'login-password' }} />
      <form className="form" noValidate onSubmit={submit}>
        <TextInput
          id="login-email"
          label={t('fields.email')}
          type="email"
          autoComplete="email"
          spellCheck={false}
          value={email}
          onChange={(event) => setEmail(event.target.value)}
          error={form.errors.fields.email}
        />
        <TextInput
          id="login-password"
          label={t('fields.password')}
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(event) => setPassword(event.target.value)}
          error={form.errors.fields.password}
        />
        <p>
          <Link to="/mot-de-passe-oublie">{t('login.forgotten')}</Link>
        </p>
        <Button type="submit" icon={LogIn} loading={mutation.isPending}>
          {t('login.submit')}
        </Button>
      </form>
      {oidc.data?.enabled && (
        <div className="alternative">
          <p className="alternative__separator">{t('login.or')}</p>
          <a className={buttonClass('secondary')} href="/api/v1/auth/oidc/start">
            {t('login.oidc', { label: oidc.data.label ?? t('login.oidcDefaultLabel') })}
          </a>
        </div>
      )}
    </div>
  );
}
