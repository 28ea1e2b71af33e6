import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { closeIncidentBodySchema } from '../../../../contracts/incidents';
import { useMe } from '../../../app/session';
import { useFormErrors } from '../../../lib/forms';
import { Button, ConfirmDialog, ErrorSummary, Field, LoadError, Notice, PageHeader, Spinner, useToast } from '../../../ui';
import { closeIncident, incidentKeys, incidentQuery } from '../api';
import { canFollow } from '../model';
import '../incidents.css';

const route = getRouteApi('/app/incidents/$id/cloturer');
const LESSONS_ID = 'incident-lessons';

/** /incidents/$id/cloturer — closing an incident with its lessons learned, after a confirmation. */
export function ClosePage() {
  const { t } = useTranslation();
  const me = useMe();
  const { id } = route.useParams();
  const detail = useQuery(incidentQuery(id));
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const toast = useToast();
  const { errors, validate, fail, clear } = useFormErrors();
  const [lessons, setLessons] = useState('');
  const [confirming, setConfirming] = useState(false);
  const close = useMutation({
    mutationFn: () => closeIncident(id, { lessons }),
    onSuccess: (saved) => {
      clear();
      setConfirming(false);
      queryClient.setQueryData(incidentKeys.detail(id), saved);
      void queryClient.invalidateQueries({ queryKey: incidentKeys.lists });
      toast(t('incidents.declare.close.done', { reference: saved.incident.reference }));
      void navigate({ to: '/incidents/$id', params: { id } });
    },
    onError: (error) => {
      setConfirming(false);
      fail(error);
    },
  });
  const title = t('incidents.declare.close.title');
  const breadcrumb = [
    { label: t('incidents.declare.list.title'), to: '/incidents' as const },
  ];

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (validate(closeIncidentBodySchema, { lessons })) setConfirming(true);
  };

  return (
    <>
      <PageHeader title={title} breadcrumb={breadcrumb} lead={detail.data && <p>{t('incidents.declare.close.lead', { reference: detail.data.incident.reference, title: detail.data.incident.title })}</p>} />
      {detail.isError ? (
        <LoadError error={detail.error} onRetry={() => void detail.refetch()} />
      ) : detail.isPending ? (
        <Spinner />
      ) : !canFollow(me) || detail.data.incident.status !== 'declared' ? (
        <Notice tone="info">
          <p>{detail.data.incident.status === 'closed' ? t('incidents.declare.close.already') : detail.data.incident.status === 'draft' ? t('incidents.declare.close.draft') : t('incidents.declare.close.notAllowed')}</p>
          <Link to="/incidents/$id" params={{ id }}>
            {t('incidents.declare.declare.seeIncident')}
          </Link>
        </Notice>
      ) : (
        <form className="form" onSubmit={submit} noValidate>
          <ErrorSummary errors={errors} fieldIds={{ lessons: LESSONS_ID }} />
          {detail.data.obligations.some((o) => o.status === 'pending') && (
            <Notice tone="warning">
              <p>{t('incidents.declare.close.pendingObligations')}</p>
            </Notice>
          )}
          <Field id={LESSONS_ID} label={t('incidents.declare.close.lessons')} hint={t('incidents.declare.close.lessonsHint')} error={errors.fields.lessons} className="field--wide">
            {(control) => <textarea {...control} className="input textarea" rows={8} maxLength={10_000} value={lessons} onChange={(e) => setLessons(e.target.value)} />}
          </Field>
          <div className="actions">
            <Button type="submit">{t('incidents.declare.close.submit')}</Button>
            <Link to="/incidents/$id" params={{ id }}>
              {t('incidents.declare.complete.cancel')}
            </Link>
          </div>
          <ConfirmDialog
            open={confirming}
            title={t('incidents.declare.close.confirmTitle')}
            confirmLabel={t('incidents.declare.close.confirm')}
            pending={close.isPending}
            onConfirm={() => close.mutate()}
            onClose={() => setConfirming(false)}
          >
            <p>{t('incidents.declare.close.confirmText')}</p>
          </ConfirmDialog>
        </form>
      )}
    </>
  );
}
