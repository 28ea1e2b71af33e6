import { useQuery } from '@tanstack/react-query';
import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { Download, FileText, GitCompare, ListChecks, Plus } from 'lucide-react';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AssessmentDetail, FrameworkDetail, FrameworkNode, RemediationAction } from '../../../../contracts/assessment';
import { useMe } from '../../../app/session';
import { Button, buttonClass, type Column, EmptyState, LoadError, Notice, PageHeader, Select, Spinner, Table } from '../../../ui';
import { actionsQuery, assessmentQuery, assessmentsQuery, compareQuery, frameworkQuery, reportHrefs } from '../api';
import { ActionStatusBadge, AnswerProgress, AssessmentStatusBadge, PriorityBadge, ScoreBadge } from '../components/bits';
import { CompareBars, ScoreBars, ScoreRadar } from '../components/charts';
import { levelsOf } from '../components/MeasureCard';
import { answersById, nodeLabel, nodeShortLabel, objectivesOf, rightsOver, roundScore, scoresById } from '../model';
import '../assessment.css';

const route = getRouteApi('/app/diagnostic/$id/resultats');

/** Scores, radar with its table, the gaps and where to start, the rule, and a comparison over time. */
export function ResultsPage() {
  const { t } = useTranslation();
  const { id } = route.useParams();
  const detail = useQuery(assessmentQuery(id));
  const framework = useQuery({ ...frameworkQuery(detail.data?.assessment.frameworkId ?? ''), enabled: detail.data !== undefined });
  const title = t('assessment.results.title');
  return (
    <>
      <PageHeader
        title={title}
        breadcrumb={[{ label: t('assessment.list.title'), to: '/diagnostic' }]}
        actions={
          detail.data && (
            <a href={reportHrefs(id).pdf} download className={buttonClass('primary')}>
              <FileText className="icon" aria-hidden="true" />
              {t('assessment.results.report')}
            </a>
          )
        }
        lead={
          detail.data && (
            <p>
              <Link to="/diagnostic/$id" params={{ id }}>
                {detail.data.assessment.title}
              </Link>
              {t('assessment.results.lead', { org: detail.data.assessment.orgName })}
            </p>
          )
        }
      />
      {detail.isError ? (
        <LoadError error={detail.error} onRetry={() => void detail.refetch()} />
      ) : framework.isError ? (
        <LoadError error={framework.error} onRetry={() => void framework.refetch()} />
      ) : detail.data && framework.data ? (
        <Results detail={detail.data} framework={framework.data} />
      ) : (
        <Spinner />
      )}
    </>
  );
}

function Results({ detail, framework }: { detail: AssessmentDetail; framework: FrameworkDetail }) {
  const { t } = useTranslation();
  const me = useMe();
  const { assessment } = detail;
  const rights = rightsOver(me, assessment.orgId);
  const actions = useQuery(actionsQuery(assessment.orgId));
  const score = roundScore(assessment.score);
  return (
    <>
      <section aria-labelledby="overall-title" className="section summary-card">
        <h2 id="overall-title">{t('assessment.results.overall')}</h2>
        <p className="big-score">
          {score === null ? t('assessment.results.noScore') : t('assessment.results.scoreOutOf', { score: String(score) })}
          {score !== null && <ScoreBadge score={assessment.score} levelOnly />}
        </p>
        <AnswerProgress answered={assessment.answeredCount} total={assessment.assessableCount} />
        <p className="inline-items">
          <AssessmentStatusBadge status={assessment.status} />
          <Link to="/diagnostic/$id" params={{ id: assessment.id }}>
            {assessment.status === 'draft' && rights.edit ? t('assessment.results.continue') : t('assessment.results.seeAnswers')}
          </Link>
        </p>
      </section>
      <ObjectiveScores detail={detail} framework={framework} />
      <StartHere detail={detail} framework={framework} />
      <Gaps detail={detail} framework={framework} actions={actions.data?.actions ?? []} mayPlan={rights.plan} />
      {actions.isError && <LoadError error={actions.error} onRetry={() => void actions.refetch()} />}
      <Formula />
      <Compare detail={detail} framework={framework} />
      <Exports id={assessment.id} />
    </>
  );
}

interface ObjectiveRow {
  node: FrameworkNode;
  depth: number;
  score: number | null;
  answered: number;
  total: number;
}

function ObjectiveScores({ detail, framework }: { detail: AssessmentDetail; framework: FrameworkDetail }) {
  const { t } = useTranslation();
  const scores = scoresById(detail.scores);
  const objectives = objectivesOf(framework);
  const groups = framework.nodes.filter((node) => !node.assessable);
  const depthOf = (node: FrameworkNode) => {
    let depth = 0;
    for (let parent = node.parentUrn; parent; depth++) parent = framework.nodes.find((n) => n.urn === parent)?.parentUrn ?? null;
    return depth;
  };
  const rows: ObjectiveRow[] = groups.map((node) => {
    const s = scores.get(node.id);
    return { node, depth: depthOf(node), score: roundScore(s?.score), answered: s?.answered ?? 0, total: s?.total ?? 0 };
  });
  const objectiveRows = rows.filter((row) => row.depth === 0);
  const scored = objectiveRows.filter((row) => row.score !== null);
  const weakest = scored.reduce<ObjectiveRow | null>((low, row) => (low === null || row.score! < low.score! ? row : low), null);
  const strongest = scored.reduce<ObjectiveRow | null>((high, row) => (high === null || row.score! > high.score! ? row : high), null);
  const overall = roundScore(detail.assessment.score);

  const summary =
    overall === null || weakest === null || strongest === null
      ? t('assessment.results.summaryEmpty')
      : weakest === strongest
        ? t('assessment.results.summaryOne', { score: String(overall), name: nodeShortLabel(weakest.node), value: String(weakest.score) })
        : t('assessment.results.summary', {
            score: String(overall),
            weakest: nodeShortLabel(weakest.node),
            weakestScore: String(weakest.score),
            strongest: nodeShortLabel(strongest.node),
            strongestScore: String(strongest.score),
          });

  const chartData = objectiveRows.map((row) => ({ name: nodeShortLabel(row.node), score: row.score ?? 0 }));
  const columns: Column<ObjectiveRow>[] = [
    {
      key: 'name',
      header: t('assessment.results.columns.objective'),
      rowHeader: true,
      cell: (row) => <span className={row.depth > 0 ? `tree-indent tree-indent--${Math.min(row.depth, 4)}` : undefined}>{nodeLabel(row.node)}</span>,
    },
    { key: 'score', header: t('assessment.results.columns.score'), className: 'numeric', cell: (row) => (row.score === null ? t('assessment.results.noAnswer') : t('assessment.results.outOf100', { score: String(row.score) })) },
    { key: 'answered', header: t('assessment.results.columns.answered'), className: 'numeric', cell: (row) => t('assessment.results.answeredOf', { count: row.answered, total: String(row.total) }) },
  ];

  return (
    <section aria-labelledby="objectives-title" className="section">
      <h2 id="objectives-title">{t('assessment.results.byObjective')}</h2>
      <p className="chart-summary">{summary}</p>
      {objectives.length >= 3 ? (
        <figure className="chart">
          <ScoreRadar data={chartData} label={t('assessment.results.radarLabel', { summary })} seriesName={t('assessment.results.seriesScore')} />
          <figcaption className="chart__caption">{t('assessment.results.radarCaption')}</figcaption>
        </figure>
      ) : objectives.length > 0 ? (
        <figure className="chart">
          <ScoreBars data={chartData} label={t('assessment.results.barsLabel', { summary })} seriesName={t('assessment.results.seriesScore')} />
          <figcaption className="chart__caption">{t('assessment.results.barsCaption')}</figcaption>
        </figure>
      ) : null}
      <Table
        caption={t('assessment.results.tableCaption')}
        columns={columns}
        rows={rows}
        rowKey={(row) => row.node.id}
        empty={
          <EmptyState title={t('assessment.results.noObjectives')}>
            <p>{t('assessment.results.noObjectivesHelp')}</p>
          </EmptyState>
        }
      />
    </section>
  );
}

/** The five gaps to close first, with the action usually taken for each. */
function StartHere({ detail, framework }: { detail: AssessmentDetail; framework: FrameworkDetail }) {
  const { t } = useTranslation();
  const nodes = new Map(framework.nodes.map((node) => [node.id, node]));
  const first = detail.gaps.slice(0, 5).flatMap((gap) => {
    const node = nodes.get(gap.nodeId);
    return node ? [{ gap, node }] : [];
  });
  if (first.length === 0) return null;
  return (
    <section aria-labelledby="start-here-title" className="section">
      <h2 id="start-here-title">{t('assessment.results.startHere', { count: first.length })}</h2>
      <p>{t('assessment.results.startHereHelp')}</p>
      <ol className="start-here">
        {first.map(({ node }) => (
          <li key={node.id}>
            <strong>{nodeLabel(node)}</strong>
            {node.suggestedActions?.[0] && <span className="cell-detail">{t('assessment.results.usualAction', { action: node.suggestedActions[0] })}</span>}
          </li>
        ))}
      </ol>
    </section>
  );
}

interface GapRow {
  node: FrameworkNode;
  score: number;
  priority: FrameworkNode['priority'];
  planned: RemediationAction[];
}

function Gaps({ detail, framework, actions, mayPlan }: { detail: AssessmentDetail; framework: FrameworkDetail; actions: RemediationAction[]; mayPlan: boolean }) {
  const { t } = useTranslation();
  const nodes = new Map(framework.nodes.map((node) => [node.id, node]));
  const answers = answersById(detail.answers);
  const rows: GapRow[] = detail.gaps.flatMap((gap) => {
    const node = nodes.get(gap.nodeId);
    if (!node) return [];
    const planned = actions.filter((action) => action.status !== 'cancelled' && action.measures.some((measure) => measure.nodeId === gap.nodeId));
    return [{ node, score: Math.round(gap.score), priority: gap.priority, planned }];
  });
  const columns: Column<GapRow>[] = [
    {
      key: 'measure',
      header: t('assessment.results.columns.measure'),
      rowHeader: true,
      cell: (row) => (
        <Link to="/diagnostic/$id" params={{ id: detail.assessment.id }} search={{ mesure: row.node.id }}>
          {nodeLabel(row.node)}
        </Link>
      ),
    },
    { key: 'priority', header: t('assessment.results.columns.priority'), cell: (row) => <PriorityBadge priority={row.priority} /> },
    {
      key: 'answer',
      header: t('assessment.results.columns.answer'),
      cell: (row) => {
        const answer = answers.get(row.node.id);
        const level = answer?.maturity !== null && answer?.maturity !== undefined ? levelsOf(row.node, framework).find((l) => l.level === answer.maturity) : undefined;
        return (
          <>
            {answer?.status ? t(`assessment.answerStatus.${answer.status}`) : t('assessment.answerStatus.none')}
            {level && <span className="cell-detail">{level.name ? t('assessment.measure.levelNamed', { level: String(level.level), name: level.name }) : t('assessment.measure.level', { level: String(level.level) })}</span>}
          </>
        );
      },
    },
    { key: 'score', header: t('assessment.results.columns.score'), className: 'numeric', cell: (row) => t('assessment.results.outOf100', { score: String(row.score) }) },
    {
      key: 'action',
      header: t('assessment.results.columns.action'),
      cell: (row) =>
        row.planned.length > 0 ? (
          <ul className="plain-list plain-list--tight">
            {row.planned.map((action) => (
              <li key={action.id}>
                {action.title} <ActionStatusBadge status={action.status} />
              </li>
            ))}
          </ul>
        ) : mayPlan ? (
          <Link to="/diagnostic/plan/nouvelle-action" search={{ diagnostic: detail.assessment.id, mesure: row.node.id }} className={buttonClass('secondary')}>
            <Plus className="icon" aria-hidden="true" />
            {t('assessment.results.createAction')}
            <span className="sr-only"> {t('assessment.results.forMeasure', { name: nodeLabel(row.node) })}</span>
          </Link>
        ) : (
          <span className="muted">{t('assessment.results.noAction')}</span>
        ),
    },
  ];
  return (
    <section aria-labelledby="gaps-title" className="section">
      <h2 id="gaps-title">{t('assessment.results.gaps')}</h2>
      <p>{t('assessment.results.gapsHelp')}</p>
      <Table
        caption={t('assessment.results.gapsCaption', { count: rows.length })}
        columns={columns}
        rows={rows}
        rowKey={(row) => row.node.id}
        empty={
          <EmptyState title={t('assessment.results.noGaps')}>
            <p>{detail.assessment.answeredCount === 0 ? t('assessment.results.noGapsYet') : t('assessment.results.noGapsHelp')}</p>
          </EmptyState>
        }
      />
      {mayPlan && rows.length > 0 && (
        <p>
          <Link to="/diagnostic/plan/suggestions" search={{ diagnostic: detail.assessment.id }} className={buttonClass('secondary')}>
            <ListChecks className="icon" aria-hidden="true" />
            {t('assessment.results.suggestions')}
          </Link>
        </p>
      )}
    </section>
  );
}

/** The answers as files, for a spreadsheet or an archive. */
function Exports({ id }: { id: string }) {
  const { t } = useTranslation();
  const hrefs = reportHrefs(id);
  return (
    <section aria-labelledby="exports-title" className="section">
      <h2 id="exports-title">{t('assessment.results.exports')}</h2>
      <p>{t('assessment.results.exportsHelp')}</p>
      <ul className="link-list">
        <li>
          <a href={hrefs.pdf} download>
            <Download className="icon" aria-hidden="true" /> {t('assessment.results.exportPdf')}
          </a>
        </li>
        <li>
          <a href={hrefs.xlsx} download>
            <Download className="icon" aria-hidden="true" /> {t('assessment.results.exportXlsx')}
          </a>
        </li>
        <li>
          <a href={hrefs.csv} download>
            <Download className="icon" aria-hidden="true" /> {t('assessment.results.exportCsv')}
          </a>
        </li>
      </ul>
    </section>
  );
}

/** The scoring rule, as in scoring.ts. */
function Formula() {
  const { t } = useTranslation();
  return (
    <section aria-labelledby="formula-title" className="section">
      <h2 id="formula-title">{t('assessment.formula.title')}</h2>
      <ul className="plain-list">
        <li>{t('assessment.formula.measure')}</li>
        <li>{t('assessment.formula.ignored')}</li>
        <li>{t('assessment.formula.groups')}</li>
      </ul>
      <p className="muted">{t('assessment.formula.example')}</p>
    </section>
  );
}

function Compare({ detail, framework }: { detail: AssessmentDetail; framework: FrameworkDetail }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { avec } = route.useSearch();
  const { assessment } = detail;
  const list = useQuery(assessmentsQuery(assessment.orgId));
  const others = (list.data?.assessments ?? []).filter((other) => other.id !== assessment.id && other.orgId === assessment.orgId && other.frameworkId === assessment.frameworkId);
  const [choice, setChoice] = useState(avec ?? '');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void navigate({ to: '/diagnostic/$id/resultats', params: { id: assessment.id }, search: choice ? { avec: choice } : {} });
  };
  return (
    <section aria-labelledby="compare-title" className="section">
      <h2 id="compare-title">{t('assessment.compare.title')}</h2>
      {list.isError ? (
        <LoadError error={list.error} onRetry={() => void list.refetch()} />
      ) : list.isPending ? (
        <Spinner />
      ) : others.length === 0 ? (
        <p>{t('assessment.compare.none')}</p>
      ) : (
        <form className="search-form" noValidate onSubmit={submit}>
          <Select id="compare-with" label={t('assessment.compare.with')} hint={t('assessment.compare.withHint')} value={choice} onChange={(event) => setChoice(event.target.value)}>
            <option value="">{t('assessment.compare.choose')}</option>
            {others.map((other) => (
              <option key={other.id} value={other.id}>
                {other.title}
              </option>
            ))}
          </Select>
          <Button type="submit" variant="secondary" icon={GitCompare}>
            {t('assessment.compare.submit')}
          </Button>
        </form>
      )}
      {avec && <Comparison id={assessment.id} withId={avec} framework={framework} />}
    </section>
  );
}

interface CompareRow {
  key: string;
  name: string;
  left: number | null;
  right: number | null;
}

function Comparison({ id, withId, framework }: { id: string; withId: string; framework: FrameworkDetail }) {
  const { t } = useTranslation();
  const compare = useQuery(compareQuery(id, withId));
  if (compare.isError) {
    return (
      <Notice tone="danger" role="alert">
        <p>{compare.error.message}</p>
      </Notice>
    );
  }
  if (compare.isPending) return <Spinner />;
  const { left, right } = compare.data;
  const byNode = new Map(compare.data.rows.map((row) => [row.nodeId, row]));
  const objectives = objectivesOf(framework);
  const rows: CompareRow[] = [
    { key: 'overall', name: t('assessment.compare.overall'), left: roundScore(left.score), right: roundScore(right.score) },
    ...objectives.map((node) => ({ key: node.id, name: nodeLabel(node), left: roundScore(byNode.get(node.id)?.left), right: roundScore(byNode.get(node.id)?.right) })),
  ];
  const format = (value: number | null) => (value === null ? t('assessment.results.noAnswer') : String(value));
  const difference = (row: CompareRow) => (row.left === null || row.right === null ? null : row.left - row.right);
  const signed = (value: number | null) => (value === null ? '—' : value > 0 ? `+${value}` : String(value));
  const overall = rows[0];
  const diff = difference(overall);
  const summary =
    diff === null
      ? t('assessment.compare.summaryMissing')
      : t('assessment.compare.summary', { left: left.title, leftScore: String(overall.left), right: right.title, rightScore: String(overall.right), difference: signed(diff) });
  const columns: Column<CompareRow>[] = [
    { key: 'name', header: t('assessment.results.columns.objective'), rowHeader: true, cell: (row) => row.name },
    { key: 'left', header: t('assessment.compare.thisOne', { title: left.title }), className: 'numeric', cell: (row) => format(row.left) },
    { key: 'right', header: t('assessment.compare.otherOne', { title: right.title }), className: 'numeric', cell: (row) => format(row.right) },
    { key: 'difference', header: t('assessment.compare.difference'), className: 'numeric', cell: (row) => signed(difference(row)) },
  ];
  return (
    <div className="comparison">
      <p className="chart-summary" role="status">
        {summary}
      </p>
      {objectives.length > 0 && (
        <figure className="chart">
          <CompareBars
            data={rows.slice(1).map((row) => ({ name: nodeShortLabel(objectives.find((o) => o.id === row.key)!), left: row.left ?? 0, right: row.right ?? 0 }))}
            label={t('assessment.compare.chartLabel', { summary })}
            leftName={left.title}
            rightName={right.title}
          />
          <figcaption className="chart__caption">{t('assessment.compare.chartCaption')}</figcaption>
        </figure>
      )}
      <Table caption={t('assessment.compare.tableCaption', { left: left.title, right: right.title })} columns={columns} rows={rows} rowKey={(row) => row.key} empty={null} />
    </div>
  );
}
