import { useQuery } from '@tanstack/react-query';
import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { Copy } from 'lucide-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import { INDICATOR_TYPES, type IndicatorType, type sharedIndicatorSchema, TLP_LEVELS } from '../../../../contracts/incidents';
import { useMe } from '../../../app/session';
import { Button, EmptyState, LoadError, Notice, PageHeader, Select, Spinner, Table, type Column } from '../../../ui';
import { TlpBadge } from '../components/FollowupIndicators';
import { seesSharedIndicators, sharedIndicatorsQuery, useFollowFormat } from '../followup-api';
import '../followup.css';

type SharedIndicator = z.infer<typeof sharedIndicatorSchema>;

const route = getRouteApi('/app/incidents/indicateurs-partages');

/**
 * The indicators of compromise other establishments of the region shared (TLP:CLEAR and
 * TLP:GREEN): how many reported each, named only when they allowed it; a table made to be
 * copied into a firewall or a mail filter, filtered by type in the URL.
 */
export function SharedIndicatorsPage() {
  const { t } = useTranslation();
  const me = useMe();
  const orgId = me.activeOrgId;
  const allowed = seesSharedIndicators(me);
  return (
    <>
      <PageHeader title={t('incidents.follow.shared.title')} breadcrumb={[{ label: t('incidents.follow.shared.breadcrumb'), to: '/incidents' }]} lead={<p>{t('incidents.follow.shared.lead')}</p>} />
      {orgId === null ? (
        <EmptyState title={t('common.noActiveOrg.title')}>
          <p>{t('common.noActiveOrg.text')}</p>
        </EmptyState>
      ) : !allowed ? (
        <Notice tone="warning" title={t('common.forbidden.title')}>
          <p>{t('incidents.follow.shared.forbidden')}</p>
        </Notice>
      ) : (
        <SharedIndicators orgId={orgId} />
      )}
    </>
  );
}

function SharedIndicators({ orgId }: { orgId: string }) {
  const { t } = useTranslation();
  const { dateTime } = useFollowFormat();
  const { type } = route.useSearch();
  const navigate = useNavigate({ from: '/incidents/indicateurs-partages' });
  const shared = useQuery(sharedIndicatorsQuery(orgId));
  const [copyState, setCopyState] = useState<{ kind: 'copied'; count: number } | { kind: 'failed' } | null>(null);

  if (shared.isError) return <LoadError error={shared.error} onRetry={() => void shared.refetch()} />;
  if (shared.isPending) return <Spinner />;

  const all = shared.data.indicators;
  if (all.length === 0) {
    return (
      <EmptyState title={t('incidents.follow.shared.emptyTitle')}>
        <p>{t('incidents.follow.shared.emptyText')}</p>
      </EmptyState>
    );
  }
  const rows = type ? all.filter((row) => row.type === type) : all;
  const plain = rows.map((row) => row.value).join('\n');

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(plain);
      setCopyState({ kind: 'copied', count: rows.length });
    } catch {
      setCopyState({ kind: 'failed' });
    }
  };

  const reportedBy = (row: SharedIndicator) => {
    const unnamed = Math.max(0, row.establishments - row.namedBy.length);
    return (
      <>
        <span className="followup-shared__count">{t('incidents.follow.shared.establishments', { count: row.establishments })}</span>
        <ul className="followup-shared__names">
          {row.namedBy.map((name) => (
            <li key={name}>{name}</li>
          ))}
          {unnamed > 0 && <li className="muted">{unnamed === 1 && row.namedBy.length === 0 ? t('incidents.follow.shared.unnamed') : t('incidents.follow.shared.unnamedMore', { count: unnamed })}</li>}
        </ul>
      </>
    );
  };

  const columns: Column<SharedIndicator>[] = [
    { key: 'value', header: t('incidents.follow.shared.columns.value'), rowHeader: true, cell: (row) => <code className="followup-ioc">{row.value}</code>, sortValue: (row) => row.value },
    { key: 'type', header: t('incidents.follow.shared.columns.type'), cell: (row) => t(`incidents.common.indicatorType.${row.type}`), sortValue: (row) => row.type },
    { key: 'tlp', header: t('incidents.follow.shared.columns.tlp'), cell: (row) => <TlpBadge tlp={row.tlp} />, sortValue: (row) => TLP_LEVELS.indexOf(row.tlp) },
    { key: 'reportedBy', header: t('incidents.follow.shared.columns.reportedBy'), cell: reportedBy, sortValue: (row) => row.establishments },
    { key: 'first', header: t('incidents.follow.shared.columns.first'), cell: (row) => dateTime(row.firstReportedAt), sortValue: (row) => row.firstReportedAt },
    { key: 'description', header: t('incidents.follow.shared.columns.description'), cell: (row) => row.description ?? '' },
  ];

  return (
    <>
      <div className="filters">
        <Select
          id="shared-type"
          label={t('incidents.follow.shared.filterType')}
          value={type ?? ''}
          onChange={(event) => {
            const value = event.target.value;
            setCopyState(null);
            void navigate({ search: value ? { type: value as IndicatorType } : {}, replace: true });
          }}
        >
          <option value="">{t('incidents.follow.shared.allTypes')}</option>
          {INDICATOR_TYPES.map((value) => (
            <option key={value} value={value}>
              {t(`incidents.common.indicatorType.${value}`)}
            </option>
          ))}
        </Select>
        <p className="followup-shared__total" role="status">
          {t('incidents.follow.shared.count', { count: rows.length })}
        </p>
      </div>
      <Table
        caption={t('incidents.follow.shared.caption')}
        columns={columns}
        rows={rows}
        rowKey={(row) => `${row.type}:${row.value}`}
        initialSort={{ key: 'first', direction: 'descending' }}
        empty={
          <EmptyState
            title={t('incidents.follow.shared.emptyFilteredTitle')}
            action={
              <Link to="/incidents/indicateurs-partages" search={{}}>
                {t('incidents.follow.shared.showAll')}
              </Link>
            }
          >
            <p>{t('incidents.follow.shared.emptyFilteredText')}</p>
          </EmptyState>
        }
      />
      {rows.length > 0 && (
        <div className="followup-copy">
          <Button variant="secondary" icon={Copy} onClick={() => void copy()}>
            {t('incidents.follow.shared.copy')}
          </Button>
          <p role="status" className="followup-copy__status">
            {copyState?.kind === 'copied' ? t('incidents.follow.shared.copied', { count: copyState.count }) : copyState?.kind === 'failed' ? t('incidents.follow.shared.copyFailed') : ''}
          </p>
          <details className="followup-copy__plain" open={copyState?.kind === 'failed' || undefined}>
            <summary>{t('incidents.follow.shared.plainTitle')}</summary>
            <label htmlFor="shared-plain" className="field__label">
              {t('incidents.follow.shared.plainLabel')}
            </label>
            <textarea id="shared-plain" className="input textarea input--mono" readOnly rows={Math.min(12, rows.length + 1)} value={plain} />
          </details>
        </div>
      )}
    </>
  );
}
