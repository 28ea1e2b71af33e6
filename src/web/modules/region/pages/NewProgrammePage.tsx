import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { Plus, Save, Trash2 } from 'lucide-react';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { createProgrammeBodySchema, MILESTONE_KINDS } from '../../../../contracts/assessment-region';
import { useMe } from '../../../app/session';
import { type FormErrors, useFormErrors } from '../../../lib/forms';
import { Button, ErrorSummary, Field, Notice, PageHeader, TextInput, useToast } from '../../../ui';
import { createProgramme } from '../api';
import { isRegionCoordinator } from '../model';
import '../region.css';

type Kind = (typeof MILESTONE_KINDS)[number];

/** A milestone as typed: the amount stays text until sent. `key` identifies it while the list changes. */
interface MilestoneDraft {
  key: number;
  kind: Kind;
  code: string;
  title: string;
  description: string;
  amount: string;
}

const MILESTONE_FIELDS = ['kind', 'code', 'title', 'description', 'amount'] as const;
type MilestoneField = (typeof MILESTONE_FIELDS)[number];

const fieldId = (key: number, field: MilestoneField) => `milestone-${key}-${field}`;
/** The first control of a milestone: its kind's first radio button. */
const firstFieldId = (key: number) => `${fieldId(key, 'kind')}-${MILESTONE_KINDS[0]}`;

/** "1 500,50" or "1500.5" → 1500.5; empty → null; anything else stays NaN so the contract says what is wrong. */
function parseAmount(text: string): number | null {
  const compact = text.replace(/[\s\u00a0\u202f€]/g, '').replace(',', '.');
  if (compact === '') return null;
  return /^\d+(\.\d+)?$/.test(compact) ? Number(compact) : Number.NaN;
}

export function NewProgrammePage() {
  const { t } = useTranslation();
  const me = useMe();
  const title = t('region.newProgramme.title');
  const orgId = me.activeOrgId;
  if (!orgId || !isRegionCoordinator(me)) {
    return (
      <>
        <PageHeader title={title} breadcrumb={[{ label: t('region.funding.title'), to: '/pilotage/financements' }]} />
        <Notice tone="info" title={t('region.coordinatorOnly.title')}>
          <p>{t('region.newProgramme.regionOnly')}</p>
        </Notice>
      </>
    );
  }
  return <NewProgrammeForm orgId={orgId} title={title} />;
}

function NewProgrammeForm({ orgId, title }: { orgId: string; title: string }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const toast = useToast();
  const queryClient = useQueryClient();
  const form = useFormErrors();
  const nextKey = useRef(1);
  const [values, setValues] = useState({ name: '', description: '' });
  const [milestones, setMilestones] = useState<MilestoneDraft[]>([{ key: 0, kind: 'prerequisite', code: '', title: '', description: '', amount: '' }]);
  /** The milestone whose first field takes the focus once rendered (after « Ajouter » or « Retirer »). */
  const focusNext = useRef<number | 'add' | null>(null);

  useEffect(() => {
    const target = focusNext.current;
    if (target === null) return;
    focusNext.current = null;
    document.getElementById(target === 'add' ? 'programme-add' : firstFieldId(target))?.focus();
  }, [milestones]);

  const create = useMutation({
    mutationFn: createProgramme,
    onSuccess: async ({ programme }) => {
      await queryClient.invalidateQueries({ queryKey: ['region', 'programmes'] });
      toast(t('region.newProgramme.done', { name: programme.name }));
      void navigate({ to: '/pilotage/financements' });
    },
    onError: form.fail,
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const body = form.validate(createProgrammeBodySchema, {
      orgId,
      name: values.name,
      description: values.description.trim() || null,
      milestones: milestones.map((m) => ({ kind: m.kind, code: m.code, title: m.title, description: m.description.trim() || null, amount: parseAmount(m.amount) })),
    });
    if (body) create.mutate(body);
  };

  const update = (key: number, patch: Partial<MilestoneDraft>) => setMilestones((list) => list.map((m) => (m.key === key ? { ...m, ...patch } : m)));
  const add = () => {
    const key = nextKey.current++;
    // After the prerequisites come the objectives: a new milestone is an objective once one exists.
    setMilestones((list) => [...list, { key, kind: list.length === 0 ? 'prerequisite' : 'objective', code: '', title: '', description: '', amount: '' }]);
    focusNext.current = key;
  };
  const remove = (key: number) => {
    const index = milestones.findIndex((m) => m.key === key);
    const rest = milestones.filter((m) => m.key !== key);
    setMilestones(rest);
    // Errors are keyed by position: once the list moves they would point at the wrong milestone.
    form.clear();
    const next = rest[index] ?? rest[index - 1];
    focusNext.current = next ? next.key : 'add';
  };

  const fieldIds: Record<string, string> = { name: 'programme-name', description: 'programme-description', milestones: 'programme-add' };
  milestones.forEach((m, i) => {
    for (const field of MILESTONE_FIELDS) fieldIds[`milestones.${i}.${field}`] = field === 'kind' ? firstFieldId(m.key) : fieldId(m.key, field);
  });

  return (
    <>
      <PageHeader title={title} breadcrumb={[{ label: t('region.funding.title'), to: '/pilotage/financements' }]} lead={<p>{t('region.newProgramme.lead')}</p>} />
      <ErrorSummary errors={form.errors} fieldIds={fieldIds} />
      <form className="form" noValidate onSubmit={submit}>
        <TextInput
          id="programme-name"
          label={t('region.newProgramme.name')}
          hint={t('region.newProgramme.nameHint')}
          value={values.name}
          onChange={(e) => setValues((v) => ({ ...v, name: e.target.value }))}
          error={form.errors.fields.name}
        />
        <Field id="programme-description" label={t('region.newProgramme.description')} error={form.errors.fields.description}>
          {(control) => <textarea className="region-textarea" value={values.description} onChange={(e) => setValues((v) => ({ ...v, description: e.target.value }))} {...control} />}
        </Field>
        <section aria-labelledby="programme-milestones" className="section">
          <h2 id="programme-milestones">{t('region.newProgramme.milestones')}</h2>
          <p className="field__hint">{t('region.newProgramme.milestonesHint')}</p>
          {form.errors.fields.milestones && (
            <p className="field__error" id="programme-add-error">
              <span className="sr-only">{t('ui.errorPrefix')}</span>
              {form.errors.fields.milestones}
            </p>
          )}
          <ol className="region-milestone-list">
            {milestones.map((m, index) => (
              <MilestoneFields
                key={m.key}
                milestone={m}
                index={index}
                errors={form.errors}
                removable={milestones.length > 1}
                onChange={(patch) => update(m.key, patch)}
                onRemove={() => remove(m.key)}
              />
            ))}
          </ol>
          <Button
            id="programme-add"
            variant="secondary"
            icon={Plus}
            aria-describedby={form.errors.fields.milestones ? 'programme-add-error' : undefined}
            onClick={add}
          >
            {t('region.newProgramme.add')}
          </Button>
        </section>
        <div className="actions">
          <Button type="submit" icon={Save} loading={create.isPending}>
            {t('region.newProgramme.submit')}
          </Button>
          <Link to="/pilotage/financements">{t('ui.cancel')}</Link>
        </div>
      </form>
    </>
  );
}

interface MilestoneFieldsProps {
  milestone: MilestoneDraft;
  index: number;
  errors: FormErrors;
  removable: boolean;
  onChange: (patch: Partial<MilestoneDraft>) => void;
  onRemove: () => void;
}

function MilestoneFields({ milestone: m, index, errors, removable, onChange, onRemove }: MilestoneFieldsProps) {
  const { t } = useTranslation();
  const error = (field: MilestoneField) => errors.fields[`milestones.${index}.${field}`];
  const legendId = `milestone-${m.key}-legend`;
  const kindError = error('kind');
  const number = index + 1;
  return (
    <li className="card region-milestone">
      <fieldset className="region-fieldset" aria-labelledby={legendId}>
        <legend id={legendId} className="region-fieldset__legend">
          {t('region.newProgramme.milestone', { number: String(number) })}
        </legend>
        <fieldset
          className={['region-fieldset', 'region-fieldset--inner', kindError ? 'field--error' : ''].filter(Boolean).join(' ')}
          aria-describedby={kindError ? `${fieldId(m.key, 'kind')}-error` : undefined}
        >
          <legend className="region-fieldset__legend">{t('region.newProgramme.kind')}</legend>
          {kindError && (
            <p className="field__error" id={`${fieldId(m.key, 'kind')}-error`}>
              <span className="sr-only">{t('ui.errorPrefix')}</span>
              {kindError}
            </p>
          )}
          <div className="region-radios">
            {MILESTONE_KINDS.map((kind) => (
              <div key={kind} className="region-radio">
                <input
                  type="radio"
                  id={`${fieldId(m.key, 'kind')}-${kind}`}
                  name={`milestone-${m.key}-kind`}
                  value={kind}
                  checked={m.kind === kind}
                  onChange={() => onChange({ kind })}
                />
                <label htmlFor={`${fieldId(m.key, 'kind')}-${kind}`}>{t(`region.funding.kinds.${kind}`)}</label>
              </div>
            ))}
          </div>
        </fieldset>
        <TextInput
          id={fieldId(m.key, 'code')}
          label={t('region.newProgramme.code')}
          hint={t('region.newProgramme.codeHint')}
          value={m.code}
          onChange={(e) => onChange({ code: e.target.value })}
          error={error('code')}
        />
        <TextInput id={fieldId(m.key, 'title')} label={t('region.newProgramme.milestoneTitle')} value={m.title} onChange={(e) => onChange({ title: e.target.value })} error={error('title')} />
        <Field id={fieldId(m.key, 'description')} label={t('region.newProgramme.milestoneDescription')} error={error('description')}>
          {(control) => <textarea className="region-textarea" value={m.description} onChange={(e) => onChange({ description: e.target.value })} {...control} />}
        </Field>
        <TextInput
          id={fieldId(m.key, 'amount')}
          inputMode="decimal"
          autoComplete="off"
          label={t('region.newProgramme.amount')}
          hint={t('region.newProgramme.amountHint')}
          value={m.amount}
          onChange={(e) => onChange({ amount: e.target.value })}
          error={error('amount')}
        />
        {removable && (
          <Button variant="secondary" icon={Trash2} aria-describedby={legendId} onClick={onRemove}>
            {t('region.newProgramme.remove')}
          </Button>
        )}
      </fieldset>
    </li>
  );
}
