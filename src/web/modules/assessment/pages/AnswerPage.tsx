import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { BarChart3, CheckCheck, RotateCcw, Send } from 'lucide-react';
import { type ReactNode, useEffect, useState, useSyncExternalStore } from 'react';
import { useTranslation } from 'react-i18next';
import type { AssessmentDetail, FrameworkDetail, FrameworkNode } from '../../../../contracts/assessment';
import { useMe } from '../../../app/session';
import { Button, buttonClass, ConfirmDialog, LoadError, Notice, PageHeader, Spinner, useToast } from '../../../ui';
import { assessmentQuery, frameworkQuery, transitionAssessment, type Transition } from '../api';
import { SaverRegistry } from '../autosave';
import { AnswerProgress, AssessmentStatusBadge, Disclosure, ScoreBadge } from '../components/bits';
import { MeasureCard } from '../components/MeasureCard';
import { useAssessmentFormat } from '../format';
import { answersById, buildSections, measuresOf, nodeLabel, rightsOver, scoresById, type Section, type TreeItem } from '../model';
import '../assessment.css';

const route = getRouteApi('/app/diagnostic/$id');

/** Answering an assessment: measures by objective, each saved on its own as the person goes. */
export function AnswerPage() {
  const { t } = useTranslation();
  const { id } = route.useParams();
  const detail = useQuery(assessmentQuery(id));
  const framework = useQuery({ ...frameworkQuery(detail.data?.assessment.frameworkId ?? ''), enabled: detail.data !== undefined });
  const title = detail.data?.assessment.title ?? t('assessment.answer.loadingTitle');
  return (
    <>
      <PageHeader title={title} breadcrumb={[{ label: t('assessment.list.title'), to: '/diagnostic' }]} />
      {detail.isError ? (
        <LoadError error={detail.error} onRetry={() => void detail.refetch()} />
      ) : framework.isError ? (
        <LoadError error={framework.error} onRetry={() => void framework.refetch()} />
      ) : detail.data && framework.data ? (
        <Answering key={id} detail={detail.data} framework={framework.data} />
      ) : (
        <Spinner />
      )}
    </>
  );
}

function Answering({ detail, framework }: { detail: AssessmentDetail; framework: FrameworkDetail }) {
  const { t } = useTranslation();
  const me = useMe();
  const queryClient = useQueryClient();
  const { mesure } = route.useSearch();
  const { assessment } = detail;
  const rights = rightsOver(me, assessment.orgId);
  const editable = assessment.status === 'draft' && rights.edit;
  const sections = buildSections(framework.nodes);
  const measures = framework.nodes.filter((node) => node.assessable);

  const [registry] = useState(() => new SaverRegistry(queryClient, assessment.id));
  const unsaved = useSyncExternalStore(registry.subscribe, registry.getUnsavedCount);

  // Measures typed before a reload are sent again; the savers stop with the page.
  useEffect(() => {
    registry.start(detail.answers, new Set(measures.map((node) => node.id)));
    return () => registry.stop();
    // Once per page: later answers come through `adoptAll`.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [registry]);
  useEffect(() => registry.adoptAll(detail.answers), [registry, detail.answers]);

  // Small frameworks open whole; large ones open where there is work left (or on the measure asked for).
  const sectionKey = (section: Section) => section.node?.id ?? 'loose';
  const [open, setOpen] = useState<Set<string>>(() => {
    if (measures.length <= 20) return new Set(sections.map(sectionKey));
    const answered = new Set(detail.answers.filter((answer) => answer.status !== null).map((answer) => answer.nodeId));
    const target = sections.find((section) => measuresOf(section.children).some((node) => (mesure ? node.id === mesure : !answered.has(node.id)))) ?? sections[0];
    return new Set(target ? [sectionKey(target)] : []);
  });
  const toggle = (key: string) =>
    setOpen((current) => {
      const next = new Set(current);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });

  // A link to one measure (from the plan, or the gap list) opens its section and shows it.
  useEffect(() => {
    if (!mesure) return;
    const section = sections.find((s) => measuresOf(s.children).some((node) => node.id === mesure));
    if (!section) return;
    const key = sectionKey(section);
    const timer = window.setTimeout(() => {
      setOpen((current) => (current.has(key) ? current : new Set([...current, key])));
      window.setTimeout(() => {
        const heading = document.getElementById(`measure-${mesure}-title`);
        heading?.scrollIntoView({ block: 'start' });
        heading?.focus();
      }, 50);
    }, 0);
    return () => window.clearTimeout(timer);
    // Once per measure asked for.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [mesure]);

  const scores = scoresById(detail.scores);
  const answers = answersById(detail.answers);
  const evidenceByNode = new Map<string, AssessmentDetail['evidence']>();
  for (const item of detail.evidence) evidenceByNode.set(item.nodeId, [...(evidenceByNode.get(item.nodeId) ?? []), item]);
  const unanswered = measures.filter((node) => !answers.get(node.id)?.status);

  return (
    <>
      <Summary detail={detail} framework={framework} unsaved={unsaved} editable={editable} />
      <Workflow detail={detail} rights={rights} unanswered={unanswered} unsaved={unsaved} onShowMeasure={(nodeId) => {
        const section = sections.find((s) => measuresOf(s.children).some((node) => node.id === nodeId));
        if (section) setOpen((current) => new Set([...current, sectionKey(section)]));
      }} />
      {sections.length > 1 && (
        <nav aria-labelledby="objectives-title" className="section objectives-nav">
          <h2 id="objectives-title">{t('assessment.answer.objectives')}</h2>
          <ol className="objectives-nav__list">
            {sections.map((section) => {
              const key = sectionKey(section);
              const score = section.node ? scores.get(section.node.id) : undefined;
              const sectionMeasures = measuresOf(section.children);
              const answered = sectionMeasures.filter((node) => answers.get(node.id)?.status).length;
              return (
                <li key={key} className="objectives-nav__item">
                  <a
                    href={`#section-${key}-button`}
                    onClick={(event) => {
                      // Opens the objective as well as going to it.
                      event.preventDefault();
                      setOpen((current) => (current.has(key) ? current : new Set([...current, key])));
                      document.getElementById(`section-${key}-button`)?.focus();
                    }}
                  >
                    {section.node ? nodeLabel(section.node) : t('assessment.answer.looseMeasures')}
                  </a>
                  <AnswerProgress answered={score?.answered ?? answered} total={score?.total ?? sectionMeasures.length} />
                </li>
              );
            })}
          </ol>
        </nav>
      )}
      {sections.map((section) => {
        const key = sectionKey(section);
        const sectionMeasures = measuresOf(section.children);
        const answered = sectionMeasures.filter((node) => answers.get(node.id)?.status).length;
        const score = section.node ? scores.get(section.node.id) : undefined;
        return (
          <Disclosure
            key={key}
            id={`section-${key}`}
            level={2}
            title={section.node ? nodeLabel(section.node) : t('assessment.answer.looseMeasures')}
            meta={t('assessment.answer.sectionMeta', { count: answered, total: String(sectionMeasures.length) })}
            open={open.has(key)}
            onToggle={() => toggle(key)}
          >
            {section.node?.description && <p className="muted">{section.node.description}</p>}
            {score && score.score !== null && (
              <p>
                {t('assessment.answer.sectionScore')} <ScoreBadge score={score.score} />
              </p>
            )}
            <Items
              items={section.children}
              level={3}
              render={(node, level) => (
                <MeasureCard
                  key={node.id}
                  node={node}
                  level={level}
                  framework={framework}
                  assessmentId={assessment.id}
                  saver={registry.get(node.id, answers.get(node.id))}
                  evidence={evidenceByNode.get(node.id) ?? []}
                  editable={editable}
                />
              )}
            />
          </Disclosure>
        );
      })}
    </>
  );
}

/** Sub-objectives as headed groups, measures as cards, whatever the depth. */
function Items({ items, level, render }: { items: TreeItem[]; level: 3 | 4 | 5 | 6; render: (node: FrameworkNode, level: 3 | 4 | 5 | 6) => ReactNode }) {
  return (
    <>
      {items.map((item) => {
        if (item.node.assessable) {
          return (
            <div key={item.node.id}>
              {render(item.node, level)}
              {item.children.length > 0 && <Items items={item.children} level={level} render={render} />}
            </div>
          );
        }
        const Heading = `h${level}` as const;
        const next = Math.min(level + 1, 6) as 3 | 4 | 5 | 6;
        return (
          <section key={item.node.id} className="subsection" aria-labelledby={`group-${item.node.id}`}>
            <Heading id={`group-${item.node.id}`} className="subsection__title">
              {nodeLabel(item.node)}
            </Heading>
            {item.node.description && <p className="muted">{item.node.description}</p>}
            <Items items={item.children} level={next} render={render} />
          </section>
        );
      })}
    </>
  );
}

function Summary({ detail, framework, unsaved, editable }: { detail: AssessmentDetail; framework: FrameworkDetail; unsaved: number; editable: boolean }) {
  const { t } = useTranslation();
  const { dateTime, shortDate } = useAssessmentFormat();
  const { assessment } = detail;
  return (
    <section aria-labelledby="summary-title" className="section summary-card">
      <h2 id="summary-title" className="sr-only">
        {t('assessment.answer.summary')}
      </h2>
      <dl className="facts">
        <div>
          <dt>{t('assessment.answer.establishment')}</dt>
          <dd>{assessment.orgName}</dd>
        </div>
        <div>
          <dt>{t('assessment.answer.framework')}</dt>
          <dd>
            <Link to="/diagnostic/referentiels/$id" params={{ id: framework.id }}>
              {framework.name}
            </Link>
          </dd>
        </div>
        <div>
          <dt>{t('assessment.answer.state')}</dt>
          <dd>
            <AssessmentStatusBadge status={assessment.status} />
            {assessment.validatedAt ? (
              <span className="cell-detail">{t('assessment.answer.validatedAt', { date: dateTime(assessment.validatedAt) })}</span>
            ) : assessment.submittedAt ? (
              <span className="cell-detail">{t('assessment.answer.submittedAt', { date: dateTime(assessment.submittedAt) })}</span>
            ) : null}
          </dd>
        </div>
        {assessment.deadline && (
          <div>
            <dt>{t('assessment.answer.deadline')}</dt>
            <dd>{t('assessment.answer.deadlineValue', { date: shortDate(assessment.deadline), campaign: assessment.campaignTitle ?? '' })}</dd>
          </div>
        )}
        <div>
          <dt>{t('assessment.answer.score')}</dt>
          <dd>
            <ScoreBadge score={assessment.score} />
          </dd>
        </div>
      </dl>
      <AnswerProgress answered={assessment.answeredCount} total={assessment.assessableCount} className="progress--large" />
      {editable && (
        <p className="muted" aria-live="polite">
          {unsaved > 0 ? t('assessment.answer.unsaved', { count: unsaved }) : t('assessment.answer.allSaved')}
        </p>
      )}
      {!editable && assessment.status === 'draft' && <p>{t('assessment.answer.readOnlyRole')}</p>}
      {assessment.status !== 'draft' && <p>{t('assessment.answer.readOnlyStatus')}</p>}
      <p>
        <Link to="/diagnostic/$id/resultats" params={{ id: assessment.id }} className={buttonClass('secondary')}>
          <BarChart3 className="icon" aria-hidden="true" />
          {t('assessment.answer.results')}
        </Link>
      </p>
    </section>
  );
}

interface WorkflowProps {
  detail: AssessmentDetail;
  rights: ReturnType<typeof rightsOver>;
  unanswered: FrameworkNode[];
  unsaved: number;
  onShowMeasure: (nodeId: string) => void;
}

/** Submit to the direction, validate, reopen: who may, when. */
function Workflow({ detail, rights, unanswered, unsaved, onShowMeasure }: WorkflowProps) {
  const { t } = useTranslation();
  const toast = useToast();
  const queryClient = useQueryClient();
  const { assessment } = detail;
  const [confirming, setConfirming] = useState<Transition | null>(null);
  const [showMissing, setShowMissing] = useState(false);
  const transition = useMutation({
    mutationFn: (which: Transition) => transitionAssessment(assessment.id, which),
    onSuccess: async (next, which) => {
      setConfirming(null);
      queryClient.setQueryData(assessmentQuery(assessment.id).queryKey, next);
      await queryClient.invalidateQueries({ queryKey: ['assessment', 'list'] });
      toast(t(`assessment.workflow.done.${which}`));
    },
  });

  const canSubmit = assessment.status === 'draft' && rights.submit;
  const canValidate = assessment.status === 'submitted' && rights.validate;
  const canReopen = assessment.status === 'submitted' && (rights.submit || rights.validate);
  if (!canSubmit && !canValidate && !canReopen) return null;

  const askSubmit = () => {
    if (unanswered.length > 0) {
      setShowMissing(true);
      return;
    }
    setShowMissing(false);
    setConfirming('submit');
  };

  return (
    <section aria-labelledby="workflow-title" className="section workflow">
      <h2 id="workflow-title">{t('assessment.workflow.title')}</h2>
      {canSubmit && (
        <>
          <p>{t('assessment.workflow.submitHelp')}</p>
          <Button icon={Send} onClick={askSubmit} disabled={unsaved > 0}>
            {t('assessment.workflow.submit')}
          </Button>
          {unsaved > 0 && <p className="muted">{t('assessment.workflow.waitSaving')}</p>}
          {showMissing && unanswered.length > 0 && (
            <div className="error-summary" role="alert">
              <p className="error-summary__title">{t('assessment.workflow.missing', { count: unanswered.length })}</p>
              <ul className="error-summary__list">
                {unanswered.slice(0, 10).map((node) => (
                  <li key={node.id}>
                    <a
                      href={`#measure-${node.id}-title`}
                      onClick={(event) => {
                        event.preventDefault();
                        onShowMeasure(node.id);
                        window.setTimeout(() => document.getElementById(`measure-${node.id}-title`)?.focus(), 50);
                      }}
                    >
                      {nodeLabel(node)}
                    </a>
                  </li>
                ))}
              </ul>
              {unanswered.length > 10 && <p>{t('assessment.workflow.missingMore', { count: unanswered.length - 10 })}</p>}
            </div>
          )}
        </>
      )}
      {(canValidate || canReopen) && (
        <>
          <p>{canValidate ? t('assessment.workflow.validateHelp') : t('assessment.workflow.reopenHelp')}</p>
          <div className="actions">
            {canValidate && (
              <Button icon={CheckCheck} onClick={() => setConfirming('validate')}>
                {t('assessment.workflow.validate')}
              </Button>
            )}
            {canReopen && (
              <Button variant="secondary" icon={RotateCcw} onClick={() => setConfirming('reopen')}>
                {t('assessment.workflow.reopen')}
              </Button>
            )}
          </div>
        </>
      )}
      {transition.isError && !confirming && (
        <Notice tone="danger" role="alert">
          <p>{transition.error.message}</p>
        </Notice>
      )}
      <ConfirmDialog
        open={confirming !== null}
        title={confirming ? t(`assessment.workflow.confirm.${confirming}.title`) : ''}
        confirmLabel={confirming ? t(`assessment.workflow.confirm.${confirming}.action`) : ''}
        onConfirm={() => confirming && transition.mutate(confirming)}
        onClose={() => {
          setConfirming(null);
          transition.reset();
        }}
        pending={transition.isPending}
        error={transition.isError ? transition.error.message : undefined}
      >
        <p>{confirming ? t(`assessment.workflow.confirm.${confirming}.text`) : ''}</p>
      </ConfirmDialog>
    </section>
  );
}
