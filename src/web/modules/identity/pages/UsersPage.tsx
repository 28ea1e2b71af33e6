import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { Search, Send, UserPlus } from 'lucide-react';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import { createInvitationBodySchema, type invitationSchema, type UserSummary } from '../../../../contracts/identity';
import { ROLES_BY_KIND, type Membership, type Role } from '../../../../contracts/tenancy';
import { activeMembership, useMe } from '../../../app/session';
import { useFormErrors } from '../../../lib/forms';
import { useDateFormat } from '../../../lib/format';
import {
  Button,
  buttonClass,
  type Column,
  ConfirmDialog,
  EmptyState,
  ErrorSummary,
  JumpLink,
  LoadError,
  PageHeader,
  Select,
  Spinner,
  StatusBadge,
  Table,
  TextInput,
  type Tone,
  useToast,
} from '../../../ui';
import {
  createInvitation,
  invitationsQuery,
  organisationsQuery,
  removeMembership,
  revokeInvitation,
  setMembership,
  setUserStatus,
  usersQuery,
} from '../api';

const route = getRouteApi('/app/administration/utilisateurs');

/** One line per role held: a person with roles in two organisations appears twice. */
interface MemberRow {
  user: UserSummary;
  membership: Membership;
}

type PendingAction = { kind: 'remove' | 'status'; row: MemberRow } | null;

export function UsersPage() {
  const { t } = useTranslation();
  const me = useMe();
  const orgName = activeMembership(me)?.orgName;
  return (
    <>
      <PageHeader
        title={t('users.title')}
        breadcrumb={[]}
        lead={<p>{t('users.lead')}</p>}
        actions={
          me.activeOrgId && (
            <JumpLink targetId="invite-email" className={buttonClass('primary')}>
              <UserPlus className="icon" aria-hidden="true" />
              {t('users.invite.title')}
            </JumpLink>
          )
        }
      />
      {me.activeOrgId === null ? (
        <EmptyState
          title={t('common.noActiveOrg.title')}
          action={me.user.platformAdmin && <Link to="/administration/organisations">{t('nav.organisations')}</Link>}
        >
          <p>{me.user.platformAdmin && me.memberships.length === 0 ? t('common.noActiveOrg.adminText') : t('common.noActiveOrg.text')}</p>
        </EmptyState>
      ) : (
        <>
          <Members orgId={me.activeOrgId} orgName={orgName} />
          <InviteForm orgId={me.activeOrgId} />
          <Invitations orgId={me.activeOrgId} />
        </>
      )}
    </>
  );
}

function Members({ orgId, orgName }: { orgId: string; orgName: string | undefined }) {
  const { t } = useTranslation();
  const me = useMe();
  const { q } = route.useSearch();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const toast = useToast();
  const { dateTime } = useDateFormat();
  const users = useQuery(usersQuery(orgId, q));
  const [search, setSearch] = useState(q ?? '');
  const [editing, setEditing] = useState<string | null>(null);
  const [pending, setPending] = useState<PendingAction>(null);

  const refresh = () => queryClient.invalidateQueries({ queryKey: ['users'] });
  const rowKey = (row: MemberRow) => `${row.user.id}:${row.membership.orgId}`;

  const role = useMutation({
    mutationFn: ({ row, role }: { row: MemberRow; role: Role }) => setMembership(row.user.id, { orgId: row.membership.orgId, role }),
    onSuccess: async (_ok, { row, role }) => {
      setEditing(null);
      await refresh();
      toast(t('users.roleChanged', { name: row.user.displayName, role: t(`roles.${role}`) }));
    },
  });
  const remove = useMutation({
    mutationFn: (row: MemberRow) => removeMembership(row.user.id, row.membership.orgId),
    onSuccess: async (_ok, row) => {
      setPending(null);
      await refresh();
      toast(t('users.removed', { name: row.user.displayName, org: row.membership.orgName }));
    },
  });
  const status = useMutation({
    mutationFn: (row: MemberRow) =>
      setUserStatus(row.user.id, { orgId: row.membership.orgId, status: row.user.status === 'active' ? 'disabled' : 'active' }),
    onSuccess: async (_ok, row) => {
      setPending(null);
      await refresh();
      toast(row.user.status === 'active' ? t('users.disabled', { name: row.user.displayName }) : t('users.enabled', { name: row.user.displayName }));
    },
  });

  const submitSearch = (event: FormEvent) => {
    event.preventDefault();
    void navigate({ to: '/administration/utilisateurs', search: { q: search.trim() || undefined } });
  };

  const rows: MemberRow[] = (users.data?.users ?? []).flatMap((user) => user.memberships.map((membership) => ({ user, membership })));

  const columns: Column<MemberRow>[] = [
    {
      key: 'name',
      header: t('users.columns.person'),
      rowHeader: true,
      sortValue: (row) => row.user.displayName,
      cell: (row) => (
        <>
          {row.user.displayName}
          {row.user.id === me.user.id && <span className="muted"> {t('users.you')}</span>}
          <span className="cell-detail">{row.user.email}</span>
        </>
      ),
    },
    {
      key: 'role',
      header: t('users.columns.roleIn'),
      sortValue: (row) => `${row.membership.orgName} ${t(`roles.${row.membership.role}`)}`,
      cell: (row) =>
        editing === rowKey(row) ? (
          <RoleForm
            row={row}
            pending={role.isPending}
            error={role.isError ? role.error.message : undefined}
            onSave={(next) => role.mutate({ row, role: next })}
            onCancel={() => {
              setEditing(null);
              role.reset();
            }}
          />
        ) : (
          <>
            {t(`roles.${row.membership.role}`)}
            <span className="cell-detail">{row.membership.orgName}</span>
          </>
        ),
    },
    {
      key: 'status',
      header: t('users.columns.status'),
      sortValue: (row) => row.user.status,
      cell: (row) =>
        row.user.status === 'active' ? (
          <StatusBadge tone="success">{t('users.status.active')}</StatusBadge>
        ) : (
          <StatusBadge tone="neutral">{t('users.status.disabled')}</StatusBadge>
        ),
    },
    {
      key: 'mfa',
      header: t('users.columns.mfa'),
      sortValue: (row) => (row.user.mfaEnabled ? 1 : 0),
      cell: (row) =>
        row.user.mfaEnabled ? (
          <StatusBadge tone="success">{t('users.mfa.enabled')}</StatusBadge>
        ) : (
          <StatusBadge tone="warning">{t('users.mfa.disabled')}</StatusBadge>
        ),
    },
    {
      key: 'lastLogin',
      header: t('users.columns.lastLogin'),
      sortValue: (row) => row.user.lastLoginAt,
      cell: (row) => (row.user.lastLoginAt ? dateTime(row.user.lastLoginAt) : t('users.never')),
    },
    {
      key: 'actions',
      header: t('users.columns.actions'),
      cell: (row) =>
        row.user.id === me.user.id ? (
          <span className="muted">{t('users.noActionOnSelf')}</span>
        ) : (
          <div className="row-actions">
            {editing !== rowKey(row) && (
              <Button variant="secondary" onClick={() => setEditing(rowKey(row))}>
                {t('users.actions.changeRole')}
                <span className="sr-only"> {t('users.actions.of', { name: row.user.displayName, org: row.membership.orgName })}</span>
              </Button>
            )}
            <Button variant="secondary" onClick={() => setPending({ kind: 'status', row })}>
              {row.user.status === 'active' ? t('users.actions.disable') : t('users.actions.enable')}
              <span className="sr-only"> {t('users.actions.account', { name: row.user.displayName })}</span>
            </Button>
            <Button variant="danger" onClick={() => setPending({ kind: 'remove', row })}>
              {t('users.actions.remove')}
              <span className="sr-only"> {t('users.actions.removeWho', { name: row.user.displayName, org: row.membership.orgName })}</span>
            </Button>
          </div>
        ),
    },
  ];

  const action = pending?.kind === 'remove' ? remove : status;
  const closeDialog = () => {
    setPending(null);
    remove.reset();
    status.reset();
  };

  return (
    <section aria-labelledby="members-title" className="section">
      <h2 id="members-title">{t('users.members.title')}</h2>
      <form role="search" className="search-form" noValidate onSubmit={submitSearch}>
        <TextInput
          id="users-q"
          type="search"
          label={t('users.search.label')}
          hint={t('users.search.hint')}
          value={search}
          onChange={(event) => setSearch(event.target.value)}
        />
        <Button type="submit" variant="secondary" icon={Search}>
          {t('users.search.submit')}
        </Button>
        {q && (
          <Link to="/administration/utilisateurs" search={{}} onClick={() => setSearch('')}>
            {t('users.search.clear')}
          </Link>
        )}
      </form>
      {users.isError ? (
        <LoadError error={users.error} onRetry={() => void users.refetch()} />
      ) : users.isPending ? (
        <Spinner />
      ) : (
        <Table
          caption={q ? t('users.members.captionSearch', { org: orgName ?? '', q, count: rows.length }) : t('users.members.caption', { org: orgName ?? '', count: rows.length })}
          columns={columns}
          rows={rows}
          rowKey={rowKey}
          initialSort={{ key: 'name', direction: 'ascending' }}
          empty={
            q ? (
              <EmptyState title={t('users.members.noMatch', { q })}>
                <p>{t('users.members.noMatchHelp')}</p>
              </EmptyState>
            ) : (
              <EmptyState
                title={t('users.members.empty')}
                action={
                  <JumpLink targetId="invite-email" className={buttonClass('primary')}>
                    {t('users.invite.title')}
                  </JumpLink>
                }
              >
                <p>{t('users.members.emptyHelp')}</p>
              </EmptyState>
            )
          }
        />
      )}
      <ConfirmDialog
        open={pending !== null}
        title={
          pending?.kind === 'remove'
            ? t('users.confirmRemove.title', { name: pending.row.user.displayName, org: pending.row.membership.orgName })
            : pending?.row.user.status === 'active'
              ? t('users.confirmDisable.title', { name: pending.row.user.displayName })
              : t('users.confirmEnable.title', { name: pending?.row.user.displayName ?? '' })
        }
        confirmLabel={
          pending?.kind === 'remove'
            ? t('users.confirmRemove.confirm')
            : pending?.row.user.status === 'active'
              ? t('users.confirmDisable.confirm')
              : t('users.confirmEnable.confirm')
        }
        danger={pending?.kind === 'remove' || pending?.row.user.status === 'active'}
        onConfirm={() => pending && action.mutate(pending.row)}
        onClose={closeDialog}
        pending={action.isPending}
        error={action.isError ? action.error.message : undefined}
      >
        <p>
          {pending?.kind === 'remove'
            ? t('users.confirmRemove.text')
            : pending?.row.user.status === 'active'
              ? t('users.confirmDisable.text')
              : t('users.confirmEnable.text')}
        </p>
      </ConfirmDialog>
    </section>
  );
}

interface RoleFormProps {
  row: MemberRow;
  pending: boolean;
  error?: string;
  onSave: (role: Role) => void;
  onCancel: () => void;
}

function RoleForm({ row, pending, error, onSave, onCancel }: RoleFormProps) {
  const { t } = useTranslation();
  const [role, setRole] = useState<Role>(row.membership.role);
  const id = `role-${row.user.id}-${row.membership.orgId}`;
  return (
    <form
      className="inline-form"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        onSave(role);
      }}
    >
      <label htmlFor={id} className="sr-only">
        {t('users.roleForm.label', { name: row.user.displayName, org: row.membership.orgName })}
      </label>
      <select
        id={id}
        className="select"
        value={role}
        autoFocus
        aria-describedby={error ? `${id}-error` : undefined}
        aria-invalid={error ? true : undefined}
        onChange={(event) => setRole(event.target.value as Role)}
      >
        {ROLES_BY_KIND[row.membership.orgKind].map((option) => (
          <option key={option} value={option}>
            {t(`roles.${option}`)}
          </option>
        ))}
      </select>
      {error && (
        <p id={`${id}-error`} className="field__error">
          {error}
        </p>
      )}
      <Button type="submit" loading={pending}>
        {t('users.roleForm.save')}
      </Button>
      <Button variant="secondary" onClick={onCancel}>
        {t('ui.cancel')}
      </Button>
    </form>
  );
}

function InviteForm({ orgId }: { orgId: string }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const toast = useToast();
  const form = useFormErrors();
  const organisations = useQuery(organisationsQuery(orgId));
  const [email, setEmail] = useState('');
  const [targetOrgId, setTargetOrgId] = useState(orgId);
  const [role, setRole] = useState('');

  const choices = (organisations.data?.organisations ?? []).filter((organisation) => !organisation.archived);
  const target = choices.find((organisation) => organisation.id === targetOrgId);
  const roles = target ? ROLES_BY_KIND[target.kind] : [];

  const mutation = useMutation({
    mutationFn: createInvitation,
    onSuccess: async ({ invitation }) => {
      setEmail('');
      await queryClient.invalidateQueries({ queryKey: ['invitations'] });
      toast(t('users.invite.sent', { email: invitation.email }));
    },
    onError: form.fail,
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const body = form.validate(createInvitationBodySchema, { email, orgId: targetOrgId, role: role || undefined });
    if (body) mutation.mutate(body);
  };

  return (
    <section aria-labelledby="invite-title" className="section">
      <h2 id="invite-title">{t('users.invite.title')}</h2>
      <p>{t('users.invite.lead')}</p>
      {organisations.isError && <LoadError error={organisations.error} onRetry={() => void organisations.refetch()} />}
      <ErrorSummary errors={form.errors} fieldIds={{ email: 'invite-email', orgId: 'invite-org', role: 'invite-role' }} />
      <form className="form" noValidate onSubmit={submit}>
        <TextInput
          id="invite-email"
          label={t('fields.email')}
          type="email"
          autoComplete="off"
          spellCheck={false}
          value={email}
          onChange={(event) => setEmail(event.target.value)}
          error={form.errors.fields.email}
        />
        <Select
          id="invite-org"
          label={t('fields.organisation')}
          value={targetOrgId}
          onChange={(event) => {
            const next = choices.find((organisation) => organisation.id === event.target.value);
            setTargetOrgId(event.target.value);
            if (next && !(ROLES_BY_KIND[next.kind] as readonly string[]).includes(role)) setRole('');
          }}
          error={form.errors.fields.orgId}
        >
          {choices.map((organisation) => (
            <option key={organisation.id} value={organisation.id}>
              {t('common.orgOption', { name: organisation.name, kind: t(`orgKinds.${organisation.kind}`) })}
            </option>
          ))}
        </Select>
        <Select
          id="invite-role"
          label={t('fields.role')}
          hint={t('users.invite.roleHint')}
          value={role}
          onChange={(event) => setRole(event.target.value)}
          error={form.errors.fields.role}
        >
          <option value="">{t('users.invite.chooseRole')}</option>
          {roles.map((option) => (
            <option key={option} value={option}>
              {t(`roles.${option}`)}
            </option>
          ))}
        </Select>
        <Button type="submit" icon={Send} loading={mutation.isPending}>
          {t('users.invite.submit')}
        </Button>
      </form>
    </section>
  );
}

type Invitation = z.output<typeof invitationSchema>;

const INVITATION_TONES: Record<Invitation['status'], Tone> = {
  pending: 'info',
  accepted: 'success',
  expired: 'neutral',
  revoked: 'neutral',
};

function Invitations({ orgId }: { orgId: string }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const toast = useToast();
  const { dateTime } = useDateFormat();
  const invitations = useQuery(invitationsQuery(orgId));
  const [revoking, setRevoking] = useState<Invitation | null>(null);
  const revoke = useMutation({
    mutationFn: (invitation: Invitation) => revokeInvitation(invitation.id),
    onSuccess: async (_ok, invitation) => {
      setRevoking(null);
      await queryClient.invalidateQueries({ queryKey: ['invitations'] });
      toast(t('users.invitations.revoked', { email: invitation.email }));
    },
  });

  const columns: Column<Invitation>[] = [
    { key: 'email', header: t('users.columns.email'), rowHeader: true, sortValue: (row) => row.email, cell: (row) => row.email },
    { key: 'org', header: t('users.columns.organisation'), sortValue: (row) => row.orgName, cell: (row) => row.orgName },
    { key: 'role', header: t('users.columns.role'), sortValue: (row) => t(`roles.${row.role}`), cell: (row) => t(`roles.${row.role}`) },
    {
      key: 'status',
      header: t('users.invitations.state'),
      sortValue: (row) => row.status,
      cell: (row) => <StatusBadge tone={INVITATION_TONES[row.status]}>{t(`users.invitations.statuses.${row.status}`)}</StatusBadge>,
    },
    { key: 'createdAt', header: t('users.invitations.sentAt'), sortValue: (row) => row.createdAt, cell: (row) => dateTime(row.createdAt) },
    { key: 'expiresAt', header: t('users.invitations.expiresAt'), sortValue: (row) => row.expiresAt, cell: (row) => dateTime(row.expiresAt) },
    {
      key: 'actions',
      header: t('users.columns.actions'),
      cell: (row) =>
        row.status === 'pending' && (
          <Button variant="secondary" onClick={() => setRevoking(row)}>
            {t('users.invitations.revoke')}
            <span className="sr-only"> {t('users.invitations.revokeFor', { email: row.email })}</span>
          </Button>
        ),
    },
  ];

  return (
    <section aria-labelledby="invitations-title" className="section">
      <h2 id="invitations-title">{t('users.invitations.title')}</h2>
      {invitations.isError ? (
        <LoadError error={invitations.error} onRetry={() => void invitations.refetch()} />
      ) : invitations.isPending ? (
        <Spinner />
      ) : (
        <Table
          caption={t('users.invitations.caption', { count: invitations.data.invitations.length })}
          columns={columns}
          rows={invitations.data.invitations}
          rowKey={(row) => row.id}
          initialSort={{ key: 'createdAt', direction: 'descending' }}
          empty={
            <EmptyState title={t('users.invitations.empty')}>
              <p>{t('users.invitations.emptyHelp')}</p>
            </EmptyState>
          }
        />
      )}
      <ConfirmDialog
        open={revoking !== null}
        title={t('users.invitations.confirmTitle', { email: revoking?.email ?? '' })}
        confirmLabel={t('users.invitations.revoke')}
        danger
        onConfirm={() => revoking && revoke.mutate(revoking)}
        onClose={() => {
          setRevoking(null);
          revoke.reset();
        }}
        pending={revoke.isPending}
        error={revoke.isError ? revoke.error.message : undefined}
      >
        <p>{t('users.invitations.confirmText')}</p>
      </ConfirmDialog>
    </section>
  );
}
