import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { type FormEvent, useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import type { z } from 'zod';
import { displayNameSchema, newPasswordSchema } from '../../../../contracts/common';
import { acceptInvitationBodySchema, type invitationPreviewResponseSchema } from '../../../../contracts/identity';
import { useFormErrors } from '../../../lib/forms';
import { Button, buttonClass, ErrorSummary, Notice, PageHeader, Spinner, TextInput, useToast } from '../../../ui';
import { acceptInvitation, optionalMeQuery, previewInvitation } from '../api';
import { NewPasswordFields, withConfirmation } from '../components/passwords';
import { invitationToken } from '../links';

type Preview = z.output<typeof invitationPreviewResponseSchema>;

export function InvitationPage() {
  const { t } = useTranslation();
  const [token] = useState(invitationToken.read);
  const preview = useQuery({
    queryKey: ['invitation-preview', token],
    queryFn: () =>
      previewInvitation(token ?? '').catch((error: unknown) => {
        // A used or expired link is of no more use: do not bring it back after signing in.
        invitationToken.forget();
        throw error;
      }),
    enabled: token !== null,
    retry: false,
    staleTime: Infinity,
  });

  return (
    <div className="narrow">
      <PageHeader title={t('invitation.title')} />
      {token === null ? (
        <Notice tone="danger" title={t('invitation.badLink')} role="alert">
          <p>{t('invitation.incomplete')}</p>
        </Notice>
      ) : preview.isError ? (
        <Notice tone="danger" title={t('invitation.badLink')} role="alert">
          <p>{preview.error.message}</p>
          <p>{t('invitation.askAgain')}</p>
        </Notice>
      ) : preview.data ? (
        <>
          <p className="lead">
            <Trans
              i18nKey="invitation.invited"
              values={{ org: preview.data.orgName, role: t(`roles.${preview.data.role}`) }}
              components={{ strong: <strong /> }}
            />
          </p>
          <p>{t('invitation.address', { email: preview.data.email })}</p>
          {preview.data.accountExists ? <JoinWithAccount token={token} preview={preview.data} /> : <CreateAccount token={token} />}
        </>
      ) : (
        <Spinner label={t('invitation.checking')} />
      )}
    </div>
  );
}

function CreateAccount({ token }: { token: string }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const toast = useToast();
  const form = useFormErrors();
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const [confirmation, setConfirmation] = useState('');

  const mutation = useMutation({
    mutationFn: acceptInvitation,
    onSuccess: async () => {
      invitationToken.forget();
      toast(t('invitation.created'));
      await navigate({ to: '/connexion' });
    },
    onError: form.fail,
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const schema = withConfirmation(acceptInvitationBodySchema.extend({ displayName: displayNameSchema, password: newPasswordSchema }), 'password');
    const values = form.validate(schema, { token, displayName, password, confirmation });
    if (!values) return;
    const { confirmation: _confirmation, ...body } = values;
    mutation.mutate(body);
  };

  return (
    <section aria-labelledby="create-account-title">
      <h2 id="create-account-title">{t('invitation.createTitle')}</h2>
      <ErrorSummary
        errors={form.errors}
        fieldIds={{ displayName: 'invitation-name', password: 'invitation-password', confirmation: 'invitation-confirmation' }}
      />
      <form className="form" noValidate onSubmit={submit}>
        <TextInput
          id="invitation-name"
          label={t('fields.displayName')}
          autoComplete="name"
          value={displayName}
          onChange={(event) => setDisplayName(event.target.value)}
          error={form.errors.fields.displayName}
        />
        <NewPasswordFields
          idPrefix="invitation"
          password={password}
          confirmation={confirmation}
          onPasswordChange={setPassword}
          onConfirmationChange={setConfirmation}
          passwordError={form.errors.fields.password}
          confirmationError={form.errors.fields.confirmation}
        />
        <Button type="submit" loading={mutation.isPending}>
          {t('invitation.create')}
        </Button>
      </form>
    </section>
  );
}

function JoinWithAccount({ token, preview }: { token: string; preview: Preview }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const toast = useToast();
  const me = useQuery(optionalMeQuery);
  const mutation = useMutation({
    mutationFn: () => acceptInvitation({ token }),
    onSuccess: async () => {
      invitationToken.forget();
      await queryClient.invalidateQueries({ queryKey: ['me'] });
      toast(t('invitation.joined', { org: preview.orgName }));
      await navigate({ to: '/' });
    },
  });

  if (me.isPending) return <Spinner />;
  if (!me.data) {
    return (
      <>
        <p>{t('invitation.signInFirst')}</p>
        <p>
          <Link to="/connexion" search={{ retour: '/invitation' }} className={buttonClass('primary')}>
            {t('invitation.signIn')}
          </Link>
        </p>
      </>
    );
  }
  const otherAccount = me.data.user.email.toLowerCase() !== preview.email.toLowerCase();
  return (
    <>
      <p>{t('invitation.signedInAs', { name: me.data.user.displayName, email: me.data.user.email })}</p>
      {otherAccount && (
        <Notice tone="warning">
          <p>{t('invitation.otherAccount', { email: preview.email })}</p>
        </Notice>
      )}
      {mutation.isError && (
        <Notice tone="danger" role="alert">
          <p>{mutation.error.message}</p>
        </Notice>
      )}
      <Button onClick={() => mutation.mutate()} loading={mutation.isPending}>
        {t('invitation.accept')}
      </Button>
    </>
  );
}
