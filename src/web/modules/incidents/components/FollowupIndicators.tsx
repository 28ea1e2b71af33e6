import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Download, ShieldPlus, Trash2 } from 'lucide-react';
import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { addIndicatorBodySchema, type Indicator, INDICATOR_TYPES, type IndicatorType, SHAREABLE_TLP, type Tlp, TLP_LEVELS } from '../../../../contracts/incidents';
import { useFormErrors } from '../../../lib/forms';
import { Button, Checkbox, ConfirmDialog, EmptyState, ErrorSummary, Field, Select, Table, type Column } from '../../../ui';
import { addIndicator, deleteIndicator, followUpKey, stixHref, useFollowFormat } from '../followup-api';

/**
 * A TLP marking in words, coloured as FIRST's TLP 2.0 asks: the level's colour on a black
 * background (every pair is above 4.5:1); the words carry the meaning, never the colour alone.
 */
export function TlpBadge({ tlp }: { tlp: Tlp }) {
  const { t } = useTranslation();
  return <span className={`tlp tlp--${tlp.replace('_', '-')}`}>{t(`incidents.common.tlp.${tlp}`)}</span>;
}

/** Indicators of compromise of the incident, their TLP marking, the STIX 2.1 export and the form to add one. */
export function FollowupIndicators({ incidentId, indicators, editable }: { incidentId: string; indicators: Indicator[]; editable: boolean }) {
  const { t } = useTranslation();
  const { dateTime } = useFollowFormat();
  const queryClient = useQueryClient();
  const titleId = useId();
  const [removing, setRemoving] = useState<Indicator | null>(null);
  const [announce, setAnnounce] = useState('');

  const remove = useMutation({
    mutationFn: (item: Indicator) => deleteIndicator(incidentId, item.id),
    onSuccess: async (_ok, item) => {
      setRemoving(null);
      await queryClient.invalidateQueries({ queryKey: followUpKey(incidentId) });
      setAnnounce(t('incidents.follow.indicators.removed', { value: item.value }));
    },
  });

  const columns: Column<Indicator>[] = [
    { key: 'value', header: t('incidents.follow.indicators.columns.value'), rowHeader: true, cell: (row) => <code className="followup-ioc">{row.value}</code>, sortValue: (row) => row.value },
    { key: 'type', header: t('incidents.follow.indicators.columns.type'), cell: (row) => t(`incidents.common.indicatorType.${row.type}`), sortValue: (row) => row.type },
    { key: 'tlp', header: t('incidents.follow.indicators.columns.tlp'), cell: (row) => <TlpBadge tlp={row.tlp} />, sortValue: (row) => TLP_LEVELS.indexOf(row.tlp) },
    {
      key: 'identity',
      header: t('incidents.follow.indicators.columns.identity'),
      cell: (row) =>
        !SHAREABLE_TLP.includes(row.tlp)
          ? t('incidents.follow.indicators.notShared')
          : row.shareIdentity
            ? t('incidents.follow.indicators.named')
            : t('incidents.follow.indicators.anonymous'),
    },
    { key: 'description', header: t('incidents.follow.indicators.columns.description'), cell: (row) => row.description ?? '' },
    {
      key: 'added',
      header: t('incidents.follow.indicators.columns.added'),
      cell: (row) => (row.createdByName ? t('incidents.follow.indicators.by', { date: dateTime(row.createdAt), name: row.createdByName }) : dateTime(row.createdAt)),
      sortValue: (row) => row.createdAt,
    },
    ...(editable
      ? [
          {
            key: 'actions',
            header: t('incidents.follow.indicators.columns.actions'),
            cell: (row: Indicator) => (
              <Button variant="secondary" icon={Trash2} onClick={() => setRemoving(row)}>
                {t('incidents.follow.indicators.remove')}
                <span className="sr-only"> {row.value}</span>
              </Button>
            ),
          },
        ]
      : []),
  ];

  return (
    <section className="followup__block" aria-labelledby={titleId}>
      <h2 id={titleId}>{t('incidents.follow.indicators.title')}</h2>
      <p className="followup__lead">{t('incidents.follow.indicators.lead')}</p>
      <Table
        caption={t('incidents.follow.indicators.caption')}
        captionHidden
        columns={columns}
        rows={indicators}
        rowKey={(row) => row.id}
        initialSort={{ key: 'added', direction: 'ascending' }}
        empty={
          <EmptyState title={t('incidents.follow.indicators.emptyTitle')}>
            <p>{editable ? t('incidents.follow.indicators.emptyText') : t('incidents.follow.indicators.emptyReadOnly')}</p>
          </EmptyState>
        }
      />
      {indicators.length > 0 && (
        <p className="followup-export">
          <a href={stixHref(incidentId)} download className="button button--secondary" aria-describedby="stix-hint">
            <Download className="icon" aria-hidden="true" />
            {t('incidents.follow.indicators.export')}
          </a>
          <span className="field__hint" id="stix-hint">
            {t('incidents.follow.indicators.exportHint')}
          </span>
        </p>
      )}
      {editable && <IndicatorForm incidentId={incidentId} onAdded={(value) => setAnnounce(t('incidents.follow.indicators.added', { value }))} />}
      <p className="sr-only" role="status">
        {announce}
      </p>
      <ConfirmDialog
        open={removing !== null}
        title={t('incidents.follow.indicators.confirmTitle', { value: removing?.value ?? '' })}
        confirmLabel={t('incidents.follow.indicators.remove')}
        danger
        onConfirm={() => removing && remove.mutate(removing)}
        onClose={() => {
          setRemoving(null);
          remove.reset();
        }}
        pending={remove.isPending}
        error={remove.isError ? remove.error.message : undefined}
      >
        <p>{t('incidents.follow.indicators.confirmText')}</p>
      </ConfirmDialog>
    </section>
  );
}

const FIELD_IDS = { type: 'indicator-type', value: 'indicator-value', tlp: 'indicator-tlp-clear', shareIdentity: 'indicator-share', description: 'indicator-description' };

function IndicatorForm({ incidentId, onAdded }: { incidentId: string; onAdded: (value: string) => void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const form = useFormErrors();
  const titleId = useId();
  const [values, setValues] = useState({ type: 'ipv4' as IndicatorType, value: '', tlp: 'amber' as Tlp, shareIdentity: false, description: '' });

  const add = useMutation({
    mutationFn: (body: Parameters<typeof addIndicator>[1]) => addIndicator(incidentId, body),
    onSuccess: async (indicator) => {
      // The type and the marking often repeat: kept for the next one.
      setValues((v) => ({ ...v, value: '', description: '' }));
      form.clear();
      await queryClient.invalidateQueries({ queryKey: followUpKey(incidentId) });
      onAdded(indicator.value);
    },
    onError: form.fail,
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const body = form.validate(addIndicatorBodySchema, {
      type: values.type,
      value: values.value,
      tlp: values.tlp,
      shareIdentity: values.shareIdentity,
      ...(values.description.trim() ? { description: values.description } : {}),
    });
    if (body) add.mutate(body);
  };

  const errors = form.errors.fields;
  return (
    <form className="followup-form" noValidate onSubmit={submit} aria-labelledby={titleId}>
      <h3 id={titleId}>{t('incidents.follow.indicators.formTitle')}</h3>
      <ErrorSummary errors={form.errors} fieldIds={FIELD_IDS} />
      <Select
        id={FIELD_IDS.type}
        label={t('incidents.follow.indicators.type')}
        value={values.type}
        onChange={(event) => setValues((v) => ({ ...v, type: event.target.value as IndicatorType }))}
        error={errors.type}
      >
        {INDICATOR_TYPES.map((type) => (
          <option key={type} value={type}>
            {t(`incidents.common.indicatorType.${type}`)}
          </option>
        ))}
      </Select>
      <Field id={FIELD_IDS.value} label={t('incidents.follow.indicators.value')} hint={t(`incidents.follow.indicators.valueHint.${values.type}`)} error={errors.value}>
        {(control) => (
          <input
            className="input input--mono"
            type="text"
            spellCheck={false}
            autoCapitalize="off"
            autoComplete="off"
            value={values.value}
            onChange={(event) => setValues((v) => ({ ...v, value: event.target.value }))}
            {...control}
          />
        )}
      </Field>
      <fieldset className={['followup-fieldset', errors.tlp ? 'field--error' : ''].filter(Boolean).join(' ')} aria-describedby={['indicator-tlp-hint', errors.tlp ? 'indicator-tlp-error' : ''].filter(Boolean).join(' ')}>
        <legend className="followup-fieldset__legend">{t('incidents.follow.indicators.tlpLegend')}</legend>
        <p className="field__hint" id="indicator-tlp-hint">
          {t('incidents.follow.indicators.tlpHint')}
        </p>
        {errors.tlp && (
          <p className="field__error" id="indicator-tlp-error">
            {errors.tlp}
          </p>
        )}
        <div className="followup-choices followup-choices--stacked">
          {TLP_LEVELS.map((level) => (
            <div key={level} className="followup-choice">
              <input
                type="radio"
                id={`indicator-tlp-${level}`}
                name="indicator-tlp"
                value={level}
                checked={values.tlp === level}
                onChange={() => setValues((v) => ({ ...v, tlp: level }))}
                aria-describedby={`indicator-tlp-${level}-hint`}
              />
              <label htmlFor={`indicator-tlp-${level}`}>{t(`incidents.common.tlp.${level}`)}</label>
              <span className="followup-choice__hint" id={`indicator-tlp-${level}-hint`}>
                {t(`incidents.common.tlpHint.${level}`)}
              </span>
            </div>
          ))}
        </div>
      </fieldset>
      <Checkbox
        id={FIELD_IDS.shareIdentity}
        label={t('incidents.follow.indicators.shareIdentity')}
        hint={t('incidents.follow.indicators.shareIdentityHint')}
        checked={values.shareIdentity}
        onChange={(event) => setValues((v) => ({ ...v, shareIdentity: event.target.checked }))}
        error={errors.shareIdentity}
      />
      <Field id={FIELD_IDS.description} label={t('incidents.follow.indicators.description')} hint={t('incidents.follow.indicators.descriptionHint')} error={errors.description}>
        {(control) => <textarea className="input textarea" rows={2} value={values.description} onChange={(event) => setValues((v) => ({ ...v, description: event.target.value }))} {...control} />}
      </Field>
      <Button type="submit" icon={ShieldPlus} loading={add.isPending}>
        {t('incidents.follow.indicators.submit')}
      </Button>
    </form>
  );
}
