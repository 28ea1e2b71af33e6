import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { KeyRound, ShieldCheck } from 'lucide-react';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { changePasswordBodySchema } from '../../../../contracts/auth';
import { updateProfileBodySchema } from '../../../../contracts/identity';
import { useMe } from '../../../app/session';
import { useFormErrors } from '../../../lib/forms';
import { Button, buttonClass, ConfirmDialog, ErrorSummary, PageHeader, Select, StatusBadge, TextInput, useToast } from '../../../ui';
import { changePassword, meQuery, renewRecoveryCodes, updateProfile } from '../api';
import { NewPasswordFields, withConfirmation } from '../components/passwords';
import { RecoveryCodes } from '../components/RecoveryCodes';
import { FeedTokens } from '../../incidents/components/FeedTokens';

export function ProfilePage() {
  const { t } = useTranslation();
  const me = useMe();
  return (
    <>
      <PageHeader title={t('profile.title')} breadcrumb={[]} lead={<p>{t('profile.lead', { email: me.user.email })}</p>} />
      <IdentitySection />
      <PasswordSection />
      <TwoFactorSection />
      <FeedTokens />
      <section aria-labelledby="profile-roles" className="section">
        <h2 id="profile-roles">{t('profile.roles.title')}</h2>
        {me.memberships.length === 0 ? (
          <p>{me.user.platformAdmin ? t('profile.roles.adminOnly') : t('profile.roles.none')}</p>
        ) : (
          <ul className="plain-list">
            {me.memberships.map((membership) => (
              <li key={membership.orgId}>
                {t('profile.roles.item', {
                  role: t(`roles.${membership.role}`),
                  org: membership.orgName,
                  kind: t(`orgKinds.${membership.orgKind}`),
                })}
              </li>
            ))}
            {me.user.platformAdmin && <li>{t('roles.platformAdmin')}</li>}
          </ul>
        )}
      </section>
    </>
  );
}

function IdentitySection() {
  const { t } = useTranslation();
  const me = useMe();
  const queryClient = useQueryClient();
  const toast = useToast();
  const form = useFormErrors();
  const [displayName, setDisplayName] = useState(me.user.displayName);
  const [locale, setLocale] = useState(me.user.locale);

  const mutation = useMutation({
    mutationFn: updateProfile,
    onSuccess: (next) => {
      queryClient.setQueryData(meQuery.queryKey, next);
      toast(t('profile.identity.saved'));
    },
    onError: form.fail,
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const body = form.validate(updateProfileBodySchema, { displayName, locale });
    if (body) mutation.mutate(body);
  };

  return (
    <section aria-labelledby="profile-identity" className="section">
      <h2 id="profile-identity">{t('profile.identity.title')}</h2>
      <ErrorSummary errors={form.errors} fieldIds={{ displayName: 'profile-name', locale: 'profile-locale' }} />
      <form className="form" noValidate onSubmit={submit}>
        <TextInput
          id="profile-name"
          label={t('fields.displayName')}
          autoComplete="name"
          value={displayName}
          onChange={(event) => setDisplayName(event.target.value)}
          error={form.errors.fields.displayName}
        />
        <Select
          id="profile-locale"
          label={t('profile.identity.language')}
          value={locale}
          onChange={(event) => setLocale(event.target.value === 'en' ? 'en' : 'fr')}
          error={form.errors.fields.locale}
        >
          <option value="fr" lang="fr">
            {t('languages.fr')}
          </option>
          <option value="en" lang="en">
            {t('languages.en')}
          </option>
        </Select>
        <Button type="submit" loading={mutation.isPending}>
          {t('profile.identity.submit')}
        </Button>
      </form>
    </section>
  );
}

function PasswordSection() {
  const { t } = useTranslation();
  const toast = useToast();
  const form = useFormErrors();
  const [currentPassword, setCurrentPassword] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const [confirmation, setConfirmation] = useState('');

  const mutation = useMutation({
    mutationFn: changePassword,
    onSuccess: () => {
      setCurrentPassword('');
      setNewPassword('');
      setConfirmation('');
      toast(t('profile.password.changed'));
    },
    onError: form.fail,
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const values = form.validate(withConfirmation(changePasswordBodySchema, 'newPassword'), { currentPassword, newPassword, confirmation });
    if (!values) return;
    const { confirmation: _confirmation, ...body } = values;
    mutation.mutate(body);
  };

  return (
    <section aria-labelledby="profile-password" className="section">
      <h2 id="profile-password">{t('profile.password.title')}</h2>
      <ErrorSummary
        errors={form.errors}
        fieldIds={{ currentPassword: 'change-current', newPassword: 'change-password', confirmation: 'change-confirmation' }}
      />
      <form className="form" noValidate onSubmit={submit}>
        <TextInput
          id="change-current"
          label={t('profile.password.current')}
          type="password"
          autoComplete="current-password"
          value={currentPassword}
          onChange={(event) => setCurrentPassword(event.target.value)}
          error={form.errors.fields.currentPassword}
        />
        <NewPasswordFields
          idPrefix="change"
          password={newPassword}
          confirmation={confirmation}
          onPasswordChange={setNewPassword}
          onConfirmationChange={setConfirmation}
          passwordError={form.errors.fields.newPassword}
          confirmationError={form.errors.fields.confirmation}
        />
        <Button type="submit" icon={KeyRound} loading={mutation.isPending}>
          {t('profile.password.submit')}
        </Button>
      </form>
    </section>
  );
}

function TwoFactorSection() {
  const { t } = useTranslation();
  const me = useMe();
  const [confirming, setConfirming] = useState(false);
  const renew = useMutation({ mutationFn: renewRecoveryCodes, onSuccess: () => setConfirming(false) });

  return (
    <section aria-labelledby="profile-mfa" className="section">
      <h2 id="profile-mfa">{t('profile.mfa.title')}</h2>
      <p>
        {t('profile.mfa.status')}{' '}
        {me.user.mfaEnabled ? (
          <StatusBadge tone="success">{t('profile.mfa.enabled')}</StatusBadge>
        ) : (
          <StatusBadge tone={me.user.mfaCompulsory ? 'danger' : 'warning'}>{t('profile.mfa.disabled')}</StatusBadge>
        )}
      </p>
      <p>{me.user.mfaCompulsory ? t('profile.mfa.compulsory') : t('profile.mfa.recommended')}</p>
      {!me.user.mfaEnabled ? (
        <Link to="/connexion/activer-double-authentification" className={buttonClass('primary')}>
          <ShieldCheck className="icon" aria-hidden="true" />
          {t('profile.mfa.enable')}
        </Link>
      ) : renew.data ? (
        <RecoveryCodes codes={renew.data.recoveryCodes} onDone={() => renew.reset()} headingLevel={3} />
      ) : (
        <Button variant="secondary" onClick={() => setConfirming(true)}>
          {t('profile.mfa.renew')}
        </Button>
      )}
      <ConfirmDialog
        open={confirming}
        title={t('profile.mfa.renewConfirmTitle')}
        confirmLabel={t('profile.mfa.renew')}
        onConfirm={() => renew.mutate()}
        onClose={() => {
          setConfirming(false);
          renew.reset();
        }}
        pending={renew.isPending}
        error={renew.isError ? renew.error.message : undefined}
      >
        <p>{t('profile.mfa.renewConfirm')}</p>
      </ConfirmDialog>
    </section>
  );
}
