import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { ShieldAlert } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { DiagnosticHomeCard } from '../modules/assessment/components/HomeCard';
import { auditQuery } from '../modules/audit/api';
import { AuditTable } from '../modules/audit/AuditTable';
import { invitationsQuery } from '../modules/identity/api';
import { AlertsHomeCard } from '../modules/incidents/pages/AlertsPage';
import { IncidentsHomeCard } from '../modules/incidents/pages/IncidentsPage';
import { RegionIncidentsHomeCard } from '../modules/incidents/pages/RegionInboxPage';
import { activeRegionId, receivesAlerts } from '../modules/incidents/region-api';
import { CampaignHomeCard } from '../modules/region/HomeCard';
import { isCoordinator } from '../modules/region/model';
import { buttonClass, EmptyState, LoadError, PageHeader, Spinner } from '../ui';
import { activeMembership, isManager, useMe } from './session';

/** A to-do list for the person: what needs doing now, with what exists today. */
export function HomePage() {
  const { t } = useTranslation();
  const me = useMe();
  const membership = activeMembership(me);
  const manager = isManager(me);
  const regionId = activeRegionId(me);
  return (
    <>
      <PageHeader
        title={t('home.title')}
        lead={
          <p>
            {t('home.welcome', { name: me.user.displayName })}{' '}
            {membership
              ? t('home.activeOrg', { org: membership.orgName, role: t(`roles.${membership.role}`) })
              : me.user.platformAdmin
                ? t('home.adminNoOrg')
                : t('home.noOrg')}
          </p>
        }
      />
      <div className="cards">
        {!me.user.mfaEnabled && <SecureAccountCard compulsory={me.user.mfaCompulsory} />}
        {me.activeOrgId && (membership?.role === 'rssi' || membership?.role === 'direction') && <IncidentsHomeCard orgId={me.activeOrgId} />}
        {me.activeOrgId && (membership?.role === 'rssi' || membership?.role === 'direction') && <DiagnosticHomeCard orgId={me.activeOrgId} />}
        {regionId && <RegionIncidentsHomeCard regionId={regionId} />}
        {me.activeOrgId && !regionId && receivesAlerts(me) && <AlertsHomeCard orgId={me.activeOrgId} />}
        {me.activeOrgId && isCoordinator(me) && <CampaignHomeCard orgId={me.activeOrgId} />}
        {manager && me.activeOrgId && <PendingInvitationsCard orgId={me.activeOrgId} />}
        <section aria-labelledby="home-account" className="card">
          <h2 id="home-account">{t('home.account.title')}</h2>
          <p>{t('home.account.text')}</p>
          <Link to="/profil">{t('home.account.link')}</Link>
        </section>
      </div>
      {manager && <LatestEvents orgId={me.activeOrgId} />}
    </>
  );
}

function SecureAccountCard({ compulsory }: { compulsory: boolean }) {
  const { t } = useTranslation();
  return (
    <section aria-labelledby="home-mfa" className={compulsory ? 'card card--danger' : 'card card--warning'}>
      <h2 id="home-mfa">
        <ShieldAlert className="icon" aria-hidden="true" />
        {t('home.mfa.title')}
      </h2>
      <p>{compulsory ? t('home.mfa.compulsory') : t('home.mfa.recommended')}</p>
      <Link to="/connexion/activer-double-authentification" className={buttonClass('primary')}>
        {t('home.mfa.action')}
      </Link>
    </section>
  );
}

function PendingInvitationsCard({ orgId }: { orgId: string }) {
  const { t } = useTranslation();
  const invitations = useQuery(invitationsQuery(orgId));
  const pending = invitations.data?.invitations.filter((invitation) => invitation.status === 'pending').length;
  return (
    <section aria-labelledby="home-invitations" className="card">
      <h2 id="home-invitations">{t('home.invitations.title')}</h2>
      {invitations.isError ? (
        <LoadError error={invitations.error} onRetry={() => void invitations.refetch()} />
      ) : pending === undefined ? (
        <Spinner />
      ) : (
        <p>{pending === 0 ? t('home.invitations.none') : t('home.invitations.count', { count: pending })}</p>
      )}
      <Link to="/administration/utilisateurs">{t('home.invitations.link')}</Link>
    </section>
  );
}

function LatestEvents({ orgId }: { orgId: string | null }) {
  const { t } = useTranslation();
  const events = useQuery(auditQuery(orgId, {}, 5));
  return (
    <section aria-labelledby="home-events" className="section">
      <h2 id="home-events">{t('home.events.title')}</h2>
      {events.isError ? (
        <LoadError error={events.error} onRetry={() => void events.refetch()} />
      ) : events.isPending ? (
        <Spinner />
      ) : (
        <AuditTable
          caption={t('home.events.caption')}
          entries={events.data.entries}
          empty={
            <EmptyState title={t('audit.empty')}>
              <p>{t('audit.emptyHelp')}</p>
            </EmptyState>
          }
        />
      )}
      <p>
        <Link to="/journal">{t('home.events.link')}</Link>
      </p>
    </section>
  );
}
