import { useMutation, useQueryClient } from '@tanstack/react-query';
import { NotebookPen } from 'lucide-react';
import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { addTimelineEntryBodySchema, TIMELINE_KINDS } from '../../../../contracts/incidents';
import { useFormErrors } from '../../../lib/forms';
import { Button, EmptyState, ErrorSummary, Field } from '../../../ui';
import { addTimelineEntry, followUpKey, parisLocalInput, parisLocalToIso, type TimelineEntry, useFollowFormat } from '../followup-api';

type Kind = (typeof TIMELINE_KINDS)[number];

/** The incident's « main courante »: a short form to add an entry, then the entries, the latest first. */
export function FollowupTimeline({ incidentId, entries, editable }: { incidentId: string; entries: TimelineEntry[]; editable: boolean }) {
  const { t } = useTranslation();
  const { dateTime } = useFollowFormat();
  const titleId = useId();
  // Newest first, under the form: what was just written shows at once, however long the log.
  const sorted = [...entries].sort((a, b) => new Date(b.occurredAt).getTime() - new Date(a.occurredAt).getTime());

  return (
    <section className="followup__block" aria-labelledby={titleId}>
      <h2 id={titleId}>{t('incidents.follow.timeline.title')}</h2>
      <p className="followup__lead">{t('incidents.follow.timeline.lead')}</p>
      {editable && <TimelineForm incidentId={incidentId} />}
      {sorted.length === 0 ? (
        <EmptyState title={t('incidents.follow.timeline.emptyTitle')}>
          <p>{editable ? t('incidents.follow.timeline.emptyText') : t('incidents.follow.timeline.emptyReadOnly')}</p>
        </EmptyState>
      ) : (
        <>
          <h3 id={`${titleId}-list`} className="followup-subtitle">
            {t('incidents.follow.timeline.caption')}
          </h3>
          <ol className="followup-timeline" aria-labelledby={`${titleId}-list`}>
          {sorted.map((entry) => (
            <li key={entry.id} className={`followup-timeline__entry followup-timeline__entry--${entry.kind}`}>
              <p className="followup-timeline__meta">
                <span className={`followup-kind followup-kind--${entry.kind}`}>{t(`incidents.common.timelineKind.${entry.kind}`)}</span>
                <time dateTime={entry.occurredAt} className="followup-timeline__time">
                  {dateTime(entry.occurredAt)}
                </time>
                <span className="followup-timeline__author">
                  {entry.kind === 'system'
                    ? t('incidents.follow.timeline.byHygie')
                    : entry.authorName
                      ? t('incidents.follow.timeline.by', { name: entry.authorName })
                      : null}
                </span>
              </p>
              <p className="followup-timeline__body">{entry.body}</p>
            </li>
          ))}
          </ol>
        </>
      )}
    </section>
  );
}

const FIELD_IDS = { kind: 'timeline-kind-fact', body: 'timeline-body', occurredAt: 'timeline-when' };

function TimelineForm({ incidentId }: { incidentId: string }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const form = useFormErrors();
  const titleId = useId();
  const [kind, setKind] = useState<Kind>('fact');
  const [body, setBody] = useState('');
  // "Now" until the person changes it: then the time she typed is sent, otherwise the server's now.
  const [when, setWhen] = useState(() => parisLocalInput());
  const [whenTouched, setWhenTouched] = useState(false);
  const [announce, setAnnounce] = useState('');

  const add = useMutation({
    mutationFn: (values: Parameters<typeof addTimelineEntry>[1]) => addTimelineEntry(incidentId, values),
    onSuccess: async () => {
      setBody('');
      setWhen(parisLocalInput());
      setWhenTouched(false);
      form.clear();
      await queryClient.invalidateQueries({ queryKey: followUpKey(incidentId) });
      setAnnounce(t('incidents.follow.timeline.added'));
    },
    onError: form.fail,
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setAnnounce('');
    let occurredAt: string | undefined;
    if (whenTouched) {
      const iso = parisLocalToIso(when);
      // A date the browser could not read: said at the field (by the contract), the rest is kept.
      if (!iso) return void form.validate(addTimelineEntryBodySchema, { kind, body, occurredAt: when || 'invalide' });
      occurredAt = iso;
    }
    const values = form.validate(addTimelineEntryBodySchema, { kind, body, ...(occurredAt ? { occurredAt } : {}) });
    if (values) add.mutate(values);
  };

  const errors = form.errors.fields;
  return (
    <form className="followup-form" noValidate onSubmit={submit} aria-labelledby={titleId}>
      <h3 id={titleId}>{t('incidents.follow.timeline.formTitle')}</h3>
      <ErrorSummary errors={form.errors} fieldIds={FIELD_IDS} />
      <fieldset className={['followup-fieldset', errors.kind ? 'field--error' : ''].filter(Boolean).join(' ')} aria-describedby={errors.kind ? 'timeline-kind-error' : undefined}>
        <legend className="followup-fieldset__legend">{t('incidents.follow.timeline.kindLegend')}</legend>
        {errors.kind && (
          <p className="field__error" id="timeline-kind-error">
            {errors.kind}
          </p>
        )}
        <div className="followup-choices">
          {TIMELINE_KINDS.map((value) => (
            <div key={value} className="followup-choice">
              <input
                type="radio"
                id={`timeline-kind-${value}`}
                name="timeline-kind"
                value={value}
                checked={kind === value}
                onChange={() => setKind(value)}
                aria-describedby={`timeline-kind-${value}-hint`}
              />
              <label htmlFor={`timeline-kind-${value}`}>{t(`incidents.common.timelineKind.${value}`)}</label>
              <span className="followup-choice__hint" id={`timeline-kind-${value}-hint`}>
                {t(`incidents.follow.timeline.kindHint.${value}`)}
              </span>
            </div>
          ))}
        </div>
      </fieldset>
      <Field id={FIELD_IDS.body} label={t('incidents.follow.timeline.body')} hint={t('incidents.follow.timeline.bodyHint')} error={errors.body}>
        {(control) => <textarea className="input textarea" rows={3} value={body} onChange={(event) => setBody(event.target.value)} {...control} />}
      </Field>
      <Field id={FIELD_IDS.occurredAt} label={t('incidents.follow.timeline.occurredAt')} hint={t('incidents.follow.timeline.occurredAtHint')} error={errors.occurredAt} className="field--narrow">
        {(control) => (
          <input
            className="input"
            type="datetime-local"
            value={when}
            onChange={(event) => {
              setWhen(event.target.value);
              setWhenTouched(true);
            }}
            {...control}
          />
        )}
      </Field>
      <Button type="submit" icon={NotebookPen} loading={add.isPending}>
        {t('incidents.follow.timeline.submit')}
      </Button>
      <p className="sr-only" role="status">
        {announce}
      </p>
    </form>
  );
}
