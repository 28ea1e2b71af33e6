import { useQuery } from '@tanstack/react-query';
import { getRouteApi, useNavigate } from '@tanstack/react-router';
import { Download } from 'lucide-react';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { INCIDENT_TYPES, type IncidentStats } from '../../../../contracts/incidents';
import { activeMembership, useMe } from '../../../app/session';
import { Button, buttonClass, EmptyState, ErrorSummary, LoadError, Notice, PageHeader, Spinner, Table, TextInput } from '../../../ui';
import { useRegionFormat } from '../../region/format';
import { MonthlyBars, TypeBars } from '../components/StatsCharts';
import { readsStats, statsCsvHref, statsQuery, type StatsSearch } from '../region-api';
import '../region.css';

const route = getRouteApi('/app/incidents/statistiques');

/** Like the national observatory's yearly report, for the active establishment, GHT or region. */
export function StatsPage() {
  const { t } = useTranslation();
  const me = useMe();
  const membership = activeMembership(me);
  const search = route.useSearch();
  const title = t('incidents.region.stats.title');
  if (!membership || !readsStats(me)) {
    return (
      <>
        <PageHeader title={title} breadcrumb={[]} />
        <Notice tone="info" title={t('incidents.region.stats.nobodyTitle')}>
          <p>{t('incidents.region.stats.nobody')}</p>
        </Notice>
      </>
    );
  }
  return <Stats orgId={membership.orgId} orgName={membership.orgName} search={search} title={title} />;
}

function Stats({ orgId, orgName, search, title }: { orgId: string; orgName: string; search: StatsSearch; title: string }) {
  const { t } = useTranslation();
  const stats = useQuery(statsQuery(orgId, search.du, search.au));
  const from = stats.data?.from ?? search.du;
  const to = stats.data?.to ?? search.au;
  return (
    <>
      <PageHeader
        title={title}
        breadcrumb={[]}
        lead={<p>{t('incidents.region.stats.lead', { org: orgName })}</p>}
        actions={
          from &&
          to && (
            <a className={buttonClass('secondary')} href={statsCsvHref(orgId, from, to)} download>
              <Download className="icon" aria-hidden="true" />
              {t('incidents.region.stats.csv')}
            </a>
          )
        }
      />
      {/* The key resets the fields to the period the server answered for. */}
      <PeriodForm key={`${from ?? ''}|${to ?? ''}`} from={from ?? ''} to={to ?? ''} />
      {stats.isError ? <LoadError error={stats.error} onRetry={() => void stats.refetch()} /> : stats.isPending ? <Spinner /> : <StatsBody stats={stats.data} />}
    </>
  );
}

function PeriodForm({ from, to }: { from: string; to: string }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [values, setValues] = useState({ from, to });
  const [error, setError] = useState<string | null>(null);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (values.from && values.to && values.from > values.to) {
      setError(t('incidents.region.stats.periodOrder'));
      return;
    }
    setError(null);
    void navigate({ to: '/incidents/statistiques', search: { ...(values.from ? { du: values.from } : {}), ...(values.to ? { au: values.to } : {}) } });
  };
  return (
    <>
      <ErrorSummary errors={{ fields: error ? { to: error } : {} }} fieldIds={{ to: 'stats-to' }} />
      <form className="inc-region-filters" onSubmit={submit} noValidate aria-label={t('incidents.region.stats.period')}>
        <TextInput id="stats-from" type="date" label={t('incidents.region.stats.from')} value={values.from} onChange={(e) => setValues((v) => ({ ...v, from: e.target.value }))} />
        <TextInput id="stats-to" type="date" label={t('incidents.region.stats.to')} value={values.to} error={error ?? undefined} onChange={(e) => setValues((v) => ({ ...v, to: e.target.value }))} />
        <Button type="submit" variant="secondary">
          {t('incidents.region.stats.apply')}
        </Button>
      </form>
    </>
  );
}

function StatsBody({ stats }: { stats: IncidentStats }) {
  const { t, i18n } = useTranslation();
  const fmt = useRegionFormat();
  const locale = i18n.language === 'en' ? 'en-GB' : 'fr-FR';
  const percent = (n: number) => (stats.total === 0 ? '—' : new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 }).format(n / stats.total));
  const hours = (h: number | null) => (h === null ? '—' : t('incidents.region.stats.hours', { count: Math.round(h * 10) / 10, value: new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(h) }));
  const monthName = (month: string) => new Intl.DateTimeFormat(locale, { month: 'short', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${month.slice(0, 7)}-15T12:00:00Z`));
  const typeName = (type: (typeof INCIDENT_TYPES)[number]) => t(`incidents.common.type.${type}`);
  const byType = [...stats.byType].filter((r) => r.count > 0).sort((a, b) => b.count - a.count);
  const busiest = [...stats.byMonth].sort((a, b) => b.total - a.total)[0];
  const period = t('incidents.region.stats.periodText', { from: fmt.date(stats.from), to: fmt.date(stats.to) });

  const figures = [
    { key: 'total', label: t('incidents.region.stats.figures.total'), value: String(stats.total), detail: period },
    { key: 'malicious', label: t('incidents.region.stats.figures.malicious'), value: percent(stats.malicious), detail: t('incidents.region.stats.figures.ofTotal', { count: stats.malicious, total: String(stats.total) }) },
    { key: 'care', label: t('incidents.region.stats.figures.care'), value: percent(stats.careImpact), detail: t('incidents.region.stats.figures.ofTotal', { count: stats.careImpact, total: String(stats.total) }) },
    { key: 'degraded', label: t('incidents.region.stats.figures.degraded'), value: percent(stats.degradedMode), detail: t('incidents.region.stats.figures.ofTotal', { count: stats.degradedMode, total: String(stats.total) }) },
    { key: 'personal', label: t('incidents.region.stats.figures.personalData'), value: percent(stats.personalData), detail: t('incidents.region.stats.figures.ofTotal', { count: stats.personalData, total: String(stats.total) }) },
    { key: 'median', label: t('incidents.region.stats.figures.median'), value: hours(stats.medianHoursToDeclare), detail: t('incidents.region.stats.figures.medianHint') },
  ];

  return (
    <>
      <section aria-labelledby="stats-figures" className="section">
        <h2 id="stats-figures">{t('incidents.region.stats.figuresTitle')}</h2>
        <p className="inc-region-summary">{period}</p>
        <dl className="inc-region-figures">
          {figures.map((f) => (
            <div key={f.key} className="inc-region-figure">
              <dt>{f.label}</dt>
              <dd>
                <span className="inc-region-figure__value">{f.value}</span>
                <span className="inc-region-figure__detail">{f.detail}</span>
              </dd>
            </div>
          ))}
        </dl>
      </section>
      {stats.total === 0 ? (
        <EmptyState title={t('incidents.region.stats.empty')}>
          <p>{t('incidents.region.stats.emptyHelp')}</p>
        </EmptyState>
      ) : (
        <>
          <section aria-labelledby="stats-months" className="section">
            <h2 id="stats-months">{t('incidents.region.stats.monthsTitle')}</h2>
            <p>
              {t('incidents.region.stats.monthsSummary', {
                count: stats.total,
                malicious: String(stats.malicious),
                busiest: busiest ? monthName(busiest.month) : '—',
                busiestCount: String(busiest?.total ?? 0),
              })}
            </p>
            <MonthlyBars
              label={t('incidents.region.stats.monthsChart')}
              names={{ malicious: t('incidents.region.stats.malicious'), other: t('incidents.region.stats.other') }}
              data={stats.byMonth.map((m) => ({ name: monthName(m.month), malicious: m.malicious, other: m.total - m.malicious }))}
            />
            <Table
              caption={t('incidents.region.stats.monthsCaption')}
              rows={stats.byMonth}
              rowKey={(m) => m.month}
              columns={[
                { key: 'month', header: t('incidents.region.stats.columns.month'), rowHeader: true, cell: (m) => monthName(m.month) },
                { key: 'total', header: t('incidents.region.stats.columns.total'), cell: (m) => String(m.total) },
                { key: 'malicious', header: t('incidents.region.stats.columns.malicious'), cell: (m) => String(m.malicious) },
              ]}
              empty={null}
            />
          </section>
          <section aria-labelledby="stats-types" className="section">
            <h2 id="stats-types">{t('incidents.region.stats.typesTitle')}</h2>
            <p>
              {byType[0]
                ? t('incidents.region.stats.typesSummary', { type: typeName(byType[0].type), count: byType[0].count })
                : t('incidents.region.stats.noType')}
            </p>
            {byType.length > 0 && (
              <TypeBars label={t('incidents.region.stats.typesChart')} seriesName={t('incidents.region.stats.columns.count')} data={byType.map((r) => ({ name: typeName(r.type), count: r.count }))} />
            )}
            <Table
              caption={t('incidents.region.stats.typesCaption')}
              rows={byType}
              rowKey={(r) => r.type}
              columns={[
                { key: 'type', header: t('incidents.region.stats.columns.type'), rowHeader: true, cell: (r) => typeName(r.type) },
                { key: 'count', header: t('incidents.region.stats.columns.count'), cell: (r) => String(r.count) },
                { key: 'share', header: t('incidents.region.stats.columns.share'), cell: (r) => percent(r.count) },
              ]}
              empty={null}
            />
          </section>
          <section aria-labelledby="stats-origins" className="section">
            <h2 id="stats-origins">{t('incidents.region.stats.originsTitle')}</h2>
            <Table
              caption={t('incidents.region.stats.originsCaption')}
              captionHidden
              rows={stats.byOrigin.filter((r) => r.count > 0)}
              rowKey={(r) => r.origin}
              columns={[
                { key: 'origin', header: t('incidents.region.stats.columns.origin'), rowHeader: true, cell: (r) => t(`incidents.common.origin.${r.origin}`) },
                { key: 'count', header: t('incidents.region.stats.columns.count'), cell: (r) => String(r.count) },
                { key: 'share', header: t('incidents.region.stats.columns.share'), cell: (r) => percent(r.count) },
              ]}
              empty={<p>{t('incidents.region.stats.noType')}</p>}
            />
          </section>
        </>
      )}
    </>
  );
}
