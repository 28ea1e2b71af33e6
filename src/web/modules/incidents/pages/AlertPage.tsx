import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { getRouteApi } from '@tanstack/react-router';
import { CheckCheck } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import type { alertRecipientSchema, Alert } from '../../../../contracts/incidents';
import { useMe } from '../../../app/session';
import { ApiError } from '../../../lib/api';
import { Button, LoadError, Notice, PageHeader, Spinner, StatusBadge, Table, useToast } from '../../../ui';
import { useRegionFormat } from '../../region/format';
import { acknowledgeAlert, activeRegionId, alertQuery } from '../region-api';
import { AckProgress, SeverityBadge } from './AlertsPage';
import '../region.css';

type Recipient = z.infer<typeof alertRecipientSchema>;

const route = getRouteApi('/app/alertes/$id');

/** One alert: its content; for the region, who has acknowledged it; for an establishment, « Accuser réception ». */
export function AlertPage() {
  const { t } = useTranslation();
  const me = useMe();
  const { id } = route.useParams();
  const detail = useQuery(alertQuery(id));
  const crumbs = [{ label: t('incidents.region.alerts.title'), to: '/alertes' as const }];
  if (detail.isError || detail.isPending) {
    return (
      <>
        <PageHeader title={t('incidents.region.alert.loading')} breadcrumb={crumbs} />
        {detail.isError ? <LoadError error={detail.error} onRetry={() => void detail.refetch()} /> : <Spinner />}
      </>
    );
  }
  const { alert, recipients } = detail.data;
  const regionView = activeRegionId(me) === alert.regionId;
  // The establishment's own line (the server only lists what the person may see).
  const own = recipients.find((r) => r.orgId === me.activeOrgId) ?? (regionView ? undefined : recipients[0]);
  return (
    <>
      <PageHeader title={alert.title} breadcrumb={crumbs} lead={<AlertLead alert={alert} />} />
      {!regionView && own && <Acknowledge alertId={alert.id} recipient={own} />}
      <AlertBody alert={alert} />
      {regionView && <Recipients alert={alert} recipients={recipients} />}
    </>
  );
}

function AlertLead({ alert }: { alert: Alert }) {
  const { t } = useTranslation();
  const fmt = useRegionFormat();
  return (
    <p>
      <SeverityBadge severity={alert.severity} />{' '}
      {alert.publishedByName
        ? t('incidents.region.alert.publishedBy', { name: alert.publishedByName, date: fmt.dateTime(alert.publishedAt) })
        : t('incidents.region.alerts.publishedOn', { date: fmt.dateTime(alert.publishedAt) })}
    </p>
  );
}

function AlertBody({ alert }: { alert: Alert }) {
  const { t } = useTranslation();
  return (
    <>
      <section aria-labelledby="alert-summary" className="section">
        <h2 id="alert-summary">{t('incidents.region.alert.summary')}</h2>
        <p className="inc-region-text">{alert.summary}</p>
      </section>
      {alert.whatToCheck && (
        <section aria-labelledby="alert-check" className="section">
          <h2 id="alert-check">{t('incidents.region.alert.whatToCheck')}</h2>
          <p className="inc-region-text">{alert.whatToCheck}</p>
        </section>
      )}
      {alert.whatToDo && (
        <section aria-labelledby="alert-do" className="section">
          <h2 id="alert-do">{t('incidents.region.alert.whatToDo')}</h2>
          <p className="inc-region-text">{alert.whatToDo}</p>
        </section>
      )}
      {alert.products.length > 0 && (
        <section aria-labelledby="alert-products" className="section">
          <h2 id="alert-products">{t('incidents.region.alert.products')}</h2>
          <ul>
            {alert.products.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}

function Acknowledge({ alertId, recipient }: { alertId: string; recipient: Recipient }) {
  const { t } = useTranslation();
  const fmt = useRegionFormat();
  const toast = useToast();
  const queryClient = useQueryClient();
  const ack = useMutation({
    mutationFn: () => acknowledgeAlert(alertId, recipient.orgId),
    onSuccess: async () => {
      toast(t('incidents.region.alert.acknowledgedToast'));
      await queryClient.invalidateQueries({ queryKey: ['incidents', 'alert', alertId] });
      await queryClient.invalidateQueries({ queryKey: ['incidents', 'alerts'] });
    },
  });
  if (recipient.acknowledgedAt) {
    return (
      <Notice tone="success" title={t('incidents.region.alert.acknowledgedTitle')}>
        <p>
          {recipient.acknowledgedByName
            ? t('incidents.region.alert.acknowledgedBy', { name: recipient.acknowledgedByName, org: recipient.orgName, date: fmt.dateTime(recipient.acknowledgedAt) })
            : t('incidents.region.alert.acknowledgedOn', { org: recipient.orgName, date: fmt.dateTime(recipient.acknowledgedAt) })}
        </p>
      </Notice>
    );
  }
  return (
    <section aria-labelledby="alert-ack" className="inc-region-panel">
      <h2 id="alert-ack">{t('incidents.region.alert.ackTitle')}</h2>
      <p>{t('incidents.region.alert.ackLead', { org: recipient.orgName })}</p>
      {ack.error && (
        <Notice tone="danger" role="alert">
          <p>{ack.error instanceof ApiError ? ack.error.message : t('errors.generic')}</p>
        </Notice>
      )}
      <Button icon={CheckCheck} loading={ack.isPending} onClick={() => ack.mutate()}>
        {t('incidents.region.alert.acknowledge')}
      </Button>
    </section>
  );
}

function Recipients({ alert, recipients }: { alert: Alert; recipients: Recipient[] }) {
  const { t } = useTranslation();
  const fmt = useRegionFormat();
  // Who has not acknowledged first, then by name.
  const rows = [...recipients].sort((a, b) => Number(a.acknowledgedAt !== null) - Number(b.acknowledgedAt !== null) || a.orgName.localeCompare(b.orgName, 'fr'));
  const missing = rows.filter((r) => r.acknowledgedAt === null).length;
  return (
    <section aria-labelledby="alert-recipients" className="section">
      <h2 id="alert-recipients">{t('incidents.region.alert.recipientsTitle')}</h2>
      <p className="inc-region-summary">
        <AckProgress alert={alert} /> {missing > 0 ? t('incidents.region.alert.missing', { count: missing }) : t('incidents.region.alert.noneMissing')}
      </p>
      <Table<Recipient>
        caption={t('incidents.region.alert.recipientsCaption', { title: alert.title })}
        captionHidden
        rows={rows}
        rowKey={(r) => r.orgId}
        columns={[
          { key: 'org', header: t('incidents.region.alert.columns.establishment'), rowHeader: true, cell: (r) => r.orgName },
          {
            key: 'status',
            header: t('incidents.region.alert.columns.status'),
            cell: (r) =>
              r.acknowledgedAt ? (
                <StatusBadge tone="success">{t('incidents.region.alert.statusAcknowledged')}</StatusBadge>
              ) : (
                <StatusBadge tone="warning">{t('incidents.region.alert.statusWaiting')}</StatusBadge>
              ),
          },
          {
            key: 'when',
            header: t('incidents.region.alert.columns.when'),
            cell: (r) => (r.acknowledgedAt ? `${fmt.dateTime(r.acknowledgedAt)}${r.acknowledgedByName ? ` — ${r.acknowledgedByName}` : ''}` : '—'),
          },
        ]}
        empty={<p>{t('incidents.region.alert.noRecipient')}</p>}
      />
    </section>
  );
}
