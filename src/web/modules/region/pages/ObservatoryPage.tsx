import { useQuery } from '@tanstack/react-query';
import { getRouteApi, useNavigate } from '@tanstack/react-router';
import { Download } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import type { Benchmark, Observatory, ObservatoryEstablishment } from '../../../../contracts/assessment-region';
import { useMe } from '../../../app/session';
import { buttonClass, EmptyState, LoadError, Notice, PageHeader, Select, Spinner, StatusBadge, Table } from '../../../ui';
import { benchmarkQuery, campaignsQuery, frameworksQuery, observatoryEstablishmentsQuery, observatoryExportHref, observatoryQuery, type ObservatorySearch } from '../api';
import { BenchBars, CountBars, MedianBars, TrendLine } from '../charts';
import { useRegionFormat } from '../format';
import { isCoordinator, isEstablishmentLead } from '../model';
import '../region.css';

const route = getRouteApi('/app/pilotage/observatoire');

const objectiveName = (o: { refId: string | null; name: string | null }) => (o.refId && o.name ? `${o.refId} — ${o.name}` : (o.name ?? o.refId ?? ''));

export function ObservatoryPage() {
  const { t } = useTranslation();
  const me = useMe();
  const search = route.useSearch();
  const title = t('region.observatory.title');
  if (isCoordinator(me) || (me.user.platformAdmin && !isEstablishmentLead(me))) return <CoordinatorObservatory title={title} orgId={isCoordinator(me) ? me.activeOrgId : null} search={search} />;
  if (isEstablishmentLead(me) && me.activeOrgId) return <BenchmarkView orgId={me.activeOrgId} frameworkId={search.referentiel} />;
  return (
    <>
      <PageHeader title={title} breadcrumb={[]} />
      <Notice tone="info" title={t('region.coordinatorOnly.title')}>
        <p>{t('region.observatory.nobody')}</p>
      </Notice>
    </>
  );
}

function Selectors({ orgId, search }: { orgId: string | null; search: ObservatorySearch }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const frameworks = useQuery(frameworksQuery);
  const campaigns = useQuery({ ...campaignsQuery(orgId ?? ''), enabled: orgId !== null });
  const go = (next: ObservatorySearch) => void navigate({ to: '/pilotage/observatoire', search: next });
  return (
    <form className="region-selectors" onSubmit={(e) => e.preventDefault()} aria-label={t('region.observatory.selectors')}>
      <Select
        id="observatory-framework"
        label={t('region.observatory.framework')}
        value={search.referentiel ?? ''}
        onChange={(e) => go({ ...(e.target.value ? { referentiel: e.target.value } : {}) })}
      >
        <option value="">{t('region.observatory.defaultFramework')}</option>
        {(frameworks.data?.frameworks ?? []).map((f) => (
          <option key={f.id} value={f.id}>
            {f.name}
          </option>
        ))}
      </Select>
      {orgId && (
        <Select
          id="observatory-campaign"
          label={t('region.observatory.campaign')}
          value={search.campagne ?? ''}
          onChange={(e) => {
            const campaign = campaigns.data?.campaigns.find((c) => c.id === e.target.value);
            go(campaign ? { referentiel: campaign.frameworkId, campagne: campaign.id } : { ...(search.referentiel ? { referentiel: search.referentiel } : {}) });
          }}
        >
          <option value="">{t('region.observatory.latest')}</option>
          {(campaigns.data?.campaigns ?? []).map((c) => (
            <option key={c.id} value={c.id}>
              {c.title}
            </option>
          ))}
        </Select>
      )}
    </form>
  );
}

function CoordinatorObservatory({ title, orgId, search }: { title: string; orgId: string | null; search: ObservatorySearch }) {
  const { t } = useTranslation();
  const data = useQuery(observatoryQuery(orgId, search));
  return (
    <>
      <PageHeader
        title={title}
        breadcrumb={[]}
        lead={<p>{t('region.observatory.lead')}</p>}
        actions={
          <a className={buttonClass('secondary')} href={observatoryExportHref(orgId, search)} download>
            <Download className="icon" aria-hidden="true" />
            {t('region.observatory.export')}
          </a>
        }
      />
      <Selectors orgId={orgId} search={search} />
      {data.isError ? <LoadError error={data.error} onRetry={() => void data.refetch()} /> : data.isPending ? <Spinner /> : <ObservatoryBody data={data.data} orgId={orgId} search={search} />}
    </>
  );
}

function ObservatoryBody({ data, orgId, search }: { data: Observatory; orgId: string | null; search: ObservatorySearch }) {
  const { t } = useTranslation();
  const fmt = useRegionFormat();
  const scored = data.objectives.filter((o) => o.stats.median !== null);
  const best = [...scored].sort((a, b) => (b.stats.median ?? 0) - (a.stats.median ?? 0))[0];
  const worst = [...scored].sort((a, b) => (a.stats.median ?? 0) - (b.stats.median ?? 0))[0];
  const mostBand = [...data.distribution].sort((a, b) => b.count - a.count)[0];
  const band = (d: { from: number; to: number }) => t('region.observatory.band', { from: String(d.from), to: String(d.to) });
  const lastTrend = data.evolution.at(-1);

  return (
    <>
      <p className="region-summary">
        {t('region.observatory.scope', { name: data.scope.name, framework: data.framework.name, withResult: String(data.establishments.withResult), count: data.establishments.total })}
        {data.campaign && ` ${t('region.observatory.ofCampaign', { title: data.campaign.title })}`}
      </p>
      {data.establishments.withResult === 0 ? (
        <EmptyState title={t('region.observatory.empty')}>
          <p>{t('region.observatory.emptyHelp')}</p>
        </EmptyState>
      ) : (
        <>
          <section aria-labelledby="obs-objectives" className="section">
            <h2 id="obs-objectives">{t('region.observatory.objectivesTitle')}</h2>
            <p>
              {best && worst
                ? t('region.observatory.objectivesSummary', { overall: fmt.score(data.overall.median), best: objectiveName(best), bestValue: fmt.score(best.stats.median), worst: objectiveName(worst), worstValue: fmt.score(worst.stats.median) })
                : t('region.observatory.noScore')}
            </p>
            <MedianBars
              label={t('region.observatory.objectivesChart')}
              seriesName={t('region.observatory.median')}
              data={scored.map((o) => ({ name: objectiveName(o), median: o.stats.median ?? 0, spread: [(o.stats.median ?? 0) - (o.stats.q1 ?? o.stats.median ?? 0), (o.stats.q3 ?? o.stats.median ?? 0) - (o.stats.median ?? 0)] }))}
            />
            <Table
              caption={t('region.observatory.objectivesCaption')}
              rows={data.objectives}
              rowKey={(o) => o.nodeId}
              columns={[
                { key: 'name', header: t('region.observatory.objective'), rowHeader: true, cell: (o) => objectiveName(o) },
                { key: 'q1', header: t('region.observatory.q1'), cell: (o) => fmt.score(o.stats.q1) },
                { key: 'median', header: t('region.observatory.median'), sortValue: (o) => o.stats.median, cell: (o) => fmt.score(o.stats.median) },
                { key: 'q3', header: t('region.observatory.q3'), cell: (o) => fmt.score(o.stats.q3) },
                { key: 'count', header: t('region.observatory.count'), cell: (o) => String(o.stats.count) },
              ]}
              empty={<p>{t('region.observatory.noScore')}</p>}
            />
          </section>
          <section aria-labelledby="obs-distribution" className="section">
            <h2 id="obs-distribution">{t('region.observatory.distributionTitle')}</h2>
            <p>{mostBand ? t('region.observatory.distributionSummary', { band: band(mostBand), count: mostBand.count }) : t('region.observatory.noScore')}</p>
            <CountBars label={t('region.observatory.distributionChart')} seriesName={t('region.observatory.count')} data={data.distribution.map((d) => ({ name: band(d), count: d.count }))} />
            <Table
              caption={t('region.observatory.distributionCaption')}
              rows={data.distribution}
              rowKey={(d) => String(d.from)}
              columns={[
                { key: 'band', header: t('region.observatory.bandHeader'), rowHeader: true, cell: (d) => band(d) },
                { key: 'count', header: t('region.observatory.count'), cell: (d) => String(d.count) },
              ]}
              empty={<p>{t('region.observatory.noScore')}</p>}
            />
          </section>
          <section aria-labelledby="obs-categories" className="section">
            <h2 id="obs-categories">{t('region.observatory.categoriesTitle')}</h2>
            <Table
              caption={t('region.observatory.categoriesCaption')}
              captionHidden
              rows={data.categories}
              rowKey={(c) => c.category}
              columns={[
                { key: 'category', header: t('region.observatory.category'), rowHeader: true, cell: (c) => t(`categories.${c.category}`) },
                { key: 'count', header: t('region.observatory.count'), sortValue: (c) => c.count, cell: (c) => String(c.count) },
                { key: 'q1', header: t('region.observatory.q1'), cell: (c) => fmt.score(c.overall.q1) },
                { key: 'median', header: t('region.observatory.median'), sortValue: (c) => c.overall.median, cell: (c) => fmt.score(c.overall.median) },
                { key: 'q3', header: t('region.observatory.q3'), cell: (c) => fmt.score(c.overall.q3) },
              ]}
              empty={<p>{t('region.observatory.noScore')}</p>}
            />
          </section>
          <section aria-labelledby="obs-evolution" className="section">
            <h2 id="obs-evolution">{t('region.observatory.evolutionTitle')}</h2>
            {data.evolution.length === 0 ? (
              <p>{t('region.observatory.noEvolution')}</p>
            ) : (
              <>
                <p>{lastTrend && t('region.observatory.evolutionSummary', { count: data.evolution.length, title: lastTrend.title, median: fmt.score(lastTrend.median) })}</p>
                <TrendLine label={t('region.observatory.evolutionChart')} seriesName={t('region.observatory.median')} data={data.evolution.map((e) => ({ name: e.title, median: e.median }))} />
                <Table
                  caption={t('region.observatory.evolutionCaption')}
                  rows={data.evolution}
                  rowKey={(e) => e.campaignId}
                  columns={[
                    { key: 'title', header: t('region.observatory.campaign'), rowHeader: true, cell: (e) => e.title },
                    { key: 'org', header: t('region.observatory.launchedBy'), cell: (e) => e.orgName },
                    { key: 'deadline', header: t('region.campaigns.columns.deadline'), cell: (e) => fmt.date(e.deadline) },
                    { key: 'count', header: t('region.observatory.count'), cell: (e) => String(e.count) },
                    { key: 'median', header: t('region.observatory.median'), cell: (e) => fmt.score(e.median) },
                  ]}
                  empty={null}
                />
              </>
            )}
          </section>
          {orgId && <EstablishmentsTable orgId={orgId} search={search} />}
        </>
      )}
    </>
  );
}

function EstablishmentsTable({ orgId, search }: { orgId: string; search: ObservatorySearch }) {
  const { t } = useTranslation();
  const fmt = useRegionFormat();
  const list = useQuery(observatoryEstablishmentsQuery(orgId, search));
  return (
    <section aria-labelledby="obs-establishments" className="section">
      <h2 id="obs-establishments">{t('region.observatory.establishmentsTitle')}</h2>
      <p>{t('region.observatory.establishmentsLead')}</p>
      {list.isError ? (
        <LoadError error={list.error} onRetry={() => void list.refetch()} />
      ) : list.isPending ? (
        <Spinner />
      ) : (
        <Table<ObservatoryEstablishment>
          caption={t('region.observatory.establishmentsCaption', { count: list.data.total })}
          captionHidden
          rows={list.data.establishments}
          rowKey={(e) => e.assessmentId}
          initialSort={{ key: 'name', direction: 'ascending' }}
          columns={[
            { key: 'name', header: t('region.campaign.columns.establishment'), rowHeader: true, sortValue: (e) => e.name, cell: (e) => e.name },
            { key: 'category', header: t('region.observatory.category'), sortValue: (e) => e.category, cell: (e) => t(`categories.${e.category}`) },
            {
              key: 'status',
              header: t('region.campaign.columns.status'),
              cell: (e) => <StatusBadge tone={e.status === 'validated' ? 'success' : 'info'}>{t(`region.status.${e.status}`)}</StatusBadge>,
            },
            { key: 'score', header: t('region.campaign.columns.score'), sortValue: (e) => e.score, cell: (e) => fmt.score(e.score) },
            ...list.data.objectives.map((o, index) => ({
              key: o.nodeId,
              header: o.refId ?? o.name ?? String(index + 1),
              cell: (e: ObservatoryEstablishment) => fmt.score(e.scores.find((s) => s.nodeId === o.nodeId)?.score ?? null),
            })),
          ]}
          empty={
            <EmptyState title={t('region.observatory.empty')}>
              <p>{t('region.observatory.emptyHelp')}</p>
            </EmptyState>
          }
        />
      )}
    </section>
  );
}

// --- « Se situer »: an establishment beside anonymous medians -------------------------------

function BenchmarkView({ orgId, frameworkId }: { orgId: string; frameworkId?: string }) {
  const { t } = useTranslation();
  const bench = useQuery(benchmarkQuery(orgId, frameworkId));
  const title = t('region.benchmark.title');
  return (
    <>
      <PageHeader title={title} breadcrumb={[]} lead={<p>{t('region.benchmark.lead')}</p>} />
      {bench.isError ? <LoadError error={bench.error} onRetry={() => void bench.refetch()} /> : bench.isPending ? <Spinner /> : <BenchmarkBody data={bench.data} />}
    </>
  );
}

function BenchmarkBody({ data }: { data: Benchmark }) {
  const { t } = useTranslation();
  const fmt = useRegionFormat();
  const median = (m: Benchmark['overall']['category']) => (m.suppressed ? t('region.benchmark.hidden') : fmt.score(m.median));
  const rows = [{ nodeId: 'overall', refId: null, name: t('region.benchmark.overall'), ...data.overall }, ...data.objectives];
  return (
    <>
      <Notice tone="info">
        <p>{t('region.benchmark.minimum', { count: data.minimumGroup })}</p>
      </Notice>
      {!data.assessment ? (
        <EmptyState title={t('region.benchmark.none')}>
          <p>{t('region.benchmark.noneHelp')}</p>
        </EmptyState>
      ) : (
        <section aria-labelledby="bench-title" className="section">
          <h2 id="bench-title">{t('region.benchmark.chartTitle', { framework: data.framework.name })}</h2>
          <p className="region-summary">
            {t('region.benchmark.summary', {
              own: fmt.score(data.overall.own),
              category: t(`categories.${data.org.category}`),
              categoryMedian: median(data.overall.category),
              region: data.regionName,
              regionMedian: median(data.overall.region),
            })}
          </p>
          <BenchBars
            label={t('region.benchmark.chartLabel')}
            names={{ own: data.org.name, category: t('region.benchmark.categoryMedian'), region: t('region.benchmark.regionMedian') }}
            data={rows.map((r) => ({ name: objectiveName(r), own: r.own, category: r.category.median, region: r.region.median }))}
          />
          <Table
            caption={t('region.benchmark.caption')}
            rows={rows}
            rowKey={(r) => r.nodeId}
            columns={[
              { key: 'name', header: t('region.observatory.objective'), rowHeader: true, cell: (r) => objectiveName(r) },
              { key: 'own', header: data.org.name, cell: (r) => fmt.score(r.own) },
              { key: 'category', header: t('region.benchmark.categoryMedian'), cell: (r) => median(r.category) },
              { key: 'region', header: t('region.benchmark.regionMedian'), cell: (r) => median(r.region) },
            ]}
            empty={null}
          />
        </section>
      )}
    </>
  );
}
