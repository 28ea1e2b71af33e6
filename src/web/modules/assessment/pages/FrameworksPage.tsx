import { useQuery } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { Download, Upload } from 'lucide-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { FrameworkDetail, FrameworkSummary } from '../../../../contracts/assessment';
import { useMe } from '../../../app/session';
import { buttonClass, type Column, EmptyState, LoadError, PageHeader, Spinner, StatusBadge, Table } from '../../../ui';
import { frameworkExportHref, frameworkQuery, frameworksQuery } from '../api';
import { Disclosure, PriorityBadge, Prose } from '../components/bits';
import { NotForYou } from '../components/guards';
import { levelsOf } from '../components/MeasureCard';
import { buildSections, mayImport, nodeLabel, seesDiagnostic, type TreeItem } from '../model';
import '../assessment.css';

const detailRoute = getRouteApi('/app/diagnostic/referentiels/$id');
const KIND_ORDER: Record<FrameworkSummary['kind'], number> = { referentiel: 0, express: 1, other: 2 };

function KindBadge({ framework }: { framework: Pick<FrameworkSummary, 'kind' | 'origin'> }) {
  const { t } = useTranslation();
  if (framework.kind === 'referentiel') return <StatusBadge tone="info">{t('assessment.frameworks.kinds.referentiel')}</StatusBadge>;
  if (framework.kind === 'express') return <StatusBadge tone="success">{t('assessment.frameworks.kinds.express')}</StatusBadge>;
  return <StatusBadge tone="neutral">{framework.origin === 'import' ? t('assessment.frameworks.kinds.imported') : t('assessment.frameworks.kinds.other')}</StatusBadge>;
}

/** The frameworks an establishment can assess itself against, and the import of others. */
export function FrameworksPage() {
  const { t } = useTranslation();
  const me = useMe();
  const frameworks = useQuery({ ...frameworksQuery, enabled: seesDiagnostic(me) });
  const columns: Column<FrameworkSummary>[] = [
    {
      key: 'name',
      header: t('assessment.frameworks.columns.name'),
      rowHeader: true,
      sortValue: (row) => row.name,
      cell: (row) => (
        <>
          <Link to="/diagnostic/referentiels/$id" params={{ id: row.id }}>
            {row.name}
          </Link>
          {row.description && <span className="cell-detail">{row.description.length > 180 ? `${row.description.slice(0, 179).trimEnd()}…` : row.description}</span>}
        </>
      ),
    },
    { key: 'kind', header: t('assessment.frameworks.columns.kind'), sortValue: (row) => KIND_ORDER[row.kind], cell: (row) => <KindBadge framework={row} /> },
    { key: 'measures', header: t('assessment.frameworks.columns.measures'), className: 'numeric', sortValue: (row) => row.assessableCount, cell: (row) => row.assessableCount },
    { key: 'version', header: t('assessment.frameworks.columns.version'), className: 'numeric', sortValue: (row) => row.version, cell: (row) => row.version },
    { key: 'provider', header: t('assessment.frameworks.columns.provider'), sortValue: (row) => row.provider, cell: (row) => row.provider ?? t('assessment.frameworks.unknownProvider') },
    {
      key: 'export',
      header: t('assessment.frameworks.columns.export'),
      cell: (row) => (
        <a href={frameworkExportHref(row.id)} download className="nowrap">
          <Download className="icon" aria-hidden="true" /> {t('assessment.frameworks.export')}
          <span className="sr-only"> {row.name}</span>
        </a>
      ),
    },
  ];
  return (
    <>
      <PageHeader
        title={t('assessment.frameworks.title')}
        breadcrumb={[{ label: t('assessment.list.title'), to: '/diagnostic' }]}
        lead={<p>{t('assessment.frameworks.lead')}</p>}
        actions={
          mayImport(me) && (
            <Link to="/diagnostic/referentiels/importer" className={buttonClass('primary')}>
              <Upload className="icon" aria-hidden="true" />
              {t('assessment.import.action')}
            </Link>
          )
        }
      />
      {!seesDiagnostic(me) ? (
        <NotForYou />
      ) : frameworks.isError ? (
        <LoadError error={frameworks.error} onRetry={() => void frameworks.refetch()} />
      ) : frameworks.isPending ? (
        <Spinner />
      ) : (
        <Table
          caption={t('assessment.frameworks.caption', { count: frameworks.data.frameworks.length })}
          columns={columns}
          rows={frameworks.data.frameworks}
          rowKey={(row) => row.id}
          initialSort={{ key: 'kind', direction: 'ascending' }}
          empty={
            <EmptyState
              title={t('assessment.frameworks.empty')}
              action={
                mayImport(me) && (
                  <Link to="/diagnostic/referentiels/importer" className={buttonClass('primary')}>
                    {t('assessment.import.action')}
                  </Link>
                )
              }
            >
              <p>{t('assessment.frameworks.emptyHelp')}</p>
            </EmptyState>
          }
        />
      )}
    </>
  );
}

/** One framework: its scale and its tree, with what each measure means, how to check it, its sources. */
export function FrameworkPage() {
  const { t } = useTranslation();
  const { id } = detailRoute.useParams();
  const framework = useQuery(frameworkQuery(id));
  return (
    <>
      <PageHeader
        title={framework.data?.name ?? t('assessment.frameworks.loading')}
        breadcrumb={[
          { label: t('assessment.list.title'), to: '/diagnostic' },
          { label: t('assessment.frameworks.title'), to: '/diagnostic/referentiels' },
        ]}
        lead={framework.data?.description && <p>{framework.data.description}</p>}
        actions={
          framework.data && (
            <a href={frameworkExportHref(framework.data.id)} download className={buttonClass('secondary')}>
              <Download className="icon" aria-hidden="true" />
              {t('assessment.frameworks.exportLong')}
            </a>
          )
        }
      />
      {framework.isError ? <LoadError error={framework.error} onRetry={() => void framework.refetch()} /> : framework.isPending ? <Spinner /> : <FrameworkTree framework={framework.data} />}
    </>
  );
}

function FrameworkTree({ framework }: { framework: FrameworkDetail }) {
  const { t } = useTranslation();
  const sections = buildSections(framework.nodes);
  const [open, setOpen] = useState<Set<string>>(() => new Set(sections.length <= 2 ? sections.map((s) => s.node?.id ?? 'loose') : []));
  const toggle = (key: string) =>
    setOpen((current) => {
      const next = new Set(current);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });
  return (
    <>
      <section aria-labelledby="framework-facts" className="section summary-card">
        <h2 id="framework-facts">{t('assessment.frameworks.about')}</h2>
        <dl className="facts">
          <div>
            <dt>{t('assessment.frameworks.columns.kind')}</dt>
            <dd>
              <KindBadge framework={framework} />
            </dd>
          </div>
          <div>
            <dt>{t('assessment.frameworks.columns.measures')}</dt>
            <dd>{framework.assessableCount}</dd>
          </div>
          <div>
            <dt>{t('assessment.frameworks.columns.version')}</dt>
            <dd>{framework.version}</dd>
          </div>
          <div>
            <dt>{t('assessment.frameworks.columns.provider')}</dt>
            <dd>{framework.provider ?? t('assessment.frameworks.unknownProvider')}</dd>
          </div>
          <div>
            <dt>{t('assessment.frameworks.reference')}</dt>
            <dd>
              <code className="code">{framework.refId}</code>
            </dd>
          </div>
        </dl>
        {framework.scoresDefinition.length > 0 && (
          <>
            <h3>{t('assessment.frameworks.scale', { min: String(framework.minScore), max: String(framework.maxScore) })}</h3>
            <dl className="scale">
              {framework.scoresDefinition.map((score) => (
                <div key={score.score}>
                  <dt>{t('assessment.measure.levelNamed', { level: String(score.score), name: score.name })}</dt>
                  {score.description && <dd>{score.description}</dd>}
                </div>
              ))}
            </dl>
          </>
        )}
      </section>
      {sections.map((section) => {
        const key = section.node?.id ?? 'loose';
        return (
          <Disclosure
            key={key}
            id={`fw-${key}`}
            level={2}
            title={section.node ? nodeLabel(section.node) : t('assessment.answer.looseMeasures')}
            open={open.has(key)}
            onToggle={() => toggle(key)}
          >
            {section.node?.description && <p>{section.node.description}</p>}
            <Nodes items={section.children} level={3} framework={framework} />
          </Disclosure>
        );
      })}
    </>
  );
}

function Nodes({ items, level, framework }: { items: TreeItem[]; level: 3 | 4 | 5 | 6; framework: FrameworkDetail }) {
  const { t } = useTranslation();
  const next = Math.min(level + 1, 6) as 3 | 4 | 5 | 6;
  return (
    <>
      {items.map(({ node, children }) => {
        const Heading = `h${level}` as const;
        if (!node.assessable) {
          return (
            <section key={node.id} className="subsection" aria-labelledby={`fw-node-${node.id}`}>
              <Heading id={`fw-node-${node.id}`} className="subsection__title">
                {nodeLabel(node)}
              </Heading>
              {node.description && <p>{node.description}</p>}
              <Nodes items={children} level={next} framework={framework} />
            </section>
          );
        }
        const levels = node.maturityLevels?.length ? levelsOf(node, framework) : [];
        return (
          <article key={node.id} className="measure measure--reference" aria-labelledby={`fw-node-${node.id}`}>
            <div className="measure__header">
              <Heading id={`fw-node-${node.id}`} className="measure__title">
                {nodeLabel(node)}
              </Heading>
              <PriorityBadge priority={node.priority} />
            </div>
            <dl className="measure__explain">
              {node.description && (
                <div>
                  <dt>{t('assessment.measure.means')}</dt>
                  <dd>
                    <Prose text={node.description} />
                    {node.annotation && (
                      <div className="measure__annotation">
                        <Prose text={node.annotation} />
                      </div>
                    )}
                  </dd>
                </div>
              )}
              {node.typicalEvidence && (
                <div>
                  <dt>{t('assessment.measure.check')}</dt>
                  <dd>
              <Prose text={node.typicalEvidence} />
            </dd>
                </div>
              )}
              {levels.length > 0 && (
                <div>
                  <dt>{t('assessment.frameworks.levels')}</dt>
                  <dd>
                    <ul className="plain-list plain-list--tight">
                      {levels.map((l) => (
                        <li key={l.level}>
                          <strong>{l.name ? t('assessment.measure.levelNamed', { level: String(l.level), name: l.name }) : t('assessment.measure.level', { level: String(l.level) })}</strong>
                          {l.description && ` : ${l.description}`}
                        </li>
                      ))}
                    </ul>
                  </dd>
                </div>
              )}
              {node.suggestedActions && node.suggestedActions.length > 0 && (
                <div>
                  <dt>{t('assessment.frameworks.actions')}</dt>
                  <dd>
                    <ul className="plain-list plain-list--tight">
                      {node.suggestedActions.map((action) => (
                        <li key={action}>{action}</li>
                      ))}
                    </ul>
                  </dd>
                </div>
              )}
              {node.questions && node.questions.length > 0 && (
                <div>
                  <dt>{t('assessment.frameworks.questions')}</dt>
                  <dd>
                    <ul className="plain-list plain-list--tight">
                      {node.questions.map((question) => (
                        <li key={question.urn}>
                          {question.text}
                          {question.choices.length > 0 && <span className="cell-detail">{question.choices.map((c) => c.value).join(' · ')}</span>}
                        </li>
                      ))}
                    </ul>
                  </dd>
                </div>
              )}
              {node.sources && node.sources.length > 0 && (
                <div>
                  <dt>{t('assessment.frameworks.sources')}</dt>
                  <dd>
                    <ul className="plain-list plain-list--tight">
                      {node.sources.map((source) => (
                        <li key={`${source.title}${source.url ?? ''}`}>{source.url ? <a href={source.url}>{source.title}</a> : source.title}</li>
                      ))}
                    </ul>
                  </dd>
                </div>
              )}
            </dl>
            {children.length > 0 && <Nodes items={children} level={next} framework={framework} />}
          </article>
        );
      })}
    </>
  );
}
