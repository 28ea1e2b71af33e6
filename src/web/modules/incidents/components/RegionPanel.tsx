import { useMutation, useQueryClient } from '@tanstack/react-query';
import { CheckCheck, Save } from 'lucide-react';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { REGION_STATUSES, regionFollowUpBodySchema, type IncidentDetail } from '../../../../contracts/incidents';
import { useMe } from '../../../app/session';
import { useFormErrors } from '../../../lib/forms';
import { Button, ErrorSummary, Field, StatusBadge, useToast } from '../../../ui';
import { useRegionFormat } from '../../region/format';
import { activeRegionId, REGION_STATUS_TONES, updateRegionFollowUp, type RegionStatus } from '../region-api';
import '../region.css';

/**
 * The region's follow-up of a declaration, on the incident page, for the region's
 * coordinator only: « Accuser réception » first, then where the region's support stands.
 */
export function RegionPanel({ detail }: { detail: IncidentDetail }) {
  const me = useMe();
  if (!activeRegionId(me) || detail.incident.status === 'draft') return null;
  // The key resets the form when the incident is reloaded with another follow-up.
  return <Panel key={`${detail.incident.regionStatus}|${detail.regionNote ?? ''}`} detail={detail} />;
}

function Panel({ detail }: { detail: IncidentDetail }) {
  const { t } = useTranslation();
  const fmt = useRegionFormat();
  const toast = useToast();
  const queryClient = useQueryClient();
  const form = useFormErrors();
  const incident = detail.incident;
  const [status, setStatus] = useState<RegionStatus>(incident.regionStatus);
  const [note, setNote] = useState(detail.regionNote ?? '');
  // Once acknowledged, a declaration cannot become « new » again.
  const choices = incident.regionStatus === 'new' ? REGION_STATUSES : REGION_STATUSES.filter((s) => s !== 'new');

  const save = useMutation({
    mutationFn: (body: { status: RegionStatus; note?: string }) => updateRegionFollowUp(incident.id, body),
    onSuccess: async (_answer, body) => {
      toast(body.status === 'acknowledged' && incident.regionStatus === 'new' ? t('incidents.region.panel.acknowledgedToast') : t('incidents.region.panel.saved'));
      // Everything that shows this incident: its page (whatever its query key) and the inbox.
      await queryClient.invalidateQueries({ predicate: (q) => q.queryKey.includes(incident.id) || (q.queryKey[0] === 'incidents' && q.queryKey[1] === 'region') });
    },
    onError: form.fail,
  });

  const send = (next: RegionStatus) => {
    const body = form.validate(regionFollowUpBodySchema, { status: next, note });
    if (body) save.mutate(body);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    send(status);
  };

  return (
    <section aria-labelledby="region-panel-title" className="inc-region-panel">
      <h2 id="region-panel-title">{t('incidents.region.panel.title')}</h2>
      <p>
        <StatusBadge tone={REGION_STATUS_TONES[incident.regionStatus]}>{t(`incidents.common.regionStatus.${incident.regionStatus}`)}</StatusBadge>{' '}
        {detail.regionAcknowledgedAt &&
          (detail.regionAcknowledgedByName
            ? t('incidents.region.panel.acknowledgedBy', { name: detail.regionAcknowledgedByName, date: fmt.dateTime(detail.regionAcknowledgedAt) })
            : t('incidents.region.panel.acknowledgedOn', { date: fmt.dateTime(detail.regionAcknowledgedAt) }))}
      </p>
      {incident.supportRequested && (
        <p>
          <strong>{t('incidents.region.panel.supportRequested')}</strong> {detail.content.supportDetails}
        </p>
      )}
      <ErrorSummary errors={form.errors} fieldIds={{ status: `region-status-${choices[0]}`, note: 'region-note' }} />
      {incident.regionStatus === 'new' && (
        <div className="inc-region-primary">
          <p>{t('incidents.region.panel.newLead', { org: incident.orgName })}</p>
          <Button icon={CheckCheck} loading={save.isPending && save.variables.status === 'acknowledged'} onClick={() => send('acknowledged')}>
            {t('incidents.region.panel.acknowledge')}
          </Button>
        </div>
      )}
      <form className="form" noValidate onSubmit={submit}>
        <fieldset className="inc-region-fieldset">
          <legend className="inc-region-legend">{t('incidents.region.panel.status')}</legend>
          <div className="inc-region-radios inc-region-radios--column">
            {choices.map((s) => (
              <div key={s} className="inc-region-radio">
                <input
                  type="radio"
                  id={`region-status-${s}`}
                  name="region-status"
                  value={s}
                  checked={status === s}
                  onChange={() => setStatus(s)}
                  aria-describedby={`region-status-${s}-hint`}
                />
                <div className="inc-region-radio__text">
                  <label htmlFor={`region-status-${s}`}>{t(`incidents.common.regionStatus.${s}`)}</label>
                  <span id={`region-status-${s}-hint`} className="inc-region-radio__hint">
                    {t(`incidents.region.panel.statusHint.${s}`)}
                  </span>
                </div>
              </div>
            ))}
          </div>
        </fieldset>
        <Field id="region-note" label={t('incidents.region.panel.note')} hint={t('incidents.region.panel.noteHint')} error={form.errors.fields.note}>
          {(control) => <textarea className="inc-region-textarea" rows={3} value={note} onChange={(e) => setNote(e.target.value)} {...control} />}
        </Field>
        <div className="actions">
          <Button type="submit" variant={incident.regionStatus === 'new' ? 'secondary' : 'primary'} icon={Save} loading={save.isPending && save.variables.status !== 'acknowledged'}>
            {t('incidents.region.panel.save')}
          </Button>
        </div>
      </form>
    </section>
  );
}
