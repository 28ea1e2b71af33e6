import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Check, Undo2 } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { IncidentDetail, Obligation } from '../../../../contracts/incidents';
import { ApiError } from '../../../lib/api';
import { useFormErrors } from '../../../lib/forms';
import { Button, ErrorSummary, Field, Notice, StatusBadge, TextInput, useToast } from '../../../ui';
import { useAssessmentFormat } from '../../assessment/format';
import { incidentKeys, updateObligation } from '../api';
import { fromParisInputs, nowToMinute, obligationState, toParisInputs } from '../model';
import { Countdown, useNow } from './Countdown';

/**
 * The regulatory clocks of a declared incident: each obligation with its deadline (Paris
 * time), a countdown, its state in words and colour, what it means, and — for those who
 * follow the incident — « Indiquer comme fait » (when, with the portal's reference),
 * « Ne s'applique pas » (with why), and undo.
 */
export function Obligations({ detail, editable }: { detail: IncidentDetail; editable: boolean }) {
  const { t } = useTranslation();
  const now = useNow();
  const closed = detail.incident.status === 'closed';
  if (detail.incident.status === 'draft') {
    return (
      <p>{t('incidents.declare.obligations.draft')}</p>
    );
  }
  if (detail.obligations.length === 0) return <p>{t('incidents.declare.obligations.none')}</p>;
  // What is still to do comes first, nearest deadline first; then what is done or does not apply.
  const ordered = [...detail.obligations.filter((o) => o.status === 'pending'), ...detail.obligations.filter((o) => o.status !== 'pending')];
  return (
    <ul className="obligations">
      {ordered.map((obligation) => (
        <ObligationItem key={obligation.id} incidentId={detail.incident.id} obligation={obligation} now={now} editable={editable && !closed} />
      ))}
    </ul>
  );
}

type Mode = 'view' | 'done' | 'not_applicable';

function ObligationItem({ incidentId, obligation, now, editable }: { incidentId: string; obligation: Obligation; now: number; editable: boolean }) {
  const { t } = useTranslation();
  const { dateTime } = useAssessmentFormat();
  const [mode, setMode] = useState<Mode>('view');
  const state = obligationState(obligation, now);
  const titleId = `obligation-${obligation.id}`;
  const queryClient = useQueryClient();
  const toast = useToast();
  const undo = useMutation({
    mutationFn: () => updateObligation(incidentId, obligation.id, { status: 'pending' }),
    onSuccess: (detail) => {
      queryClient.setQueryData(incidentKeys.detail(incidentId), detail);
      void queryClient.invalidateQueries({ queryKey: incidentKeys.lists });
      toast(t('incidents.declare.obligations.undone', { label: t(`incidents.common.obligation.${obligation.kind}`) }));
    },
  });

  return (
    <li className={`obligation obligation--${state.key}`} aria-labelledby={titleId}>
      <h3 id={titleId} className="obligation__title">
        {t(`incidents.common.obligation.${obligation.kind}`)}
      </h3>
      <p className="obligation__state">
        <StatusBadge tone={state.tone}>{t(`incidents.common.obligationStatus.${state.key}`)}</StatusBadge>
        {obligation.status === 'pending' && <Countdown dueAt={obligation.dueAt} now={now} />}
      </p>
      <p className="obligation__due">
        {t('incidents.declare.obligations.due')} <time dateTime={obligation.dueAt}>{dateTime(obligation.dueAt)}</time>
      </p>
      <p className="obligation__hint">{t(`incidents.common.obligationHint.${obligation.kind}`)}</p>
      {obligation.status === 'done' && (
        <p>
          {t('incidents.declare.obligations.doneOn', { date: obligation.doneAt ? dateTime(obligation.doneAt) : '—', name: obligation.doneByName ?? t('incidents.declare.someone') })}
          {obligation.reference && <> {t('incidents.declare.obligations.reference', { reference: obligation.reference })}</>}
        </p>
      )}
      {obligation.status === 'not_applicable' && <p>{t('incidents.declare.obligations.notApplicableBecause', { note: obligation.note ?? '' })}</p>}
      {obligation.status === 'done' && obligation.note && <p>{t('incidents.declare.obligations.note', { note: obligation.note })}</p>}

      {editable && mode === 'view' && (
        <div className="actions">
          {obligation.status === 'pending' ? (
            <>
              <Button variant="primary" icon={Check} onClick={() => setMode('done')} aria-describedby={titleId}>
                {t('incidents.declare.obligations.markDone')}
              </Button>
              <Button variant="secondary" onClick={() => setMode('not_applicable')} aria-describedby={titleId}>
                {t('incidents.declare.obligations.markNotApplicable')}
              </Button>
            </>
          ) : (
            <Button variant="secondary" icon={Undo2} loading={undo.isPending} onClick={() => undo.mutate()} aria-describedby={titleId}>
              {t('incidents.declare.obligations.undo')}
            </Button>
          )}
        </div>
      )}
      {undo.isError && (
        <Notice tone="danger" role="alert">
          <p>{undo.error.message}</p>
        </Notice>
      )}
      {editable && mode !== 'view' && <ObligationForm incidentId={incidentId} obligation={obligation} mode={mode} onDone={() => setMode('view')} />}
    </li>
  );
}

function ObligationForm({ incidentId, obligation, mode, onDone }: { incidentId: string; obligation: Obligation; mode: 'done' | 'not_applicable'; onDone: () => void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const toast = useToast();
  const { errors, fail, clear } = useFormErrors();
  const [initial] = useState(() => toParisInputs(nowToMinute()));
  const [date, setDate] = useState(initial.date);
  const [time, setTime] = useState(initial.time);
  const [reference, setReference] = useState('');
  const [note, setNote] = useState('');
  const prefix = `obligation-${obligation.id}`;
  const ids = { doneAt: `${prefix}-date`, reference: `${prefix}-reference`, note: `${prefix}-note` };
  const label = t(`incidents.common.obligation.${obligation.kind}`);

  const save = useMutation({
    mutationFn: () => {
      if (mode === 'not_applicable') return updateObligation(incidentId, obligation.id, { status: 'not_applicable', note: note.trim() || undefined });
      const doneAt = fromParisInputs(date, time);
      return updateObligation(incidentId, obligation.id, { status: 'done', doneAt: doneAt ?? undefined, reference: reference.trim() || undefined, note: note.trim() || undefined });
    },
    onSuccess: (detail) => {
      clear();
      queryClient.setQueryData(incidentKeys.detail(incidentId), detail);
      void queryClient.invalidateQueries({ queryKey: incidentKeys.lists });
      toast(mode === 'done' ? t('incidents.declare.obligations.savedDone', { label }) : t('incidents.declare.obligations.savedNotApplicable', { label }));
      onDone();
    },
    onError: fail,
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (mode === 'done' && !fromParisInputs(date, time)) {
      const message = t('incidents.declare.obligations.doneAtMissing');
      fail(new ApiError(400, 'validation', message, [{ path: 'doneAt', message }]));
      return;
    }
    save.mutate();
  };

  return (
    <form className="form obligation__form" onSubmit={submit} noValidate aria-label={mode === 'done' ? t('incidents.declare.obligations.doneFormLabel', { label }) : t('incidents.declare.obligations.notApplicableFormLabel', { label })}>
      <ErrorSummary errors={errors} fieldIds={ids} />
      {mode === 'done' ? (
        <>
          <fieldset className="fieldset">
            <legend className="fieldset__legend">{t('incidents.declare.obligations.doneAt')}</legend>
            <div className="date-time">
              <Field id={ids.doneAt} label={t('incidents.declare.form.date')} error={errors.fields.doneAt}>
                {(control) => <input {...control} className="input" type="date" value={date} onChange={(e) => setDate(e.target.value)} />}
              </Field>
              <Field id={`${prefix}-time`} label={t('incidents.declare.form.time')}>
                {(control) => <input {...control} className="input" type="time" value={time} onChange={(e) => setTime(e.target.value)} />}
              </Field>
            </div>
          </fieldset>
          <TextInput
            id={ids.reference}
            label={t('incidents.declare.obligations.referenceLabel')}
            hint={t('incidents.declare.obligations.referenceHint')}
            error={errors.fields.reference}
            value={reference}
            maxLength={200}
            onChange={(e) => setReference(e.target.value)}
          />
        </>
      ) : (
        <Field id={ids.note} label={t('incidents.declare.obligations.reasonLabel')} hint={t('incidents.declare.obligations.reasonHint')} error={errors.fields.note}>
          {(control) => <textarea {...control} className="input textarea" rows={3} maxLength={1000} value={note} onChange={(e) => setNote(e.target.value)} />}
        </Field>
      )}
      <div className="actions">
        <Button type="submit" loading={save.isPending}>
          {mode === 'done' ? t('incidents.declare.obligations.confirmDone') : t('incidents.declare.obligations.confirmNotApplicable')}
        </Button>
        <Button variant="secondary" onClick={onDone}>
          {t('ui.cancel')}
        </Button>
      </div>
    </form>
  );
}
