import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { Megaphone } from 'lucide-react';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ALERT_SEVERITIES, publishAlertBodySchema } from '../../../../contracts/incidents';
import { useMe } from '../../../app/session';
import { useFormErrors } from '../../../lib/forms';
import { Button, Checkbox, ErrorSummary, Field, LoadError, PageHeader, Spinner, TextInput, useToast } from '../../../ui';
import { activeRegionId, publishAlert, regionEstablishmentsQuery, type AlertSeverity } from '../region-api';
import { RegionOnly } from './RegionInboxPage';
import '../region.css';

/** Publishing an alert or a bulletin to all or some of the region's establishments. */
export function NewAlertPage() {
  const { t } = useTranslation();
  const me = useMe();
  const regionId = activeRegionId(me);
  const title = t('incidents.region.newAlert.title');
  if (!regionId) return <RegionOnly title={title} />;
  return <NewAlertForm regionId={regionId} title={title} />;
}

const FIELD_IDS = {
  title: 'alert-title',
  severity: 'alert-severity-info',
  summary: 'alert-summary',
  whatToCheck: 'alert-check',
  whatToDo: 'alert-do',
  products: 'alert-products',
  establishmentIds: 'alert-recipients-all',
};

interface Values {
  title: string;
  severity: AlertSeverity | '';
  summary: string;
  whatToCheck: string;
  whatToDo: string;
  products: string;
  everyone: boolean;
}

function NewAlertForm({ regionId, title }: { regionId: string; title: string }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const toast = useToast();
  const queryClient = useQueryClient();
  const form = useFormErrors();
  const establishments = useQuery(regionEstablishmentsQuery(regionId));
  const [values, setValues] = useState<Values>({ title: '', severity: '', summary: '', whatToCheck: '', whatToDo: '', products: '', everyone: true });
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const choices = (establishments.data?.organisations ?? []).filter((o) => o.kind === 'establishment' && !o.archived).sort((a, b) => a.name.localeCompare(b.name, 'fr'));
  const set = <K extends keyof Values>(key: K) => (value: Values[K]) => setValues((v) => ({ ...v, [key]: value }));
  // Errors on one product ("products.2") are shown at the products field.
  const productsError = Object.entries(form.errors.fields).find(([path]) => path === 'products' || path.startsWith('products.'))?.[1];
  const errors = { ...form.errors, fields: Object.fromEntries(Object.entries(form.errors.fields).map(([path, message]) => [path.startsWith('products.') ? 'products' : path, message])) };

  const publish = useMutation({
    mutationFn: publishAlert,
    onSuccess: async (detail) => {
      await queryClient.invalidateQueries({ queryKey: ['incidents', 'alerts'] });
      toast(t('incidents.region.newAlert.done', { count: detail.recipients.length }));
      void navigate({ to: '/alertes/$id', params: { id: detail.alert.id } });
    },
    onError: form.fail,
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const products = values.products
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean);
    const body = form.validate(publishAlertBodySchema, {
      regionId,
      title: values.title,
      severity: values.severity || undefined,
      summary: values.summary,
      whatToCheck: values.whatToCheck,
      whatToDo: values.whatToDo,
      products,
      establishmentIds: values.everyone ? null : [...selected],
    });
    if (body) publish.mutate(body);
  };

  const toggle = (id: string) =>
    setSelected((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  const textarea = (key: 'summary' | 'whatToCheck' | 'whatToDo' | 'products', label: string, hint: string, rows = 4) => (
    <Field id={FIELD_IDS[key]} label={label} hint={hint} error={errors.fields[key] ?? (key === 'products' ? productsError : undefined)}>
      {(control) => <textarea className="inc-region-textarea" rows={rows} value={values[key]} onChange={(e) => set(key)(e.target.value)} {...control} />}
    </Field>
  );

  return (
    <>
      <PageHeader title={title} breadcrumb={[{ label: t('incidents.region.alerts.title'), to: '/alertes' }]} lead={<p>{t('incidents.region.newAlert.lead')}</p>} />
      <ErrorSummary errors={errors} fieldIds={FIELD_IDS} />
      <form className="form" noValidate onSubmit={submit}>
        <TextInput
          id={FIELD_IDS.title}
          label={t('incidents.region.newAlert.fields.title')}
          hint={t('incidents.region.newAlert.fields.titleHint')}
          value={values.title}
          onChange={(e) => set('title')(e.target.value)}
          error={errors.fields.title}
        />
        <fieldset className={errors.fields.severity ? 'inc-region-fieldset field--error' : 'inc-region-fieldset'} aria-describedby={errors.fields.severity ? 'alert-severity-error' : undefined}>
          <legend className="inc-region-legend">{t('incidents.region.newAlert.fields.severity')}</legend>
          {errors.fields.severity && (
            <p className="field__error" id="alert-severity-error">
              <span className="sr-only">{t('ui.errorPrefix')}</span>
              {errors.fields.severity}
            </p>
          )}
          <div className="inc-region-radios">
            {ALERT_SEVERITIES.map((s) => (
              <div key={s} className="inc-region-radio">
                <input
                  type="radio"
                  id={`alert-severity-${s}`}
                  name="alert-severity"
                  value={s}
                  checked={values.severity === s}
                  onChange={() => set('severity')(s)}
                  aria-describedby={`alert-severity-${s}-hint`}
                />
                <div className="inc-region-radio__text">
                  <label htmlFor={`alert-severity-${s}`}>{t(`incidents.common.severity.${s}`)}</label>
                  <span id={`alert-severity-${s}-hint`} className="inc-region-radio__hint">
                    {t(`incidents.region.newAlert.severityHint.${s}`)}
                  </span>
                </div>
              </div>
            ))}
          </div>
        </fieldset>
        {textarea('summary', t('incidents.region.newAlert.fields.summary'), t('incidents.region.newAlert.fields.summaryHint'))}
        {textarea('whatToCheck', t('incidents.region.newAlert.fields.whatToCheck'), t('incidents.region.newAlert.fields.whatToCheckHint'), 5)}
        {textarea('whatToDo', t('incidents.region.newAlert.fields.whatToDo'), t('incidents.region.newAlert.fields.whatToDoHint'), 5)}
        {textarea('products', t('incidents.region.newAlert.fields.products'), t('incidents.region.newAlert.fields.productsHint'), 3)}
        <fieldset className={errors.fields.establishmentIds ? 'inc-region-fieldset field--error' : 'inc-region-fieldset'} aria-describedby={errors.fields.establishmentIds ? 'alert-recipients-error' : undefined}>
          <legend className="inc-region-legend">{t('incidents.region.newAlert.fields.recipients')}</legend>
          {errors.fields.establishmentIds && (
            <p className="field__error" id="alert-recipients-error">
              <span className="sr-only">{t('ui.errorPrefix')}</span>
              {errors.fields.establishmentIds}
            </p>
          )}
          <div className="inc-region-radio">
            <input type="radio" id="alert-recipients-all" name="alert-recipients" checked={values.everyone} onChange={() => set('everyone')(true)} />
            <label htmlFor="alert-recipients-all">{t('incidents.region.newAlert.everyone', { count: choices.length })}</label>
          </div>
          <div className="inc-region-radio">
            <input type="radio" id="alert-recipients-some" name="alert-recipients" checked={!values.everyone} onChange={() => set('everyone')(false)} />
            <label htmlFor="alert-recipients-some">{t('incidents.region.newAlert.some')}</label>
          </div>
          {!values.everyone &&
            (establishments.isError ? (
              <LoadError error={establishments.error} onRetry={() => void establishments.refetch()} />
            ) : establishments.isPending ? (
              <Spinner />
            ) : choices.length === 0 ? (
              <p>{t('incidents.region.newAlert.noEstablishment')}</p>
            ) : (
              <fieldset className="inc-region-checklist">
                <legend>{t('incidents.region.newAlert.chosen')}</legend>
                {choices.map((o) => (
                  <Checkbox
                    key={o.id}
                    id={`alert-org-${o.id}`}
                    label={o.name}
                    hint={o.category ? t(`categories.${o.category}`) : undefined}
                    checked={selected.has(o.id)}
                    onChange={() => toggle(o.id)}
                  />
                ))}
                <p aria-live="polite">{t('incidents.region.newAlert.selected', { count: selected.size })}</p>
              </fieldset>
            ))}
        </fieldset>
        <div className="actions">
          <Button type="submit" icon={Megaphone} loading={publish.isPending}>
            {t('incidents.region.newAlert.submit')}
          </Button>
          <Link to="/alertes">{t('ui.cancel')}</Link>
        </div>
      </form>
    </>
  );
}
