import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { CircleAlert } from 'lucide-react';
import {
  DATA_KINDS,
  HANDLING_STATES,
  INCIDENT_ORIGINS,
  INCIDENT_TYPES,
  SYSTEM_KINDS,
  type DeclarationContent,
} from '../../../../contracts/incidents';
import { Checkbox, Field, LoadError, Spinner, TextInput } from '../../../ui';
import { organisationsQuery } from '../../identity/api';
import { FIELD_IDS, fromParisInputs, toParisInputs } from '../model';

type Content = DeclarationContent;
export type ChangeHandler = (next: Content, delay?: number) => void;

interface DeclarationFormProps {
  value: Content;
  onChange: ChangeHandler;
  /** Errors by path (content.title…), already brought to the known fields. */
  errors: Record<string, string>;
  /** The establishment: its sites and services make the perimeter's choices. */
  orgId: string | null;
}

/** Text waits for a pause before it is sent; a choice is sent at once. */
const TEXT = 800;
const CHOICE = 0;

/**
 * The declaration, in the order of the official form: the declarant, what happened, the
 * perimeter, the systems and data concerned, the handling, the impacts, the causes, the
 * origin and type, and the support asked of the region. Shared by « Déclarer » and
 * « Compléter ». Every field is a controlled input: nothing is lost on an error.
 */
export function DeclarationForm({ value, onChange, errors, orgId }: DeclarationFormProps) {
  const { t } = useTranslation();
  const c = value;
  const set = (patch: Partial<Content>, delay = TEXT) => onChange({ ...c, ...patch }, delay);
  const setDeclarant = (patch: NonNullable<Content['declarant']>) => set({ declarant: { ...c.declarant, ...patch } });
  const setPerimeter = (patch: NonNullable<Content['perimeter']>, delay = TEXT) => set({ perimeter: { ...c.perimeter, ...patch } }, delay);
  const setImpacts = (patch: NonNullable<Content['impacts']>, delay = TEXT) => set({ impacts: { ...c.impacts, ...patch } }, delay);
  const err = (path: string) => errors[`content.${path}`];
  const tx = (key: string) => t(`incidents.declare.form.${key}` as 'incidents.declare.form.date');

  return (
    <div className="declaration-form">
      <Section id="declaration-declarant" title={tx('declarant.title')} lead={tx('declarant.lead')}>
        <TextInput id={FIELD_IDS['content.declarant.name']} label={tx('declarant.name')} autoComplete="name" maxLength={120} value={c.declarant?.name ?? ''} error={err('declarant.name')} onChange={(e) => setDeclarant({ name: e.target.value })} />
        <TextInput id={FIELD_IDS['content.declarant.jobTitle']} label={tx('declarant.jobTitle')} autoComplete="organization-title" maxLength={120} value={c.declarant?.jobTitle ?? ''} error={err('declarant.jobTitle')} onChange={(e) => setDeclarant({ jobTitle: e.target.value })} />
        <TextInput id={FIELD_IDS['content.declarant.phone']} label={tx('declarant.phone')} hint={tx('declarant.contactHint')} type="tel" autoComplete="tel" maxLength={30} value={c.declarant?.phone ?? ''} error={err('declarant.phone')} onChange={(e) => setDeclarant({ phone: e.target.value })} />
        <TextInput id={FIELD_IDS['content.declarant.email']} label={tx('declarant.email')} type="email" autoComplete="email" maxLength={254} value={c.declarant?.email ?? ''} error={err('declarant.email')} onChange={(e) => setDeclarant({ email: e.target.value })} />
      </Section>

      <Section id="declaration-what" title={tx('what.title')}>
        <TextInput id={FIELD_IDS['content.title']} label={tx('what.titleLabel')} hint={tx('what.titleHint')} maxLength={200} value={c.title ?? ''} error={err('title')} onChange={(e) => set({ title: e.target.value })} />
        <TextArea id={FIELD_IDS['content.description']} label={tx('what.description')} hint={tx('what.descriptionHint')} rows={5} maxLength={10_000} value={c.description ?? ''} error={err('description')} onChange={(description) => set({ description })} />
        <DateTimeField idPrefix="incident-discovered" legend={tx('what.discoveredAt')} hint={tx('what.discoveredAtHint')} value={c.discoveredAt} error={err('discoveredAt')} onChange={(discoveredAt) => set({ discoveredAt })} />
        <DateTimeField idPrefix="incident-started" legend={tx('what.startedAt')} hint={tx('what.startedAtHint')} value={c.startedAt} error={err('startedAt')} onChange={(startedAt) => set({ startedAt })} />
      </Section>

      <Section id="declaration-perimeter" title={tx('perimeter.title')} lead={tx('perimeter.lead')}>
        <Checkbox
          id={FIELD_IDS['content.perimeter']}
          label={tx('perimeter.whole')}
          hint={tx('perimeter.wholeHint')}
          checked={c.perimeter?.wholeEstablishment ?? false}
          error={err('perimeter')}
          onChange={(e) => setPerimeter({ wholeEstablishment: e.target.checked }, CHOICE)}
        />
        <PerimeterUnits orgId={orgId} selected={c.perimeter?.orgIds ?? []} onChange={(orgIds) => setPerimeter({ orgIds }, CHOICE)} />
        <TextArea id={FIELD_IDS['content.perimeter.details']} label={tx('perimeter.details')} hint={tx('perimeter.detailsHint')} rows={2} maxLength={2000} value={c.perimeter?.details ?? ''} error={err('perimeter.details')} onChange={(details) => setPerimeter({ details })} />
      </Section>

      <Section id="declaration-systems" title={tx('systems.title')}>
        <CheckGroup
          idPrefix="incident-system"
          legend={tx('systems.legend')}
          hint={tx('systems.hint')}
          options={SYSTEM_KINDS.map((kind) => ({ value: kind, label: t(`incidents.common.system.${kind}`) }))}
          selected={c.systems ?? []}
          error={err('systems')}
          onChange={(systems) => set({ systems }, CHOICE)}
        />
        <TextArea id={FIELD_IDS['content.systemsDetails']} label={tx('systems.details')} hint={tx('systems.detailsHint')} rows={2} maxLength={2000} value={c.systemsDetails ?? ''} error={err('systemsDetails')} onChange={(systemsDetails) => set({ systemsDetails })} />
      </Section>

      <Section id="declaration-data" title={tx('data.title')}>
        <CheckGroup
          idPrefix="incident-data"
          legend={tx('data.legend')}
          options={DATA_KINDS.map((kind) => ({ value: kind, label: t(`incidents.common.data.${kind}`) }))}
          selected={c.data ?? []}
          error={err('data')}
          onChange={(data) => set({ data }, CHOICE)}
        />
        <TextArea id={FIELD_IDS['content.dataDetails']} label={tx('data.details')} rows={2} maxLength={2000} value={c.dataDetails ?? ''} error={err('dataDetails')} onChange={(dataDetails) => set({ dataDetails })} />
      </Section>

      <Section id="declaration-handling" title={tx('handling.title')}>
        <ChoiceGroup
          name="incident-handling"
          idPrefix="incident-handling"
          legend={tx('handling.legend')}
          options={HANDLING_STATES.map((state) => ({ value: state, label: t(`incidents.common.handling.${state}`) }))}
          selected={c.handling}
          error={err('handling')}
          onChange={(handling) => set({ handling }, CHOICE)}
        />
        <TextArea id={FIELD_IDS['content.handlingDetails']} label={tx('handling.details')} hint={tx('handling.detailsHint')} rows={4} maxLength={4000} value={c.handlingDetails ?? ''} error={err('handlingDetails')} onChange={(handlingDetails) => set({ handlingDetails })} />
      </Section>

      <Section id="declaration-impacts" title={tx('impacts.title')}>
        <fieldset className="fieldset">
          <legend className="fieldset__legend">{tx('impacts.dataLegend')}</legend>
          <Checkbox id="incident-impact-confidentiality" label={tx('impacts.confidentiality')} hint={tx('impacts.confidentialityHint')} checked={c.impacts?.confidentiality ?? false} onChange={(e) => setImpacts({ confidentiality: e.target.checked }, CHOICE)} />
          <Checkbox id="incident-impact-integrity" label={tx('impacts.integrity')} hint={tx('impacts.integrityHint')} checked={c.impacts?.integrity ?? false} onChange={(e) => setImpacts({ integrity: e.target.checked }, CHOICE)} />
          <Checkbox id="incident-impact-availability" label={tx('impacts.availability')} hint={tx('impacts.availabilityHint')} checked={c.impacts?.availability ?? false} onChange={(e) => setImpacts({ availability: e.target.checked }, CHOICE)} />
          <Checkbox id="incident-impact-personal-data" label={tx('impacts.personalData')} hint={tx('impacts.personalDataHint')} checked={c.impacts?.personalData ?? false} onChange={(e) => setImpacts({ personalData: e.target.checked }, CHOICE)} />
        </fieldset>
        <fieldset className="fieldset">
          <legend className="fieldset__legend">{tx('impacts.careLegend')}</legend>
          <Checkbox id="incident-impact-care" label={tx('impacts.careImpact')} checked={c.impacts?.careImpact ?? false} onChange={(e) => setImpacts({ careImpact: e.target.checked }, CHOICE)} />
          <Checkbox id="incident-impact-degraded" label={tx('impacts.degradedMode')} hint={tx('impacts.degradedModeHint')} checked={c.impacts?.degradedMode ?? false} onChange={(e) => setImpacts({ degradedMode: e.target.checked }, CHOICE)} />
          <Checkbox id="incident-impact-endangered" label={tx('impacts.patientsEndangered')} checked={c.impacts?.patientsEndangered ?? false} onChange={(e) => setImpacts({ patientsEndangered: e.target.checked }, CHOICE)} />
        </fieldset>
        <TextArea id={FIELD_IDS['content.impacts.careDetails']} label={tx('impacts.careDetails')} rows={3} maxLength={4000} value={c.impacts?.careDetails ?? ''} error={err('impacts.careDetails')} onChange={(careDetails) => setImpacts({ careDetails })} />
        <TextArea id={FIELD_IDS['content.impacts.systemsDetails']} label={tx('impacts.systemsDetails')} rows={3} maxLength={4000} value={c.impacts?.systemsDetails ?? ''} error={err('impacts.systemsDetails')} onChange={(systemsDetails) => setImpacts({ systemsDetails })} />
        <TextArea id={FIELD_IDS['content.impacts.operationsDetails']} label={tx('impacts.operationsDetails')} rows={3} maxLength={4000} value={c.impacts?.operationsDetails ?? ''} error={err('impacts.operationsDetails')} onChange={(operationsDetails) => setImpacts({ operationsDetails })} />
      </Section>

      <Section id="declaration-causes" title={tx('causes.title')}>
        <TextArea id={FIELD_IDS['content.causes']} label={tx('causes.label')} hint={tx('causes.hint')} rows={3} maxLength={4000} value={c.causes ?? ''} error={err('causes')} onChange={(causes) => set({ causes })} />
      </Section>

      <Section id="declaration-nature" title={tx('nature.title')}>
        <ChoiceGroup
          name="incident-origin"
          idPrefix="incident-origin"
          legend={tx('nature.origin')}
          options={INCIDENT_ORIGINS.map((origin) => ({ value: origin, label: t(`incidents.common.origin.${origin}`), hint: t(`incidents.declare.originHint.${origin}`) }))}
          selected={c.origin}
          error={err('origin')}
          onChange={(origin) => set({ origin }, CHOICE)}
        />
        <ChoiceGroup
          name="incident-type"
          idPrefix="incident-type"
          legend={tx('nature.type')}
          options={INCIDENT_TYPES.map((type) => ({ value: type, label: t(`incidents.common.type.${type}`), hint: t(`incidents.declare.typeHint.${type}`) }))}
          selected={c.type}
          error={err('type')}
          onChange={(type) => set({ type }, CHOICE)}
        />
      </Section>

      <Section id="declaration-support" title={tx('support.title')}>
        <Checkbox id="incident-support" label={tx('support.requested')} hint={tx('support.requestedHint')} checked={c.supportRequested ?? false} onChange={(e) => set({ supportRequested: e.target.checked }, CHOICE)} />
        <TextArea id={FIELD_IDS['content.supportDetails']} label={tx('support.details')} rows={3} maxLength={2000} value={c.supportDetails ?? ''} error={err('supportDetails')} onChange={(supportDetails) => set({ supportDetails })} />
      </Section>
    </div>
  );
}

function Section({ id, title, lead, children }: { id: string; title: string; lead?: string; children: ReactNode }) {
  return (
    <section className="declaration-form__section" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{title}</h2>
      {lead && <p className="field__hint">{lead}</p>}
      <div className="form">{children}</div>
    </section>
  );
}

function FieldErrorText({ id, message }: { id: string; message: string }) {
  const { t } = useTranslation();
  return (
    <p className="field__error" id={id}>
      <CircleAlert className="icon" aria-hidden="true" />
      <span className="sr-only">{t('ui.errorPrefix')}</span>
      {message}
    </p>
  );
}

function TextArea({ id, label, hint, error, rows, maxLength, value, onChange }: { id: string; label: string; hint?: string; error?: string; rows: number; maxLength: number; value: string; onChange: (value: string) => void }) {
  return (
    <Field id={id} label={label} hint={hint} error={error} className="field--wide">
      {(control) => <textarea {...control} className="input textarea" rows={rows} maxLength={maxLength} value={value} onChange={(e) => onChange(e.target.value)} />}
    </Field>
  );
}

/** A date and a time in Paris; an incomplete pair is kept here (and typed again) until both are there. */
function DateTimeField({ idPrefix, legend, hint, value, error, onChange }: { idPrefix: string; legend: string; hint?: string; value: string | undefined; error?: string; onChange: (iso: string | undefined) => void }) {
  const { t } = useTranslation();
  const [local, setLocal] = useState(() => toParisInputs(value));
  const emitted = useRef(value);
  useEffect(() => {
    // Changed from outside (the other version taken after a conflict, a resumed copy).
    if (value !== emitted.current) {
      emitted.current = value;
      setLocal(toParisInputs(value));
    }
  }, [value]);
  const update = (next: { date: string; time: string }) => {
    setLocal(next);
    const iso = next.date || next.time ? (fromParisInputs(next.date, next.time) ?? undefined) : undefined;
    if (iso !== emitted.current) {
      emitted.current = iso;
      onChange(iso);
    }
  };
  const hintId = hint ? `${idPrefix}-hint` : undefined;
  const errorId = error ? `${idPrefix}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  return (
    <fieldset className={['fieldset', error ? 'field--error' : ''].filter(Boolean).join(' ')}>
      <legend className="fieldset__legend">{legend}</legend>
      {hint && (
        <p className="field__hint" id={hintId}>
          {hint}
        </p>
      )}
      {error && <FieldErrorText id={errorId!} message={error} />}
      <div className="date-time">
        <div className="field">
          <label className="field__label" htmlFor={`${idPrefix}-date`}>
            {t('incidents.declare.form.date')}
          </label>
          <input id={`${idPrefix}-date`} className="input" type="date" value={local.date} aria-describedby={describedBy} aria-invalid={error ? true : undefined} onChange={(e) => update({ ...local, date: e.target.value })} />
        </div>
        <div className="field">
          <label className="field__label" htmlFor={`${idPrefix}-time`}>
            {t('incidents.declare.form.time')}
          </label>
          <input id={`${idPrefix}-time`} className="input" type="time" value={local.time} aria-describedby={describedBy} aria-invalid={error ? true : undefined} onChange={(e) => update({ ...local, time: e.target.value })} />
        </div>
      </div>
    </fieldset>
  );
}

interface Option<V extends string> {
  value: V;
  label: string;
  hint?: string;
}

function ChoiceGroup<V extends string>({ name, idPrefix, legend, hint, options, selected, error, onChange }: { name: string; idPrefix: string; legend: string; hint?: string; options: Option<V>[]; selected: V | undefined; error?: string; onChange: (value: V) => void }) {
  const errorId = error ? `${idPrefix}-error` : undefined;
  const hintId = hint ? `${idPrefix}-hint` : undefined;
  return (
    <fieldset className={['fieldset', 'fieldset--wide', error ? 'field--error' : ''].filter(Boolean).join(' ')} aria-describedby={[hintId, errorId].filter(Boolean).join(' ') || undefined}>
      <legend className="fieldset__legend">{legend}</legend>
      {hint && (
        <p className="field__hint" id={hintId}>
          {hint}
        </p>
      )}
      {error && <FieldErrorText id={errorId!} message={error} />}
      <div className="choice-list">
        {options.map((option) => {
          const id = `${idPrefix}-${option.value}`;
          return (
            <div key={option.value} className="choice">
              <input
                type="radio"
                id={id}
                name={name}
                className="choice__input"
                value={option.value}
                checked={selected === option.value}
                aria-describedby={option.hint ? `${id}-hint` : undefined}
                onChange={() => onChange(option.value)}
              />
              <div>
                <label htmlFor={id} className="choice__label">
                  <span className="choice__title">{option.label}</span>
                </label>
                {option.hint && (
                  <p className="choice__hint" id={`${id}-hint`}>
                    {option.hint}
                  </p>
                )}
              </div>
            </div>
          );
        })}
      </div>
    </fieldset>
  );
}

function CheckGroup<V extends string>({ idPrefix, legend, hint, options, selected, error, onChange }: { idPrefix: string; legend: string; hint?: string; options: Option<V>[]; selected: readonly V[]; error?: string; onChange: (values: V[]) => void }) {
  const errorId = error ? `${idPrefix}-error` : undefined;
  const hintId = hint ? `${idPrefix}-hint` : undefined;
  const toggle = (value: V, on: boolean) => {
    const next = on ? [...selected.filter((v) => v !== value), value] : selected.filter((v) => v !== value);
    // Kept in the order of the list, whatever the order of the clicks.
    onChange(options.map((o) => o.value).filter((v) => next.includes(v)));
  };
  return (
    <fieldset className={['fieldset', 'fieldset--wide', error ? 'field--error' : ''].filter(Boolean).join(' ')} aria-describedby={[hintId, errorId].filter(Boolean).join(' ') || undefined}>
      <legend className="fieldset__legend">{legend}</legend>
      {hint && (
        <p className="field__hint" id={hintId}>
          {hint}
        </p>
      )}
      {error && <FieldErrorText id={errorId!} message={error} />}
      <div className="check-grid">
        {options.map((option) => (
          <Checkbox key={option.value} id={`${idPrefix}-${option.value}`} label={option.label} checked={selected.includes(option.value)} onChange={(e) => toggle(option.value, e.target.checked)} />
        ))}
      </div>
    </fieldset>
  );
}

/** The establishment's sites and services, to tick those hit. */
function PerimeterUnits({ orgId, selected, onChange }: { orgId: string | null; selected: string[]; onChange: (ids: string[]) => void }) {
  const { t } = useTranslation();
  const orgs = useQuery({ ...organisationsQuery(orgId), enabled: orgId !== null });
  if (!orgId) return null;
  if (orgs.isError) return <LoadError error={orgs.error} onRetry={() => void orgs.refetch()} />;
  if (orgs.isPending) return <Spinner />;
  const all = orgs.data.organisations;
  const units = all.filter((org) => (org.kind === 'site' || org.kind === 'service') && !org.archived && org.id !== orgId);
  if (units.length === 0) return <p className="field__hint">{t('incidents.declare.form.perimeter.noUnits')}</p>;
  const nameOf = new Map(all.map((org) => [org.id, org.name]));
  const toggle = (id: string, on: boolean) => onChange(on ? [...selected.filter((s) => s !== id), id] : selected.filter((s) => s !== id));
  return (
    <fieldset className="fieldset fieldset--wide">
      <legend className="fieldset__legend">{t('incidents.declare.form.perimeter.units')}</legend>
      <div className="check-grid">
        {units.map((unit) => {
          const parent = unit.kind === 'service' && unit.parentId && unit.parentId !== orgId ? nameOf.get(unit.parentId) : undefined;
          return (
            <Checkbox
              key={unit.id}
              id={`incident-unit-${unit.id}`}
              label={parent ? t('incidents.declare.form.perimeter.serviceOf', { name: unit.name, site: parent }) : t(`incidents.declare.form.perimeter.${unit.kind === 'site' ? 'site' : 'service'}`, { name: unit.name })}
              checked={selected.includes(unit.id)}
              onChange={(e) => toggle(unit.id, e.target.checked)}
            />
          );
        })}
      </div>
    </fieldset>
  );
}
