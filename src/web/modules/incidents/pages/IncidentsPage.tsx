import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { ShieldAlert } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { NIS2_CATEGORIES, type IncidentStatus, type IncidentSummary, type Nis2Category } from '../../../../contracts/incidents';
import type { Me } from '../../../../contracts/identity';
import { activeMembership, useMe } from '../../../app/session';
import { Button, EmptyState, LoadError, Notice, PageHeader, Spinner, StatusBadge, useToast } from '../../../ui';
import { useAssessmentFormat } from '../../assessment/format';
import { incidentsQuery, nis2Query, setNis2, statusOfWord, statusWord } from '../api';
import { Countdown, useNow } from '../components/Countdown';
import { activeEstablishmentId, canDeclare, canManageNis2, seesIncidents, STATUS_TONES } from '../model';
import { DeclareLink } from './DeclarePage';
import '../incidents.css';

const route = getRouteApi('/app/incidents');
const FILTERS: (IncidentStatus | undefined)[] = [undefined, 'draft', 'declared', 'closed'];

/** Nearest deadlines first, then the most recently changed. */
function byUrgency(a: IncidentSummary, b: IncidentSummary): number {
  const da = a.nextDeadline ? new Date(a.nextDeadline.dueAt).getTime() : Infinity;
  const db = b.nextDeadline ? new Date(b.nextDeadline.dueAt).getTime() : Infinity;
  if (da !== db) return da - db;
  return b.updatedAt.localeCompare(a.updatedAt);
}

/**
 * /incidents — the incidents of the active establishment (or of the establishments of a GHT
 * or a region): status, type, discovery, the next regulatory deadline as a countdown; the
 * status filter is kept in the URL; « Déclarer un incident » first.
 */
export function IncidentsPage() {
  const { t } = useTranslation();
  const me = useMe();
  const { etat } = route.useSearch();
  const status = statusOfWord(etat);
  const orgId = me.activeOrgId;
  const membership = activeMembership(me);
  const group = membership?.orgKind !== 'establishment';
  const list = useQuery({ ...incidentsQuery(orgId ?? '', status), enabled: orgId !== null && seesIncidents(me) });
  const title = t('incidents.declare.list.title');
  const declare = canDeclare(me);

  if (!orgId || !seesIncidents(me)) {
    return (
      <>
        <PageHeader title={title} />
        <Notice tone="info">
          <p>{t('incidents.declare.list.notAllowed')}</p>
        </Notice>
      </>
    );
  }

  const incidents = [...(list.data?.incidents ?? [])].sort(byUrgency);
  return (
    <>
      <PageHeader
        title={title}
        lead={<p>{group ? t('incidents.declare.list.leadGroup', { org: membership?.orgName ?? '' }) : t('incidents.declare.list.lead', { org: membership?.orgName ?? '' })}</p>}
        actions={declare ? <DeclareLink /> : undefined}
      />
      <nav aria-label={t('incidents.declare.list.filterLabel')} className="status-filter">
        <ul>
          {FILTERS.map((filter) => {
            const active = filter === status;
            return (
              <li key={filter ?? 'all'}>
                <Link to="/incidents" search={filter ? { etat: statusWord(filter) } : {}} aria-current={active ? 'page' : undefined} className={active ? 'status-filter__link status-filter__link--active' : 'status-filter__link'}>
                  {filter ? t(`incidents.declare.list.filter.${filter}`) : t('incidents.declare.list.filter.all')}
                </Link>
              </li>
            );
          })}
        </ul>
      </nav>
      {list.isError ? (
        <LoadError error={list.error} onRetry={() => void list.refetch()} />
      ) : list.isPending ? (
        <Spinner />
      ) : incidents.length === 0 ? (
        status ? (
          <EmptyState title={t('incidents.declare.list.emptyFilteredTitle', { status: t(`incidents.declare.list.filter.${status}`) })} action={<Link to="/incidents">{t('incidents.declare.list.showAll')}</Link>}>
            <p>{t('incidents.declare.list.emptyFilteredText')}</p>
          </EmptyState>
        ) : (
          <EmptyState title={t('incidents.declare.list.emptyTitle')} action={declare ? <DeclareLink /> : undefined}>
            <p>{t('incidents.declare.list.emptyText1')}</p>
            <p>{t('incidents.declare.list.emptyText2')}</p>
          </EmptyState>
        )
      ) : (
        <>
          <h2 className="sr-only">{t('incidents.declare.list.count', { count: incidents.length })}</h2>
          <ul className="incident-list">
            {incidents.map((incident) => (
              <IncidentCard key={incident.id} incident={incident} showOrg={group} me={me} />
            ))}
          </ul>
        </>
      )}
      {activeEstablishmentId(me) && canManageNis2(me) && <Nis2Block orgId={activeEstablishmentId(me)!} />}
    </>
  );
}

function IncidentCard({ incident, showOrg, me }: { incident: IncidentSummary; showOrg: boolean; me: Me }) {
  const { t } = useTranslation();
  const { dateTime } = useAssessmentFormat();
  const title = incident.title || t('incidents.declare.untitled');
  const titleId = `incident-${incident.id}`;
  return (
    <li className={`incident-card incident-card--${incident.status}`} aria-labelledby={titleId}>
      <h3 id={titleId} className="incident-card__title">
        {incident.status === 'draft' && canDeclare(me) ? (
          <Link to="/incidents/declarer" search={{ brouillon: incident.id }}>
            {title}
          </Link>
        ) : (
          <Link to="/incidents/$id" params={{ id: incident.id }}>
            {title}
          </Link>
        )}
      </h3>
      <p className="incident-card__line">
        <span className="incident-card__reference">{incident.reference}</span> <StatusBadge tone={STATUS_TONES[incident.status]}>{t(`incidents.common.status.${incident.status}`)}</StatusBadge>
        {incident.type && <span>{t(`incidents.common.type.${incident.type}`)}</span>}
      </p>
      {showOrg && <p className="incident-card__line">{t('incidents.declare.incident.establishment', { name: incident.orgName })}</p>}
      {incident.discoveredAt && <p className="incident-card__line">{t('incidents.declare.incident.discovered', { date: dateTime(incident.discoveredAt) })}</p>}
      {incident.nextDeadline ? (
        <p className="incident-card__line">
          {t('incidents.declare.list.nextDeadline', { label: t(`incidents.common.obligation.${incident.nextDeadline.kind}`) })} <Countdown dueAt={incident.nextDeadline.dueAt} />
        </p>
      ) : incident.status === 'draft' ? (
        <p className="incident-card__line">{t('incidents.declare.list.draftHint')}</p>
      ) : null}
    </li>
  );
}

/** The establishment's NIS2 status: which deadlines its incidents owe. */
function Nis2Block({ orgId }: { orgId: string }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const toast = useToast();
  const nis2 = useQuery(nis2Query(orgId));
  const [choice, setChoice] = useState<Nis2Category | null>(null);
  const save = useMutation({
    mutationFn: (category: Nis2Category) => setNis2(orgId, category),
    onSuccess: (saved) => {
      queryClient.setQueryData(nis2Query(orgId).queryKey, saved);
      void queryClient.invalidateQueries({ queryKey: ['incidents'] });
      setChoice(null);
      toast(t('incidents.declare.nis2.saved', { category: t(`incidents.common.nis2.${saved.category}`) }));
    },
  });
  const current = nis2.data?.category;
  const selected = choice ?? current ?? 'none';
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate(selected);
  };
  return (
    <section aria-labelledby="nis2-title" className="section nis2">
      <h2 id="nis2-title">{t('incidents.declare.nis2.title')}</h2>
      <p>{t('incidents.declare.nis2.lead')}</p>
      {nis2.isError ? (
        <LoadError error={nis2.error} onRetry={() => void nis2.refetch()} />
      ) : nis2.isPending ? (
        <Spinner />
      ) : (
        <form onSubmit={submit} className="form">
          <p>
            {t('incidents.declare.nis2.current')} <strong>{t(`incidents.common.nis2.${nis2.data.category}`)}</strong>
          </p>
          <fieldset className="fieldset">
            <legend className="fieldset__legend">{t('incidents.declare.nis2.legend')}</legend>
            <div className="choice-list">
              {NIS2_CATEGORIES.map((category) => (
                <div key={category} className="choice">
                  <input type="radio" id={`nis2-${category}`} name="nis2" className="choice__input" checked={selected === category} onChange={() => setChoice(category)} aria-describedby={`nis2-${category}-hint`} />
                  <div>
                    <label htmlFor={`nis2-${category}`} className="choice__label">
                      <span className="choice__title">{t(`incidents.common.nis2.${category}`)}</span>
                    </label>
                    <p className="choice__hint" id={`nis2-${category}-hint`}>
                      {t(`incidents.declare.nis2.hint.${category}`)}
                    </p>
                  </div>
                </div>
              ))}
            </div>
          </fieldset>
          {save.isError && (
            <Notice tone="danger" role="alert">
              <p>{save.error.message}</p>
            </Notice>
          )}
          <Button type="submit" variant="secondary" loading={save.isPending} disabled={selected === current}>
            {t('incidents.declare.nis2.submit')}
          </Button>
        </form>
      )}
    </section>
  );
}

/** The home page's card for an RSSI or a direction: open incidents and the nearest deadline. */
export function IncidentsHomeCard({ orgId }: { orgId: string }) {
  const { t } = useTranslation();
  const me = useMe();
  const list = useQuery(incidentsQuery(orgId));
  const all = list.data?.incidents ?? [];
  const open = all.filter((incident) => incident.status === 'declared');
  const drafts = all.filter((incident) => incident.status === 'draft');
  const nearest = open.filter((incident) => incident.nextDeadline).sort(byUrgency)[0];
  const now = useNow();
  const late = nearest?.nextDeadline && new Date(nearest.nextDeadline.dueAt).getTime() < now;
  return (
    <section aria-labelledby="home-incidents" className={late ? 'card card--danger' : open.length > 0 ? 'card card--warning' : 'card'}>
      <h2 id="home-incidents">
        <ShieldAlert className="icon" aria-hidden="true" />
        {t('incidents.declare.home.title')}
      </h2>
      {list.isError ? (
        <LoadError error={list.error} onRetry={() => void list.refetch()} />
      ) : list.isPending ? (
        <Spinner />
      ) : (
        <>
          <p>{open.length === 0 ? t('incidents.declare.home.none') : t('incidents.declare.home.open', { count: open.length })}</p>
          {drafts.length > 0 && <p>{t('incidents.declare.home.drafts', { count: drafts.length })}</p>}
          {nearest?.nextDeadline && (
            <p>
              {t('incidents.declare.home.nearest', { label: t(`incidents.common.obligation.${nearest.nextDeadline.kind}`), reference: nearest.reference })} <Countdown dueAt={nearest.nextDeadline.dueAt} />{' '}
              <Link to="/incidents/$id" params={{ id: nearest.id }}>
                {t('incidents.declare.home.see', { reference: nearest.reference })}
              </Link>
            </p>
          )}
          <p className="actions">
            {canDeclare(me) && <DeclareLink />}
            <Link to="/incidents">{t('incidents.declare.home.all')}</Link>
          </p>
        </>
      )}
    </section>
  );
}
