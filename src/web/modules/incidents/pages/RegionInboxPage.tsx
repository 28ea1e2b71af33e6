import { useQuery } from '@tanstack/react-query';
import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { Inbox as InboxIcon } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { REGION_STATUSES, type IncidentSummary } from '../../../../contracts/incidents';
import { useMe } from '../../../app/session';
import { EmptyState, LoadError, Notice, PageHeader, Select, Spinner, StatusBadge, Table } from '../../../ui';
import { useRegionFormat } from '../../region/format';
import { activeRegionId, detectionsQuery, inboxQuery, REGION_STATUS_TONES, type RegionStatus } from '../region-api';
import '../region.css';

const route = getRouteApi('/app/region/incidents');

/** Shown to people who are not a region's coordinator working in his region. */
export function RegionOnly({ title }: { title: string }) {
  const { t } = useTranslation();
  return (
    <>
      <PageHeader title={title} breadcrumb={[]} />
      <Notice tone="info" title={t('incidents.region.regionOnly.title')}>
        <p>{t('incidents.region.regionOnly.text')}</p>
      </Notice>
    </>
  );
}

/** The regional coordinator's inbox: the region's declarations, newest first, filtered by the region's status. */
export function RegionInboxPage() {
  const { t } = useTranslation();
  const me = useMe();
  const regionId = activeRegionId(me);
  const title = t('incidents.region.inbox.title');
  if (!regionId) return <RegionOnly title={title} />;
  return <Inbox regionId={regionId} title={title} />;
}

function Inbox({ regionId, title }: { regionId: string; title: string }) {
  const { t } = useTranslation();
  const fmt = useRegionFormat();
  const navigate = useNavigate();
  const { suivi: statut } = route.useSearch();
  const inbox = useQuery(inboxQuery(regionId, statut));
  const rows = inbox.data ? [...inbox.data.incidents].sort((a, b) => (b.declaredAt ?? b.updatedAt).localeCompare(a.declaredAt ?? a.updatedAt)) : [];
  const yesNo = (value: boolean) => (value ? t('incidents.region.inbox.yes') : t('incidents.region.inbox.no'));

  return (
    <>
      <PageHeader title={title} breadcrumb={[]} lead={<p>{t('incidents.region.inbox.lead')}</p>} />
      <form className="inc-region-filters" role="search" aria-label={t('incidents.region.inbox.filters')} onSubmit={(e) => e.preventDefault()}>
        <Select
          id="inbox-status"
          label={t('incidents.region.inbox.statusFilter')}
          value={statut ?? ''}
          onChange={(e) => void navigate({ to: '/region/incidents', search: e.target.value ? { suivi: e.target.value as RegionStatus } : {} })}
        >
          <option value="">{t('incidents.region.inbox.allStatuses')}</option>
          {REGION_STATUSES.map((s) => (
            <option key={s} value={s}>
              {t(`incidents.common.regionStatus.${s}`)}
            </option>
          ))}
        </Select>
      </form>
      <section aria-labelledby="inbox-list" className="section">
        <h2 id="inbox-list">
          {statut ? t('incidents.region.inbox.listTitleFiltered', { status: t(`incidents.common.regionStatus.${statut}`) }) : t('incidents.region.inbox.listTitle')}
        </h2>
        {inbox.isError ? (
          <LoadError error={inbox.error} onRetry={() => void inbox.refetch()} />
        ) : inbox.isPending ? (
          <Spinner />
        ) : (
          <>
            <p aria-live="polite">
              {t('incidents.region.inbox.count', { count: inbox.data.total })}
              {inbox.data.total > rows.length && <> {t('incidents.region.inbox.newestOnly', { count: rows.length })}</>}
            </p>
            <Table<IncidentSummary>
              caption={t('incidents.region.inbox.caption')}
              captionHidden
              rows={rows}
              rowKey={(i) => i.id}
              columns={[
                {
                  key: 'title',
                  header: t('incidents.region.inbox.columns.incident'),
                  rowHeader: true,
                  cell: (i) => (
                    <>
                      <Link to="/incidents/$id" params={{ id: i.id }}>
                        {i.title || i.reference}
                      </Link>
                      <span className="inc-region-muted inc-region-ref">{i.reference}</span>
                    </>
                  ),
                },
                { key: 'org', header: t('incidents.region.inbox.columns.establishment'), sortValue: (i) => i.orgName, cell: (i) => i.orgName },
                { key: 'declaredAt', header: t('incidents.region.inbox.columns.declaredAt'), sortValue: (i) => i.declaredAt, cell: (i) => (i.declaredAt ? fmt.dateTime(i.declaredAt) : '—') },
                { key: 'type', header: t('incidents.region.inbox.columns.type'), cell: (i) => (i.type ? t(`incidents.common.type.${i.type}`) : t('incidents.region.inbox.noType')) },
                {
                  key: 'care',
                  header: t('incidents.region.inbox.columns.care'),
                  cell: (i) => (i.careImpact ? <StatusBadge tone="danger">{t('incidents.region.inbox.careYes')}</StatusBadge> : yesNo(false)),
                },
                { key: 'support', header: t('incidents.region.inbox.columns.support'), cell: (i) => (i.supportRequested ? <strong>{yesNo(true)}</strong> : yesNo(false)) },
                {
                  key: 'status',
                  header: t('incidents.region.inbox.columns.status'),
                  sortValue: (i) => REGION_STATUSES.indexOf(i.regionStatus),
                  cell: (i) => <StatusBadge tone={REGION_STATUS_TONES[i.regionStatus]}>{t(`incidents.common.regionStatus.${i.regionStatus}`)}</StatusBadge>,
                },
              ]}
              empty={
                statut ? (
                  <EmptyState title={t('incidents.region.inbox.emptyFiltered')} action={<Link to="/region/incidents">{t('incidents.region.inbox.showAll')}</Link>}>
                    <p>{t('incidents.region.inbox.emptyFilteredHelp')}</p>
                  </EmptyState>
                ) : (
                  <EmptyState title={t('incidents.region.inbox.empty')} action={<Link to="/alertes/nouvelle">{t('incidents.region.alerts.publish')}</Link>}>
                    <p>{t('incidents.region.inbox.emptyHelp')}</p>
                  </EmptyState>
                )
              }
            />
          </>
        )}
      </section>
    </>
  );
}

/** The coordinator's home card: new declarations to acknowledge and detected campaigns under way. */
export function RegionIncidentsHomeCard({ regionId }: { regionId: string }) {
  const { t } = useTranslation();
  const inbox = useQuery(inboxQuery(regionId, 'new'));
  const detections = useQuery(detectionsQuery(regionId));
  const fresh = inbox.data?.total ?? 0;
  const open = (detections.data?.detections ?? []).filter((d) => d.status === 'open').length;
  const error = inbox.error ?? detections.error;
  return (
    <section aria-labelledby="home-region-incidents" className={fresh > 0 || open > 0 ? 'card card--warning' : 'card'}>
      <h2 id="home-region-incidents">
        <InboxIcon className="icon" aria-hidden="true" />
        {t('incidents.region.home.inboxTitle')}
      </h2>
      {error ? (
        <LoadError
          error={error}
          onRetry={() => {
            void inbox.refetch();
            void detections.refetch();
          }}
        />
      ) : inbox.isPending || detections.isPending ? (
        <Spinner />
      ) : (
        <>
          <p>{fresh > 0 ? t('incidents.region.home.newDeclarations', { count: fresh }) : t('incidents.region.home.noNewDeclaration')}</p>
          <p>{open > 0 ? t('incidents.region.home.openDetections', { count: open }) : t('incidents.region.home.noDetection')}</p>
          <ul className="plain-list">
            <li>
              <Link to="/region/incidents" search={fresh > 0 ? { suivi: 'new' } : {}}>
                {t('incidents.region.home.toInbox')}
              </Link>
            </li>
            {open > 0 && (
              <li>
                <Link to="/region/incidents/campagnes">{t('incidents.region.home.toDetections')}</Link>
              </li>
            )}
          </ul>
        </>
      )}
    </section>
  );
}
