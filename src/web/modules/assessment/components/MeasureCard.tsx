import { RefreshCw } from 'lucide-react';
import { useSyncExternalStore } from 'react';
import { useTranslation } from 'react-i18next';
import type { Evidence, FrameworkDetail, FrameworkNode } from '../../../../contracts/assessment';
import { Button } from '../../../ui';
import { type AnswerStatus, type MeasureSaver, type MeasureValues, TEXT_DELAY_MS, valuesOf } from '../autosave';
import { useAssessmentFormat } from '../format';
import { nodeLabel } from '../model';
import { PriorityBadge, Prose } from './bits';
import { EvidenceBlock } from './EvidenceBlock';

export const ANSWER_STATUSES: AnswerStatus[] = ['oui', 'partiel', 'non', 'na'];

type Level = 3 | 4 | 5 | 6;

interface MeasureCardProps {
  node: FrameworkNode;
  level: Level;
  framework: FrameworkDetail;
  assessmentId: string;
  saver: MeasureSaver;
  evidence: Evidence[];
  editable: boolean;
}

/** The maturity scale of a measure: its own description of each level, or the framework's. */
export function levelsOf(node: FrameworkNode, framework: FrameworkDetail) {
  const names = new Map(framework.scoresDefinition.map((score) => [score.score, score]));
  const own = node.maturityLevels?.length ? node.maturityLevels : null;
  const levels = own ?? framework.scoresDefinition.map((score) => ({ level: score.score, description: score.description ?? '' }));
  return levels.map((level) => ({ level: level.level, name: names.get(level.level)?.name ?? null, description: level.description }));
}

/** One measure: what it means, how to check it, the answer (saved as typed), the evidence. */
export function MeasureCard({ node, level, framework, assessmentId, saver, evidence, editable }: MeasureCardProps) {
  const { t } = useTranslation();
  const { dateTime } = useAssessmentFormat();
  const snapshot = useSyncExternalStore(saver.subscribe, saver.getSnapshot);
  const id = `measure-${node.id}`;
  const Heading = `h${level}` as const;
  const { values, state } = snapshot;

  return (
    <article className={['measure', state.kind === 'conflict' ? 'measure--conflict' : ''].filter(Boolean).join(' ')} aria-labelledby={`${id}-title`}>
      <div className="measure__header">
        <Heading id={`${id}-title`} className="measure__title" tabIndex={-1}>
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
      </dl>
      {editable ? (
        <AnswerForm id={id} node={node} framework={framework} values={values} onChange={(patch, delay) => saver.change(patch, delay)} />
      ) : (
        <AnswerView node={node} framework={framework} values={values} />
      )}
      {state.kind === 'conflict' && (
        <div className="conflict" role="alert">
          <p className="conflict__title">{t('assessment.conflict.title', { name: state.theirs.updatedByName ?? t('assessment.conflict.someone') })}</p>
          <p>{t('assessment.conflict.help')}</p>
          <div className="conflict__columns">
            <section aria-labelledby={`${id}-mine`} className="conflict__side">
              <p id={`${id}-mine`} className="conflict__side-title">
                {t('assessment.conflict.mine')}
              </p>
              <AnswerView node={node} framework={framework} values={values} />
            </section>
            <section aria-labelledby={`${id}-theirs`} className="conflict__side">
              <p id={`${id}-theirs`} className="conflict__side-title">
                {t('assessment.conflict.theirs', { name: state.theirs.updatedByName ?? t('assessment.conflict.someone'), date: dateTime(state.theirs.updatedAt) })}
              </p>
              <AnswerView node={node} framework={framework} values={valuesOf(state.theirs)} />
            </section>
          </div>
          <div className="actions">
            <Button onClick={() => saver.keepMine()}>{t('assessment.conflict.keepMine')}</Button>
            <Button variant="secondary" onClick={() => saver.takeTheirs()}>
              {t('assessment.conflict.takeTheirs', { name: state.theirs.updatedByName ?? t('assessment.conflict.someone') })}
            </Button>
          </div>
        </div>
      )}
      <EvidenceBlock assessmentId={assessmentId} node={node} evidence={evidence} editable={editable} />
      <div className="measure__footer">
        <p className="muted">
          {snapshot.updatedByName && snapshot.updatedAt
            ? t('assessment.measure.lastChange', { name: snapshot.updatedByName, date: dateTime(snapshot.updatedAt) })
            : snapshot.updatedAt && snapshot.version > 0
              ? t('assessment.measure.lastChangeAt', { date: dateTime(snapshot.updatedAt) })
              : t('assessment.measure.noAnswerYet')}
        </p>
        {editable && <SaveStatus saver={saver} />}
      </div>
    </article>
  );
}

function SaveStatus({ saver }: { saver: MeasureSaver }) {
  const { t } = useTranslation();
  const { time } = useAssessmentFormat();
  const { state } = useSyncExternalStore(saver.subscribe, saver.getSnapshot);
  const text =
    state.kind === 'waiting' || state.kind === 'saving'
      ? t('assessment.save.saving')
      : state.kind === 'saved'
        ? t('assessment.save.saved', { time: time(state.at) })
        : state.kind === 'offline'
          ? t('assessment.save.offline')
          : state.kind === 'error'
            ? t('assessment.save.error', { message: state.message })
            : state.kind === 'conflict'
              ? t('assessment.save.conflict')
              : state.kind === 'locked'
                ? t('assessment.save.locked')
                : '';
  const problem = state.kind === 'offline' || state.kind === 'error' || state.kind === 'conflict' || state.kind === 'locked';
  return (
    <div className="save-status">
      <p role="status" className={problem ? 'save-status__text save-status__text--problem' : 'save-status__text'}>
        {text}
      </p>
      {(state.kind === 'offline' || state.kind === 'error') && (
        <Button variant="secondary" icon={RefreshCw} onClick={() => saver.retry()}>
          {t('assessment.save.retry')}
        </Button>
      )}
    </div>
  );
}

interface AnswerFormProps {
  id: string;
  node: FrameworkNode;
  framework: FrameworkDetail;
  values: MeasureValues;
  onChange: (patch: Partial<MeasureValues>, delay: number) => void;
}

function AnswerForm({ id, node, framework, values, onChange }: AnswerFormProps) {
  const { t } = useTranslation();
  const levels = levelsOf(node, framework);
  return (
    <form className="measure__form" noValidate onSubmit={(event) => event.preventDefault()}>
      <fieldset className="fieldset">
        <legend className="fieldset__legend">{t('assessment.measure.statusLegend')}</legend>
        <div className="choice-row">
          {ANSWER_STATUSES.map((status) => (
            <div key={status} className="choice choice--pill">
              <input
                type="radio"
                className="choice__input"
                id={`${id}-status-${status}`}
                name={`${id}-status`}
                value={status}
                checked={values.status === status}
                onChange={() => onChange({ status, ...(status === 'na' ? { maturity: null } : {}) }, 0)}
              />
              <label htmlFor={`${id}-status-${status}`} className="choice__label">
                {t(`assessment.answerStatus.${status}`)}
              </label>
            </div>
          ))}
        </div>
      </fieldset>
      {values.status !== 'na' && levels.length > 0 && (
        <fieldset className="fieldset" aria-describedby={`${id}-maturity-hint`}>
          <legend className="fieldset__legend">{t('assessment.measure.maturityLegend')}</legend>
          <p className="field__hint" id={`${id}-maturity-hint`}>
            {t('assessment.measure.maturityHint')}
          </p>
          <div className="choice-list">
            {levels.map((level) => (
              <div key={level.level} className="choice">
                <input
                  type="radio"
                  className="choice__input"
                  id={`${id}-maturity-${level.level}`}
                  name={`${id}-maturity`}
                  value={level.level}
                  checked={values.maturity === level.level}
                  onChange={() => onChange({ maturity: level.level }, 0)}
                  aria-describedby={level.description ? `${id}-maturity-${level.level}-hint` : undefined}
                />
                <div>
                  <label htmlFor={`${id}-maturity-${level.level}`} className="choice__label">
                    {level.name ? t('assessment.measure.levelNamed', { level: String(level.level), name: level.name }) : t('assessment.measure.level', { level: String(level.level) })}
                  </label>
                  {level.description && (
                    <p className="choice__hint" id={`${id}-maturity-${level.level}-hint`}>
                      {level.description}
                    </p>
                  )}
                </div>
              </div>
            ))}
          </div>
          {values.maturity !== null && (
            <Button variant="link" onClick={() => onChange({ maturity: null }, 0)}>
              {t('assessment.measure.clearMaturity')}
            </Button>
          )}
        </fieldset>
      )}
      {(node.questions ?? []).map((question, index) => {
        const qid = `${id}-q${index}`;
        const given = values.questionAnswers[question.urn] ?? [];
        const set = (next: string[], delay: number) => onChange({ questionAnswers: { ...values.questionAnswers, [question.urn]: next } }, delay);
        if (question.type === 'unique_choice' || question.type === 'multiple_choice') {
          const multiple = question.type === 'multiple_choice';
          return (
            <fieldset key={question.urn} className="fieldset">
              <legend className="fieldset__legend">{question.text}</legend>
              {multiple && <p className="field__hint">{t('assessment.measure.severalAnswers')}</p>}
              <div className="choice-list">
                {question.choices.map((choice, choiceIndex) => (
                  <div key={choice.urn} className="choice">
                    <input
                      type={multiple ? 'checkbox' : 'radio'}
                      className="choice__input"
                      id={`${qid}-c${choiceIndex}`}
                      name={qid}
                      checked={given.includes(choice.urn)}
                      onChange={(event) =>
                        set(multiple ? (event.target.checked ? [...given, choice.urn] : given.filter((urn) => urn !== choice.urn)) : [choice.urn], 0)
                      }
                    />
                    <label htmlFor={`${qid}-c${choiceIndex}`} className="choice__label">
                      {choice.value}
                    </label>
                  </div>
                ))}
              </div>
            </fieldset>
          );
        }
        return (
          <div key={question.urn} className="field">
            <label className="field__label" htmlFor={qid}>
              {question.text}
            </label>
            {question.type === 'date' ? (
              <input id={qid} type="date" className="input input--date" value={given[0] ?? ''} onChange={(event) => set(event.target.value ? [event.target.value] : [], TEXT_DELAY_MS)} />
            ) : (
              <textarea id={qid} className="input textarea" rows={2} value={given[0] ?? ''} onChange={(event) => set(event.target.value ? [event.target.value] : [], TEXT_DELAY_MS)} />
            )}
          </div>
        );
      })}
      <div className="field field--wide">
        <label className="field__label" htmlFor={`${id}-comment`}>
          {t('assessment.measure.comment')}
        </label>
        <p className="field__hint" id={`${id}-comment-hint`}>
          {t('assessment.measure.commentHint')}
        </p>
        <textarea
          id={`${id}-comment`}
          className="input textarea"
          rows={3}
          maxLength={5000}
          aria-describedby={`${id}-comment-hint`}
          value={values.comment}
          onChange={(event) => onChange({ comment: event.target.value }, TEXT_DELAY_MS)}
        />
      </div>
    </form>
  );
}

/** An answer as text: for read-only roles and states, and both sides of a conflict. */
export function AnswerView({ node, framework, values }: { node: FrameworkNode; framework: FrameworkDetail; values: MeasureValues }) {
  const { t } = useTranslation();
  const level = values.maturity === null ? null : levelsOf(node, framework).find((l) => l.level === values.maturity);
  return (
    <dl className="answer-view">
      <div>
        <dt>{t('assessment.measure.statusShort')}</dt>
        <dd>{values.status ? t(`assessment.answerStatus.${values.status}`) : t('assessment.answerStatus.none')}</dd>
      </div>
      {values.maturity !== null && (
        <div>
          <dt>{t('assessment.measure.maturityLegend')}</dt>
          <dd>
            {level?.name ? t('assessment.measure.levelNamed', { level: String(values.maturity), name: level.name }) : t('assessment.measure.level', { level: String(values.maturity) })}
          </dd>
        </div>
      )}
      {(node.questions ?? []).map((question) => {
        const given = values.questionAnswers[question.urn] ?? [];
        if (given.length === 0) return null;
        const text = question.type === 'unique_choice' || question.type === 'multiple_choice' ? given.map((urn) => question.choices.find((c) => c.urn === urn)?.value ?? urn).join(', ') : given[0];
        return (
          <div key={question.urn}>
            <dt>{question.text}</dt>
            <dd>{text}</dd>
          </div>
        );
      })}
      <div>
        <dt>{t('assessment.measure.comment')}</dt>
        <dd className="answer-view__comment">{values.comment.trim() ? values.comment : t('assessment.measure.noComment')}</dd>
      </div>
    </dl>
  );
}
