import { useQuery, useQueryClient } from '@tanstack/react-query';
import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { RefreshCw, Send, Trash2 } from 'lucide-react';
import { useEffect, useState, useSyncExternalStore, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { declarationContentSchema, missingForDeclaration, type DeclarationContent, type IncidentDetail } from '../../../../contracts/incidents';
import type { Me } from '../../../../contracts/identity';
import { useMe } from '../../../app/session';
import { ApiError } from '../../../lib/api';
import type { FormErrors } from '../../../lib/forms';
import { Button, buttonClass, ConfirmDialog, ErrorSummary, LoadError, Notice, PageHeader, Select, Spinner, useToast } from '../../../ui';
import { useAssessmentFormat } from '../../assessment/format';
import { organisationsQuery } from '../../identity/api';
import { declareIncident, discardDraft, incidentKeys, incidentQuery } from '../api';
import { DeclarationForm } from '../components/DeclarationForm';
import {
  DeclarationAutosave,
  draftSlot,
  findLocalDraft,
  newLocalDraft,
  newSlot,
  readLocal,
  removeLocal,
  removeLocalIncident,
  serverSafe,
  stableJson,
  type LocalDraft,
  type SaveState,
} from '../draft-store';
import { activeEstablishmentId, canDeclare, FIELD_IDS, normaliseFieldPaths, nowToMinute } from '../model';
import { ChangedFields } from './HistoryPage';
import '../incidents.css';

const route = getRouteApi('/app/incidents/declarer');

/** The form as it opens: the declarant from the profile, discovered « now » (Paris). */
function startingContent(me: Me): DeclarationContent {
  return { declarant: { name: me.user.displayName, email: me.user.email }, discoveredAt: nowToMinute() };
}

/**
 * /incidents/declarer — the guided declaration, saved as the person types (on this device at
 * once, on the server after a pause), forgiving a dropped network and a reload; « Déclarer
 * l'incident » sends it to the health authorities' circuit. `?brouillon=<id>` resumes a draft.
 */
export function DeclarePage() {
  const { t } = useTranslation();
  const me = useMe();
  const { brouillon } = route.useSearch();
  const title = t('incidents.declare.declare.title');
  const breadcrumb = [{ label: t('incidents.declare.list.title'), to: '/incidents' as const }];

  if (!canDeclare(me)) {
    return (
      <>
        <PageHeader title={title} breadcrumb={breadcrumb} />
        <Notice tone="info">
          <p>{t('incidents.declare.declare.notAllowed')}</p>
        </Notice>
      </>
    );
  }
  return (
    <>
      <PageHeader title={title} breadcrumb={breadcrumb} lead={<p>{t('incidents.declare.declare.lead')}</p>} />
      {brouillon ? <ResumeServerDraft key={brouillon} id={brouillon} me={me} /> : <StartDeclaration me={me} />}
    </>
  );
}

/** A new declaration: for the active establishment, or one chosen among a GHT's. */
function StartDeclaration({ me }: { me: Me }) {
  const { t } = useTranslation();
  const fixed = activeEstablishmentId(me);
  const [chosen, setChosen] = useState('');
  const orgs = useQuery({ ...organisationsQuery(me.activeOrgId), enabled: fixed === null && me.activeOrgId !== null });
  if (fixed) return <NewDeclaration key={fixed} me={me} orgId={fixed} />;
  if (orgs.isError) return <LoadError error={orgs.error} onRetry={() => void orgs.refetch()} />;
  if (orgs.isPending) return <Spinner />;
  const establishments = orgs.data.organisations.filter((org) => org.kind === 'establishment' && !org.archived);
  return (
    <>
      <Select id={FIELD_IDS.orgId} label={t('incidents.declare.declare.establishment')} hint={t('incidents.declare.declare.establishmentHint')} value={chosen} onChange={(e) => setChosen(e.target.value)}>
        <option value="">{t('incidents.declare.declare.chooseEstablishment')}</option>
        {establishments.map((org) => (
          <option key={org.id} value={org.id}>
            {org.name}
          </option>
        ))}
      </Select>
      {chosen && <NewDeclaration key={chosen} me={me} orgId={chosen} />}
    </>
  );
}

/** Offers to resume what this device kept; otherwise a fresh form. */
function NewDeclaration({ me, orgId }: { me: Me; orgId: string }) {
  const { t } = useTranslation();
  const { dateTime } = useAssessmentFormat();
  const slot = newSlot(orgId);
  const [kept] = useState(() => readLocal(me.user.id, slot));
  const [draft, setDraft] = useState<LocalDraft | null>(() => (kept ? null : newLocalDraft(slot, orgId, startingContent(me))));

  if (draft) return <DeclarationEditor key={draft.idempotencyKey} me={me} draft={draft} />;
  return (
    <section aria-labelledby="resume-title" className="resume">
      <Notice tone="warning">
        <h2 id="resume-title" className="notice__title">
          {t('incidents.declare.resume.title')}
        </h2>
        <p>
          {t('incidents.declare.resume.text', { date: dateTime(kept!.typedAt), title: kept!.content.title?.trim() || t('incidents.declare.untitled') })}
        </p>
        {kept!.incidentId && <p>{t('incidents.declare.resume.serverCopy')}</p>}
        <div className="actions">
          <Button onClick={() => setDraft(kept)}>{t('incidents.declare.resume.resume')}</Button>
          <Button
            variant="secondary"
            onClick={() => {
              removeLocal(me.user.id, slot);
              setDraft(newLocalDraft(slot, orgId, startingContent(me)));
            }}
          >
            {t('incidents.declare.resume.startOver')}
          </Button>
        </div>
      </Notice>
    </section>
  );
}

/** `?brouillon=<id>`: the server's draft, or this device's newer copy of it. */
function ResumeServerDraft({ id, me }: { id: string; me: Me }) {
  const { t } = useTranslation();
  const detail = useQuery(incidentQuery(id));
  if (detail.isError) return <LoadError error={detail.error} onRetry={() => void detail.refetch()} />;
  if (detail.isPending) return <Spinner />;
  if (detail.data.incident.status !== 'draft') {
    return (
      <Notice tone="info">
        <p>{t('incidents.declare.declare.alreadyDeclared', { reference: detail.data.incident.reference })}</p>
        <Link to="/incidents/$id" params={{ id }}>
          {t('incidents.declare.declare.seeIncident')}
        </Link>
      </Notice>
    );
  }
  return <ServerDraftEditor me={me} detail={detail.data} />;
}

/** This device's copy wins when it holds something not yet sent (a 409 then lets the person choose). */
function ServerDraftEditor({ me, detail }: { me: Me; detail: IncidentDetail }) {
  const [draft] = useState<LocalDraft>(() => {
    const { incident, content } = detail;
    const local = findLocalDraft(me.user.id, incident.id);
    if (local?.unsaved) return local;
    if (local) return { ...local, content, base: incident.version, unsaved: false };
    return newLocalDraft(draftSlot(incident.id), incident.orgId, content, { id: incident.id, version: incident.version });
  });
  return <DeclarationEditor me={me} draft={draft} />;
}

const noErrors: FormErrors = { fields: {} };

/** Client-side: what the contract refuses and what a declaration needs, by field. */
function checkBeforeDeclaring(content: DeclarationContent): Record<string, string> {
  const fields: Record<string, string> = {};
  const parsed = declarationContentSchema.safeParse(content);
  if (!parsed.success) for (const issue of parsed.error.issues) fields[`content.${issue.path.map(String).join('.')}`] ??= issue.message;
  for (const missing of missingForDeclaration(parsed.success ? parsed.data : content)) fields[missing.path] ??= missing.message;
  return normaliseFieldPaths(fields);
}

function DeclarationEditor({ me, draft }: { me: Me; draft: LocalDraft }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const toast = useToast();
  const [saver] = useState(() => new DeclarationAutosave(queryClient, me.user.id, draft));
  const snapshot = useSyncExternalStore(saver.subscribe, saver.getSnapshot);
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [declaring, setDeclaring] = useState(false);
  const [confirmDiscard, setConfirmDiscard] = useState(false);
  const [discardError, setDiscardError] = useState<string | undefined>();
  const [discarding, setDiscarding] = useState(false);

  useEffect(() => {
    saver.start();
    return () => saver.stop();
  }, [saver]);

  const declared = (detail: IncidentDetail) => {
    saver.clear();
    queryClient.setQueryData(incidentKeys.detail(detail.incident.id), detail);
    void queryClient.invalidateQueries({ queryKey: incidentKeys.lists });
    toast(t('incidents.declare.declare.done', { reference: detail.incident.reference }));
    void navigate({ to: '/incidents/$id', params: { id: detail.incident.id } });
  };

  const declare = async (event: FormEvent) => {
    event.preventDefault();
    if (declaring) return;
    const fields = checkBeforeDeclaring(snapshot.content);
    if (Object.keys(fields).length > 0) {
      setErrors({ fields });
      return;
    }
    setErrors(noErrors);
    setDeclaring(true);
    try {
      const synced = await saver.settle();
      const state = saver.getSnapshot().state;
      if (!synced) {
        setErrors({ fields: {}, message: state.kind === 'offline' ? t('incidents.declare.declare.offline') : state.kind === 'conflict' ? t('incidents.declare.declare.conflict') : t('incidents.declare.declare.notSaved') });
        return;
      }
      const { incidentId, version } = saver.getSnapshot();
      declared(await declareIncident(incidentId!, version!));
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) {
        const current = await queryClient.fetchQuery({ ...incidentQuery(saver.getSnapshot().incidentId!), staleTime: 0 }).catch(() => null);
        if (current && current.incident.status !== 'draft') {
          declared(current);
          return;
        }
        if (current) saver.conflictWith(current);
        setErrors({ fields: {}, message: t('incidents.declare.declare.conflict') });
      } else if (error instanceof ApiError && error.fields.length > 0) {
        setErrors({ fields: normaliseFieldPaths(Object.fromEntries(error.fields.map((f) => [f.path, f.message]))), message: undefined });
      } else {
        setErrors({ fields: {}, message: error instanceof ApiError && error.code === 'network' ? t('incidents.declare.declare.offline') : error instanceof Error ? error.message : String(error) });
      }
    } finally {
      setDeclaring(false);
    }
  };

  const discard = async () => {
    setDiscarding(true);
    setDiscardError(undefined);
    try {
      if (snapshot.incidentId) await discardDraft(snapshot.incidentId);
      saver.clear();
      if (snapshot.incidentId) removeLocalIncident(me.user.id, snapshot.incidentId);
      void queryClient.invalidateQueries({ queryKey: incidentKeys.lists });
      setConfirmDiscard(false);
      toast(t('incidents.declare.discard.done'));
      void navigate({ to: '/incidents' });
    } catch (error) {
      setDiscardError(error instanceof Error ? error.message : String(error));
    } finally {
      setDiscarding(false);
    }
  };

  const onChange = (content: DeclarationContent, delay?: number) => saver.change(content, delay);

  if (snapshot.state.kind === 'notDraft' && snapshot.incidentId) {
    return (
      <Notice tone="info" role="status">
        <p>{t('incidents.declare.declare.declaredElsewhere')}</p>
        <Link to="/incidents/$id" params={{ id: snapshot.incidentId }}>
          {t('incidents.declare.declare.seeIncident')}
        </Link>
      </Notice>
    );
  }

  return (
    <form className="declaration" onSubmit={(e) => void declare(e)} noValidate aria-label={t('incidents.declare.declare.formLabel')}>
      <ErrorSummary errors={errors} fieldIds={FIELD_IDS} />
      <p className="field__hint">{t('incidents.declare.declare.required')}</p>
      {snapshot.state.kind === 'conflict' && <ConflictPanel mine={snapshot.content} theirs={snapshot.state.theirs} onKeepMine={() => saver.keepMine()} onTakeTheirs={() => saver.takeTheirs()} />}
      <DeclarationForm value={snapshot.content} onChange={onChange} errors={errors.fields} orgId={draft.orgId} />
      <div className="declaration__bar">
        <SaveStatus state={snapshot.state} unsaved={snapshot.unsaved} onRetry={() => saver.retry()} />
        <Button type="submit" icon={Send} loading={declaring}>
          {t('incidents.declare.declare.submit')}
        </Button>
      </div>
      {snapshot.incidentId && (
        <p>
          <Button variant="link" icon={Trash2} onClick={() => setConfirmDiscard(true)}>
            {t('incidents.declare.discard.action')}
          </Button>
        </p>
      )}
      <ConfirmDialog
        open={confirmDiscard}
        title={t('incidents.declare.discard.title')}
        confirmLabel={t('incidents.declare.discard.confirm')}
        danger
        pending={discarding}
        error={discardError}
        onConfirm={() => void discard()}
        onClose={() => setConfirmDiscard(false)}
      >
        <p>{t('incidents.declare.discard.text')}</p>
      </ConfirmDialog>
    </form>
  );
}

/** Where saving stands, said politely: « Enregistré à 14 h 05 », offline, a problem. */
export function SaveStatus({ state, unsaved, onRetry }: { state: SaveState; unsaved: boolean; onRetry: () => void }) {
  const { t } = useTranslation();
  const { time } = useAssessmentFormat();
  const text =
    state.kind === 'waiting' || state.kind === 'saving'
      ? t('incidents.declare.save.saving')
      : state.kind === 'saved'
        ? t('incidents.declare.save.saved', { time: time(state.at) })
        : state.kind === 'offline'
          ? t('incidents.declare.save.offline')
          : state.kind === 'error'
            ? t('incidents.declare.save.error', { message: state.message })
            : state.kind === 'conflict'
              ? t('incidents.declare.save.conflict')
              : unsaved
                ? t('incidents.declare.save.saving')
                : t('incidents.declare.save.idle');
  const problem = state.kind === 'offline' || state.kind === 'error' || state.kind === 'conflict';
  return (
    <div className="save-line">
      <p role="status" aria-live="polite" className={problem ? 'save-line__text save-line__text--problem' : 'save-line__text'}>
        {text}
      </p>
      {(state.kind === 'offline' || state.kind === 'error') && (
        <Button variant="secondary" icon={RefreshCw} onClick={onRetry}>
          {t('incidents.declare.save.retry')}
        </Button>
      )}
    </div>
  );
}

/** Someone saved the same declaration meanwhile: what differs, and the person's choice. Nothing is lost until then. */
export function ConflictPanel({ mine, theirs, onKeepMine, onTakeTheirs }: { mine: DeclarationContent; theirs: IncidentDetail; onKeepMine: () => void; onTakeTheirs: () => void }) {
  const { t } = useTranslation();
  const { dateTime } = useAssessmentFormat();
  const safe = serverSafe(mine) as Record<string, unknown>;
  const other = theirs.content as Record<string, unknown>;
  const differing = [...new Set([...Object.keys(safe), ...Object.keys(other)])].filter((key) => stableJson(safe[key]) !== stableJson(other[key]));
  return (
    <div className="conflict" role="alert">
      <p className="conflict__title">{t('incidents.declare.conflict.title', { date: dateTime(theirs.incident.updatedAt) })}</p>
      <p>{t('incidents.declare.conflict.help')}</p>
      {differing.length > 0 && (
        <>
          <p>{t('incidents.declare.conflict.differ')}</p>
          <ChangedFields paths={differing} />
        </>
      )}
      <div className="actions">
        <Button onClick={onKeepMine}>{t('incidents.declare.conflict.keepMine')}</Button>
        <Button variant="secondary" onClick={onTakeTheirs}>
          {t('incidents.declare.conflict.takeTheirs')}
        </Button>
      </div>
    </div>
  );
}

/** The link to start a declaration, the page's primary action elsewhere. */
export function DeclareLink({ className }: { className?: string }) {
  const { t } = useTranslation();
  return (
    <Link to="/incidents/declarer" className={buttonClass('primary', className)}>
      {t('incidents.declare.list.declare')}
    </Link>
  );
}
