import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { BellRing, CheckCheck, Megaphone } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import type { Alert, receivedAlertSchema } from '../../../../contracts/incidents';
import { useMe } from '../../../app/session';
import { ApiError } from '../../../lib/api';
import { Button, buttonClass, EmptyState, LoadError, Notice, PageHeader, Spinner, StatusBadge, Table, useToast } from '../../../ui';
import { useRegionFormat } from '../../region/format';
import { acknowledgeAlert, activeRegionId, alertsQuery, receivesAlerts, SEVERITY_TONES } from '../region-api';
import '../region.css';

type ReceivedAlert = z.infer<typeof receivedAlertSchema>;

/** « x sur y établissements ont accusé réception », in words and colour. */
export function AckProgress({ alert }: { alert: Pick<Alert, 'acknowledgedCount' | 'recipientCount'> }) {
  const { t } = useTranslation();
  const all = alert.recipientCount > 0 && alert.acknowledgedCount === alert.recipientCount;
  return (
    <StatusBadge tone={all ? 'success' : alert.acknowledgedCount === 0 ? 'warning' : 'info'}>
      {t('incidents.region.alerts.progress', { acknowledged: String(alert.acknowledgedCount), count: alert.recipientCount })}
    </StatusBadge>
  );
}

export function SeverityBadge({ severity }: { severity: Alert['severity'] }) {
  const { t } = useTranslation();
  return <StatusBadge tone={SEVERITY_TONES[severity]}>{t('incidents.region.alerts.severity', { severity: t(`incidents.common.severity.${severity}`) })}</StatusBadge>;
}

/** The region's alerts: those it sent (for its coordinator), those received (for an establishment's security people). */
export function AlertsPage() {
  const { t } = useTranslation();
  const me = useMe();
  const regionId = activeRegionId(me);
  const receives = receivesAlerts(me);
  const orgId = me.activeOrgId;
  const list = useQuery({ ...alertsQuery(orgId ?? ''), enabled: orgId !== null && (regionId !== null || receives) });
  const title = t('incidents.region.alerts.title');

  if (!orgId || (!regionId && !receives)) {
    return (
      <>
        <PageHeader title={title} breadcrumb={[]} />
        <Notice tone="info" title={t('incidents.region.alerts.nobodyTitle')}>
          <p>{t('incidents.region.alerts.nobody')}</p>
        </Notice>
      </>
    );
  }

  return (
    <>
      <PageHeader
        title={title}
        breadcrumb={[]}
        lead={<p>{regionId ? t('incidents.region.alerts.leadRegion') : t('incidents.region.alerts.leadEstablishment')}</p>}
        actions={
          regionId && (
            <Link to="/alertes/nouvelle" className={buttonClass('primary')}>
              <Megaphone className="icon" aria-hidden="true" />
              {t('incidents.region.alerts.publish')}
            </Link>
          )
        }
      />
      {list.isError ? (
        <LoadError error={list.error} onRetry={() => void list.refetch()} />
      ) : list.isPending ? (
        <Spinner />
      ) : (
        <>
          {regionId && <SentAlerts alerts={list.data.sent} />}
          {receives && <ReceivedAlerts alerts={list.data.received} orgId={orgId} />}
        </>
      )}
    </>
  );
}

function SentAlerts({ alerts }: { alerts: Alert[] }) {
  const { t } = useTranslation();
  const fmt = useRegionFormat();
  const rows = [...alerts].sort((a, b) => b.publishedAt.localeCompare(a.publishedAt));
  return (
    <section aria-labelledby="alerts-sent" className="section">
      <h2 id="alerts-sent">{t('incidents.region.alerts.sentTitle')}</h2>
      <Table<Alert>
        caption={t('incidents.region.alerts.sentCaption')}
        captionHidden
        rows={rows}
        rowKey={(a) => a.id}
        columns={[
          {
            key: 'title',
            header: t('incidents.region.alerts.columns.title'),
            rowHeader: true,
            cell: (a) => (
              <Link to="/alertes/$id" params={{ id: a.id }}>
                {a.title}
              </Link>
            ),
          },
          { key: 'severity', header: t('incidents.region.alerts.columns.severity'), cell: (a) => <SeverityBadge severity={a.severity} /> },
          { key: 'publishedAt', header: t('incidents.region.alerts.columns.publishedAt'), sortValue: (a) => a.publishedAt, cell: (a) => fmt.dateTime(a.publishedAt) },
          { key: 'ack', header: t('incidents.region.alerts.columns.acknowledged'), sortValue: (a) => a.recipientCount - a.acknowledgedCount, cell: (a) => <AckProgress alert={a} /> },
        ]}
        empty={
          <EmptyState
            title={t('incidents.region.alerts.sentEmpty')}
            action={
              <Link to="/alertes/nouvelle" className={buttonClass('primary')}>
                {t('incidents.region.alerts.publish')}
              </Link>
            }
          >
            <p>{t('incidents.region.alerts.sentEmptyHelp')}</p>
          </EmptyState>
        }
      />
    </section>
  );
}

function ReceivedAlerts({ alerts, orgId }: { alerts: ReceivedAlert[]; orgId: string }) {
  const { t } = useTranslation();
  // Those still to acknowledge first, then the newest.
  const rows = [...alerts].sort((a, b) => Number(a.acknowledgedAt !== null) - Number(b.acknowledgedAt !== null) || b.publishedAt.localeCompare(a.publishedAt));
  const pending = rows.filter((a) => a.acknowledgedAt === null).length;
  return (
    <section aria-labelledby="alerts-received" className="section">
      <h2 id="alerts-received">{t('incidents.region.alerts.receivedTitle')}</h2>
      {rows.length === 0 ? (
        <EmptyState title={t('incidents.region.alerts.receivedEmpty')}>
          <p>{t('incidents.region.alerts.receivedEmptyHelp')}</p>
        </EmptyState>
      ) : (
        <>
          <p aria-live="polite">{pending === 0 ? t('incidents.region.alerts.allAcknowledged') : t('incidents.region.alerts.pending', { count: pending })}</p>
          <ul className="inc-region-cards">
            {rows.map((a) => (
              <ReceivedAlertCard key={`${a.id}-${a.orgId}`} alert={a} orgId={orgId} />
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function ReceivedAlertCard({ alert: a, orgId }: { alert: ReceivedAlert; orgId: string }) {
  const { t } = useTranslation();
  const fmt = useRegionFormat();
  const toast = useToast();
  const queryClient = useQueryClient();
  const ack = useMutation({
    mutationFn: () => acknowledgeAlert(a.id, a.orgId),
    onSuccess: async () => {
      toast(t('incidents.region.alert.acknowledgedToast'));
      await queryClient.invalidateQueries({ queryKey: alertsQuery(orgId).queryKey });
      await queryClient.invalidateQueries({ queryKey: ['incidents', 'alert', a.id] });
    },
  });
  return (
    <li className={a.acknowledgedAt ? 'inc-region-card' : 'inc-region-card inc-region-card--attention'}>
      <h3>
        <Link to="/alertes/$id" params={{ id: a.id }}>
          {a.title}
        </Link>
      </h3>
      <p>
        <SeverityBadge severity={a.severity} />{' '}
        {a.acknowledgedAt ? (
          <StatusBadge tone="success">{t('incidents.region.alerts.acknowledgedOn', { date: fmt.dateTime(a.acknowledgedAt) })}</StatusBadge>
        ) : (
          <StatusBadge tone="warning">{t('incidents.region.alerts.toAcknowledge')}</StatusBadge>
        )}
      </p>
      <p className="inc-region-muted">
        {t('incidents.region.alerts.publishedOn', { date: fmt.dateTime(a.publishedAt) })}
        {a.orgId !== orgId && ` ${t('incidents.region.alerts.forOrg', { org: a.orgName })}`}
      </p>
      <p>{a.summary}</p>
      {ack.error && (
        <Notice tone="danger" role="alert">
          <p>{ack.error instanceof ApiError ? ack.error.message : t('errors.generic')}</p>
        </Notice>
      )}
      {!a.acknowledgedAt && (
        <div className="actions">
          <Button icon={CheckCheck} loading={ack.isPending} onClick={() => ack.mutate()}>
            {t('incidents.region.alert.acknowledge')}
            <span className="sr-only"> {t('incidents.region.alerts.ofAlert', { title: a.title })}</span>
          </Button>
        </div>
      )}
    </li>
  );
}

/** An establishment's home card: the region's alerts still to acknowledge. */
export function AlertsHomeCard({ orgId }: { orgId: string }) {
  const { t } = useTranslation();
  const list = useQuery(alertsQuery(orgId));
  const pending = (list.data?.received ?? []).filter((a) => a.acknowledgedAt === null).length;
  return (
    <section aria-labelledby="home-alerts" className={pending > 0 ? 'card card--danger' : 'card'}>
      <h2 id="home-alerts">
        <BellRing className="icon" aria-hidden="true" />
        {t('incidents.region.home.alertsTitle')}
      </h2>
      {list.isError ? (
        <LoadError error={list.error} onRetry={() => void list.refetch()} />
      ) : list.isPending ? (
        <Spinner />
      ) : (
        <p>{pending > 0 ? t('incidents.region.home.unacknowledged', { count: pending }) : t('incidents.region.home.noUnacknowledged')}</p>
      )}
      <Link to="/alertes">{t('incidents.region.home.toAlerts')}</Link>
    </section>
  );
}
