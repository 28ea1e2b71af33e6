import { useQuery, useQueryClient } from '@tanstack/react-query';
import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { Save } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { declarationContentSchema, missingForDeclaration, type IncidentDetail } from '../../../../contracts/incidents';
import type { Me } from '../../../../contracts/identity';
import { useMe } from '../../../app/session';
import { ApiError } from '../../../lib/api';
import type { FormErrors } from '../../../lib/forms';
import { Button, ErrorSummary, Field, LoadError, Notice, PageHeader, Spinner, useToast } from '../../../ui';
import { useAssessmentFormat } from '../../assessment/format';
import { historyQuery, incidentKeys, incidentQuery, updateIncident } from '../api';
import { DeclarationForm } from '../components/DeclarationForm';
import { completeSlot, newLocalDraft, readLocal, removeLocal, stableJson, writeLocal, type LocalDraft } from '../draft-store';
import { canDeclare, FIELD_IDS, normaliseFieldPaths } from '../model';
import { ConflictPanel } from './DeclarePage';
import '../incidents.css';

const route = getRouteApi('/app/incidents/$id/completer');

/**
 * /incidents/$id/completer — the declaration, pre-filled, to complete as facts come in. What
 * is typed is kept on this device until it is sent; each change sent is kept in the history.
 */
export function CompletePage() {
  const { t } = useTranslation();
  const me = useMe();
  const { id } = route.useParams();
  const detail = useQuery(incidentQuery(id));
  const title = t('incidents.declare.complete.title');
  const breadcrumb = [
    { label: t('incidents.declare.list.title'), to: '/incidents' as const },
  ];
  return (
    <>
      <PageHeader title={title} breadcrumb={breadcrumb} lead={detail.data && <p>{t('incidents.declare.complete.lead', { reference: detail.data.incident.reference })}</p>} />
      {detail.isError ? (
        <LoadError error={detail.error} onRetry={() => void detail.refetch()} />
      ) : detail.isPending ? (
        <Spinner />
      ) : !canDeclare(me) ? (
        <Notice tone="info">
          <p>{t('incidents.declare.declare.notAllowed')}</p>
        </Notice>
      ) : detail.data.incident.status !== 'declared' ? (
        <Notice tone="info">
          <p>{detail.data.incident.status === 'draft' ? t('incidents.declare.complete.draft') : t('incidents.declare.complete.closed')}</p>
          <Link to="/incidents/$id" params={{ id }}>
            {t('incidents.declare.declare.seeIncident')}
          </Link>
        </Notice>
      ) : (
        <CompleteForm me={me} detail={detail.data} />
      )}
    </>
  );
}

const noErrors: FormErrors = { fields: {} };

function CompleteForm({ me, detail }: { me: Me; detail: IncidentDetail }) {
  const { t } = useTranslation();
  const { dateTime } = useAssessmentFormat();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const toast = useToast();
  const id = detail.incident.id;
  const slot = completeSlot(id);
  const [restored] = useState(() => {
    const local = readLocal(me.user.id, slot);
    return local && stableJson(local.content) !== stableJson(detail.content) ? local : null;
  });
  const [draft, setDraft] = useState<LocalDraft>(() => restored ?? { ...newLocalDraft(slot, detail.incident.orgId, detail.content, { id, version: detail.incident.version }), comment: '' });
  const [showRestored, setShowRestored] = useState(restored !== null);
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [conflict, setConflict] = useState<IncidentDetail | null>(null);
  const [saving, setSaving] = useState(false);

  const keep = (patch: Partial<LocalDraft>) => {
    setDraft((current) => {
      const next = { ...current, ...patch, typedAt: new Date().toISOString(), unsaved: true };
      writeLocal(me.user.id, next);
      return next;
    });
  };

  const startOver = () => {
    removeLocal(me.user.id, slot);
    setDraft({ ...newLocalDraft(slot, detail.incident.orgId, detail.content, { id, version: detail.incident.version }), comment: '' });
    setShowRestored(false);
    setConflict(null);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (saving) return;
    const fields: Record<string, string> = {};
    const parsed = declarationContentSchema.safeParse(draft.content);
    if (!parsed.success) for (const issue of parsed.error.issues) fields[`content.${issue.path.map(String).join('.')}`] ??= issue.message;
    for (const missing of missingForDeclaration(parsed.success ? parsed.data : draft.content)) fields[missing.path] ??= missing.message;
    if ((draft.comment ?? '').length > 500) fields.comment = t('incidents.declare.complete.commentTooLong');
    if (Object.keys(fields).length > 0) {
      setErrors({ fields: normaliseFieldPaths(fields) });
      return;
    }
    setErrors(noErrors);
    setSaving(true);
    try {
      const saved = await updateIncident(id, { content: parsed.success ? parsed.data : draft.content, version: draft.base ?? detail.incident.version, comment: draft.comment?.trim() || undefined });
      removeLocal(me.user.id, slot);
      queryClient.setQueryData(incidentKeys.detail(id), saved);
      void queryClient.invalidateQueries({ queryKey: incidentKeys.lists });
      void queryClient.invalidateQueries({ queryKey: historyQuery(id).queryKey });
      toast(t('incidents.declare.complete.done'));
      void navigate({ to: '/incidents/$id', params: { id } });
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) {
        const current = await queryClient.fetchQuery({ ...incidentQuery(id), staleTime: 0 }).catch(() => null);
        if (current && current.incident.status === 'declared') setConflict(current);
        setErrors({ fields: {}, message: current?.incident.status === 'declared' ? t('incidents.declare.declare.conflict') : error.message });
      } else if (error instanceof ApiError && error.fields.length > 0) {
        setErrors({ fields: normaliseFieldPaths(Object.fromEntries(error.fields.map((f) => [f.path, f.message]))) });
      } else {
        setErrors({ fields: {}, message: error instanceof ApiError && error.code === 'network' ? t('incidents.declare.complete.offline') : error instanceof Error ? error.message : String(error) });
      }
    } finally {
      setSaving(false);
    }
  };

  return (
    <form className="declaration" onSubmit={(e) => void submit(e)} noValidate aria-label={t('incidents.declare.complete.formLabel')}>
      <ErrorSummary errors={errors} fieldIds={FIELD_IDS} />
      {showRestored && restored && (
        <Notice tone="info" title={t('incidents.declare.complete.restoredTitle')}>
          <p>{t('incidents.declare.complete.restoredText', { date: dateTime(restored.typedAt) })}</p>
          <Button variant="secondary" onClick={startOver}>
            {t('incidents.declare.complete.startOver')}
          </Button>
        </Notice>
      )}
      {conflict && (
        <ConflictPanel
          mine={draft.content}
          theirs={conflict}
          onKeepMine={() => {
            keep({ base: conflict.incident.version });
            setConflict(null);
            setErrors(noErrors);
          }}
          onTakeTheirs={() => {
            keep({ content: conflict.content, base: conflict.incident.version });
            setConflict(null);
            setErrors(noErrors);
          }}
        />
      )}
      <p className="field__hint">{t('incidents.declare.complete.kept')}</p>
      <DeclarationForm value={draft.content} onChange={(content) => keep({ content })} errors={errors.fields} orgId={detail.incident.orgId} />
      <section className="declaration-form__section" aria-labelledby="complete-comment-title">
        <h2 id="complete-comment-title">{t('incidents.declare.complete.commentTitle')}</h2>
        <Field id={FIELD_IDS.comment} label={t('incidents.declare.complete.comment')} hint={t('incidents.declare.complete.commentHint')} error={errors.fields.comment} className="field--wide">
          {(control) => <textarea {...control} className="input textarea" rows={2} maxLength={500} value={draft.comment ?? ''} onChange={(e) => keep({ comment: e.target.value })} />}
        </Field>
      </section>
      <div className="declaration__bar">
        <div className="actions">
          <Button type="submit" icon={Save} loading={saving}>
            {t('incidents.declare.complete.submit')}
          </Button>
          <Link to="/incidents/$id" params={{ id }}>
            {t('incidents.declare.complete.cancel')}
          </Link>
        </div>
      </div>
    </form>
  );
}
