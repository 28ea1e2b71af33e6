import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { Archive } from 'lucide-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import { detectionSchema } from '../../../../contracts/incidents';
import { useMe } from '../../../app/session';
import { ApiError } from '../../../lib/api';
import { Button, ConfirmDialog, EmptyState, LoadError, PageHeader, Spinner, StatusBadge, Table, useToast } from '../../../ui';
import { useRegionFormat } from '../../region/format';
import { activeRegionId, closeDetection, detectionsQuery } from '../region-api';
import { RegionOnly } from './RegionInboxPage';
import '../region.css';

type Detection = z.infer<typeof detectionSchema>;
type DetectionIncident = Detection['incidents'][number];

/** What the establishments share, in words: the indicator (type and value) or the type of incident. */
export function useDetectionLabel() {
  const { t } = useTranslation();
  return (d: Pick<Detection, 'kind' | 'indicatorType' | 'value'>) =>
    d.kind === 'type'
      ? t('incidents.region.detections.byType', { type: t(`incidents.common.type.${d.value as 'ransomware'}`, { defaultValue: d.value }) })
      : t('incidents.region.detections.byIndicator', { type: d.indicatorType ? t(`incidents.common.indicatorType.${d.indicatorType}`) : '', value: d.value });
}

/** The campaigns Hygie detected in the region: several establishments hit by the same thing within 14 days. */
export function DetectionsPage() {
  const { t } = useTranslation();
  const me = useMe();
  const regionId = activeRegionId(me);
  const title = t('incidents.region.detections.title');
  if (!regionId) return <RegionOnly title={title} />;
  return <Detections regionId={regionId} title={title} />;
}

function Detections({ regionId, title }: { regionId: string; title: string }) {
  const { t } = useTranslation();
  const list = useQuery(detectionsQuery(regionId));
  const sorted = [...(list.data?.detections ?? [])].sort((a, b) => b.detectedAt.localeCompare(a.detectedAt));
  const open = sorted.filter((d) => d.status === 'open');
  const closed = sorted.filter((d) => d.status === 'closed');
  return (
    <>
      <PageHeader title={title} breadcrumb={[{ label: t('incidents.region.inbox.title'), to: '/region/incidents' }]} lead={<p>{t('incidents.region.detections.lead')}</p>} />
      {list.isError ? (
        <LoadError error={list.error} onRetry={() => void list.refetch()} />
      ) : list.isPending ? (
        <Spinner />
      ) : (
        <>
          <section aria-labelledby="detections-open" className="section">
            <h2 id="detections-open">{t('incidents.region.detections.openTitle', { count: open.length })}</h2>
            {open.length === 0 ? (
              <EmptyState title={t('incidents.region.detections.empty')} action={<Link to="/region/incidents">{t('incidents.region.detections.toInbox')}</Link>}>
                <p>{t('incidents.region.detections.emptyHelp')}</p>
              </EmptyState>
            ) : (
              <ul className="inc-region-cards">
                {open.map((d) => (
                  <DetectionCard key={d.id} detection={d} regionId={regionId} />
                ))}
              </ul>
            )}
          </section>
          {closed.length > 0 && (
            <section aria-labelledby="detections-closed" className="section">
              <h2 id="detections-closed">{t('incidents.region.detections.closedTitle', { count: closed.length })}</h2>
              <ul className="inc-region-cards">
                {closed.map((d) => (
                  <DetectionCard key={d.id} detection={d} regionId={regionId} />
                ))}
              </ul>
            </section>
          )}
        </>
      )}
    </>
  );
}

function DetectionCard({ detection: d, regionId }: { detection: Detection; regionId: string }) {
  const { t } = useTranslation();
  const fmt = useRegionFormat();
  const toast = useToast();
  const queryClient = useQueryClient();
  const label = useDetectionLabel()(d);
  const [confirming, setConfirming] = useState(false);
  const establishments = new Set(d.incidents.map((i) => i.orgId)).size;
  const close = useMutation({
    mutationFn: () => closeDetection(d.id),
    onSuccess: async () => {
      setConfirming(false);
      toast(t('incidents.region.detections.closedToast'));
      await queryClient.invalidateQueries({ queryKey: detectionsQuery(regionId).queryKey });
    },
  });
  const headingId = `detection-${d.id}`;
  return (
    <li className="inc-region-card">
      <h3 id={headingId}>{label}</h3>
      <p>
        <StatusBadge tone={d.status === 'open' ? 'warning' : 'neutral'}>{t(`incidents.region.detections.status.${d.status}`)}</StatusBadge>{' '}
        {t('incidents.region.detections.detectedAt', { date: fmt.dateTime(d.detectedAt) })}{' '}
        {t('incidents.region.detections.establishments', { count: establishments })}
      </p>
      <Table<DetectionIncident>
        caption={t('incidents.region.detections.caption', { what: label })}
        captionHidden
        rows={d.incidents}
        rowKey={(i) => i.incidentId}
        initialSort={{ key: 'org', direction: 'ascending' }}
        columns={[
          { key: 'org', header: t('incidents.region.detections.columns.establishment'), rowHeader: true, sortValue: (i) => i.orgName, cell: (i) => i.orgName },
          {
            key: 'incident',
            header: t('incidents.region.detections.columns.incident'),
            cell: (i) => (
              <Link to="/incidents/$id" params={{ id: i.incidentId }}>
                {i.title || i.reference} <span className="inc-region-muted">({i.reference})</span>
              </Link>
            ),
          },
          { key: 'declaredAt', header: t('incidents.region.detections.columns.declaredAt'), sortValue: (i) => i.declaredAt, cell: (i) => (i.declaredAt ? fmt.dateTime(i.declaredAt) : '—') },
        ]}
        empty={null}
      />
      {d.status === 'open' && (
        <div className="actions">
          <Button variant="secondary" icon={Archive} onClick={() => setConfirming(true)}>
            {t('incidents.region.detections.close')}
            <span className="sr-only"> {label}</span>
          </Button>
        </div>
      )}
      <ConfirmDialog
        open={confirming}
        title={t('incidents.region.detections.closeTitle')}
        confirmLabel={t('incidents.region.detections.closeConfirm')}
        onConfirm={() => close.mutate()}
        onClose={() => {
          setConfirming(false);
          close.reset();
        }}
        pending={close.isPending}
        error={close.error ? (close.error instanceof ApiError ? close.error.message : t('errors.generic')) : undefined}
      >
        <p>{t('incidents.region.detections.closeText', { what: label })}</p>
      </ConfirmDialog>
    </li>
  );
}
