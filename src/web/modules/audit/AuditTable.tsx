import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { AuditEntry } from '../../../contracts/audit';
import { useDateFormat } from '../../lib/format';
import { type Column, StatusBadge, Table, type Tone } from '../../ui';

/** Audit action code → key of its plain-French label; other codes are shown as they are. */
const ACTION_KEYS = {
  'access.denied': 'accessDenied',
  'audit.exported': 'auditExported',
  'audit.verified': 'auditVerified',
  'auth.login': 'login',
  'auth.login.throttled': 'loginThrottled',
  'auth.logout': 'logout',
  'auth.mfa': 'mfa',
  'auth.mfa.enrolled': 'mfaEnrolled',
  'auth.mfa.throttled': 'mfaThrottled',
  'auth.oidc': 'oidc',
  'auth.oidc.linked': 'oidcLinked',
  'auth.password.changed': 'passwordChanged',
  'auth.password.reset': 'passwordReset',
  'auth.password.reset_requested': 'passwordResetRequested',
  'auth.recovery_code.used': 'recoveryCodeUsed',
  'auth.recovery_codes.regenerated': 'recoveryCodesRegenerated',
  'identity.invitation.accepted': 'invitationAccepted',
  'identity.invitation.created': 'invitationCreated',
  'identity.invitation.revoked': 'invitationRevoked',
  'identity.membership.removed': 'membershipRemoved',
  'identity.membership.set': 'membershipSet',
  'identity.organisation.created': 'organisationCreated',
  'identity.organisation.updated': 'organisationUpdated',
  'identity.user.disabled': 'userDisabled',
  'identity.user.enabled': 'userEnabled',
} as const;
const isKnownAction = (code: string): code is keyof typeof ACTION_KEYS => code in ACTION_KEYS;

const TARGET_KEYS = ['user', 'organisation', 'invitation'] as const;
const isKnownTarget = (type: string): type is (typeof TARGET_KEYS)[number] => (TARGET_KEYS as readonly string[]).includes(type);

const OUTCOME_TONES: Record<AuditEntry['outcome'], Tone> = { success: 'success', failure: 'danger', denied: 'warning' };

interface AuditTableProps {
  caption: string;
  entries: AuditEntry[];
  empty: ReactNode;
}

/** Audit entries, newest first as the API gives them: when, who, what, on what, with which result. */
export function AuditTable({ caption, entries, empty }: AuditTableProps) {
  const { t } = useTranslation();
  const { dateTime } = useDateFormat();
  const columns: Column<AuditEntry>[] = [
    { key: 'seq', header: t('audit.columns.seq'), cell: (entry) => entry.seq, className: 'numeric' },
    { key: 'at', header: t('audit.columns.at'), rowHeader: true, cell: (entry) => dateTime(entry.at) },
    { key: 'actor', header: t('audit.columns.actor'), cell: (entry) => entry.actorLabel ?? <span className="muted">{t('audit.unknownActor')}</span> },
    {
      key: 'action',
      header: t('audit.columns.action'),
      cell: (entry) => (
        <>
          {isKnownAction(entry.action) && <span className="audit-action">{t(`audit.actions.${ACTION_KEYS[entry.action]}`)}</span>}
          <code className="code">{entry.action}</code>
        </>
      ),
    },
    {
      key: 'target',
      header: t('audit.columns.target'),
      cell: (entry) =>
        entry.targetType ? (
          <>
            {isKnownTarget(entry.targetType) ? t(`audit.targets.${entry.targetType}`) : entry.targetType}
            {entry.targetId && <code className="code code--id">{entry.targetId}</code>}
          </>
        ) : (
          <span className="muted">{t('audit.noTarget')}</span>
        ),
    },
    {
      key: 'outcome',
      header: t('audit.columns.outcome'),
      cell: (entry) => <StatusBadge tone={OUTCOME_TONES[entry.outcome]}>{t(`audit.outcomes.${entry.outcome}`)}</StatusBadge>,
    },
  ];
  return <Table caption={caption} columns={columns} rows={entries} rowKey={(entry) => String(entry.seq)} empty={empty} />;
}
