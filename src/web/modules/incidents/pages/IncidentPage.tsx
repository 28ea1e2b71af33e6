import { useQuery } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { Download, FilePenLine, History, Lock } from 'lucide-react';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { DeclarationContent, IncidentDetail } from '../../../../contracts/incidents';
import { useMe } from '../../../app/session';
import { buttonClass, LoadError, Notice, PageHeader, Spinner, StatusBadge } from '../../../ui';
import { useAssessmentFormat } from '../../assessment/format';
import { organisationsQuery } from '../../identity/api';
import { exportHrefs, incidentQuery } from '../api';
import { FollowUpSection } from '../components/FollowUpSection';
import { Obligations } from '../components/Obligations';
import { RegionPanel } from '../components/RegionPanel';
import { canDeclare, canFollow, STATUS_TONES } from '../model';
import '../incidents.css';

const route = getRouteApi('/app/incidents/$id');

/**
 * /incidents/$id — one incident: who, what, its regulatory clocks as countdowns (the first
 * thing to act on), the declaration read-only, and the ways on: complete, history, exports,
 * close. The follow-up and the region's panel are inserted by their own areas (slots below);
 * they read the same `incidentQuery(id)`.
 */
export function IncidentPage() {
  const { t } = useTranslation();
  const { id } = route.useParams();
  const detail = useQuery(incidentQuery(id));
  const breadcrumb = [{ label: t('incidents.declare.list.title'), to: '/incidents' as const }];
  if (detail.isError) {
    return (
      <>
        <PageHeader title={t('incidents.declare.incident.loadTitle')} breadcrumb={breadcrumb} />
        <LoadError error={detail.error} onRetry={() => void detail.refetch()} />
      </>
    );
  }
  if (detail.isPending) return <Spinner />;
  return <IncidentView detail={detail.data} />;
}

function IncidentView({ detail }: { detail: IncidentDetail }) {
  const { t } = useTranslation();
  const me = useMe();
  const { dateTime } = useAssessmentFormat();
  const { incident } = detail;
  const id = incident.id;
  const exports = exportHrefs(id);
  const declared = incident.status === 'declared';
  const title = incident.title || t('incidents.declare.untitled');
  return (
    <>
      <PageHeader
        title={title}
        breadcrumb={[{ label: t('incidents.declare.list.title'), to: '/incidents' }]}
        lead={
          <div className="incident-meta">
            <p>
              <span className="incident-meta__reference">{incident.reference}</span> <StatusBadge tone={STATUS_TONES[incident.status]}>{t(`incidents.common.status.${incident.status}`)}</StatusBadge>
            </p>
            <p>
              {t('incidents.declare.incident.establishment', { name: incident.orgName })}
              {incident.type && <> · {t(`incidents.common.type.${incident.type}`)}</>}
            </p>
            {incident.discoveredAt && <p>{t('incidents.declare.incident.discovered', { date: dateTime(incident.discoveredAt) })}</p>}
            {incident.declaredAt && <p>{t('incidents.declare.incident.declared', { date: dateTime(incident.declaredAt), name: detail.declaredByName ?? t('incidents.declare.someone') })}</p>}
            {incident.closedAt && <p>{t('incidents.declare.incident.closed', { date: dateTime(incident.closedAt) })}</p>}
          </div>
        }
      />

      {incident.status === 'draft' && (
        <Notice tone="warning" title={t('incidents.declare.incident.draftTitle')}>
          <p>{t('incidents.declare.incident.draftText')}</p>
          {canDeclare(me) && (
            <Link to="/incidents/declarer" search={{ brouillon: id }} className={buttonClass('primary')}>
              {t('incidents.declare.incident.continueDraft')}
            </Link>
          )}
        </Notice>
      )}

      {incident.status !== 'draft' && (
        <nav className="incident-actions" aria-label={t('incidents.declare.incident.actions')}>
          <ul className="actions">
            {declared && canDeclare(me) && (
              <li>
                <Link to="/incidents/$id/completer" params={{ id }} className={buttonClass('primary')}>
                  <FilePenLine className="icon" aria-hidden="true" />
                  {t('incidents.declare.incident.complete')}
                </Link>
              </li>
            )}
            <li>
              <Link to="/incidents/$id/historique" params={{ id }} className={buttonClass('secondary')}>
                <History className="icon" aria-hidden="true" />
                {t('incidents.declare.incident.history')}
              </Link>
            </li>
            <li>
              <a href={exports.pdf} className={buttonClass('secondary')} download>
                <Download className="icon" aria-hidden="true" />
                {t('incidents.declare.incident.exportPdf')}
              </a>
            </li>
            <li>
              <a href={exports.json} className={buttonClass('secondary')} download>
                <Download className="icon" aria-hidden="true" />
                {t('incidents.declare.incident.exportJson')}
              </a>
            </li>
            {declared && canFollow(me) && (
              <li>
                <Link to="/incidents/$id/cloturer" params={{ id }} className={buttonClass('secondary')}>
                  <Lock className="icon" aria-hidden="true" />
                  {t('incidents.declare.incident.close')}
                </Link>
              </li>
            )}
          </ul>
        </nav>
      )}

      <section aria-labelledby="incident-clocks" className="section">
        <h2 id="incident-clocks">{t('incidents.declare.obligations.title')}</h2>
        {incident.status !== 'draft' && <p className="field__hint">{t('incidents.declare.obligations.lead', { nis2: t(`incidents.common.nis2.${detail.nis2}`) })}</p>}
        <Obligations detail={detail} editable={canFollow(me)} />
      </section>

      <FollowUpSection incident={incident} />

      <RegionPanel detail={detail} />

      {detail.lessons && (
        <section aria-labelledby="incident-lessons" className="section">
          <h2 id="incident-lessons">{t('incidents.declare.close.lessonsTitle')}</h2>
          <p className="pre-wrap">{detail.lessons}</p>
        </section>
      )}

      <section aria-labelledby="incident-declaration" className="section">
        <h2 id="incident-declaration">{t('incidents.declare.incident.declarationTitle')}</h2>
        <DeclarationView content={detail.content} orgId={incident.orgId} />
      </section>
    </>
  );
}

/** The declaration read-only, in the sections of the form. */
export function DeclarationView({ content: c, orgId }: { content: DeclarationContent; orgId: string }) {
  const { t } = useTranslation();
  const { dateTime } = useAssessmentFormat();
  const orgs = useQuery({ ...organisationsQuery(orgId), enabled: (c.perimeter?.orgIds?.length ?? 0) > 0 });
  const names = new Map((orgs.data?.organisations ?? []).map((org) => [org.id, org.name]));
  const none = t('incidents.declare.view.none');
  const yes = (value: boolean | undefined) => (value ? t('incidents.declare.view.yes') : t('incidents.declare.view.no'));
  const text = (value: string | undefined) => (value?.trim() ? <span className="pre-wrap">{value}</span> : none);
  const f = (key: string) => t(`incidents.declare.form.${key}` as 'incidents.declare.form.date');
  const perimeter = [
    ...(c.perimeter?.wholeEstablishment ? [t('incidents.declare.view.wholeEstablishment')] : []),
    ...(c.perimeter?.orgIds ?? []).map((id) => names.get(id) ?? t('incidents.declare.view.unit')),
  ];
  return (
    <div className="declaration-view">
      <ViewSection title={f('declarant.title')}>
        <Row label={f('declarant.name')}>{text(c.declarant?.name)}</Row>
        <Row label={f('declarant.jobTitle')}>{text(c.declarant?.jobTitle)}</Row>
        <Row label={f('declarant.phone')}>{text(c.declarant?.phone)}</Row>
        <Row label={f('declarant.email')}>{text(c.declarant?.email)}</Row>
      </ViewSection>
      <ViewSection title={f('what.title')}>
        <Row label={f('what.titleLabel')}>{text(c.title)}</Row>
        <Row label={f('what.description')}>{text(c.description)}</Row>
        <Row label={f('what.discoveredAt')}>{c.discoveredAt ? dateTime(c.discoveredAt) : none}</Row>
        <Row label={f('what.startedAt')}>{c.startedAt ? dateTime(c.startedAt) : none}</Row>
      </ViewSection>
      <ViewSection title={f('perimeter.title')}>
        <Row label={f('perimeter.title')}>{perimeter.length ? perimeter.join(', ') : none}</Row>
        <Row label={f('perimeter.details')}>{text(c.perimeter?.details)}</Row>
      </ViewSection>
      <ViewSection title={f('systems.title')}>
        <Row label={f('systems.legend')}>{c.systems?.length ? c.systems.map((s) => t(`incidents.common.system.${s}`)).join(', ') : none}</Row>
        <Row label={f('systems.details')}>{text(c.systemsDetails)}</Row>
      </ViewSection>
      <ViewSection title={f('data.title')}>
        <Row label={f('data.legend')}>{c.data?.length ? c.data.map((d) => t(`incidents.common.data.${d}`)).join(', ') : none}</Row>
        <Row label={f('data.details')}>{text(c.dataDetails)}</Row>
      </ViewSection>
      <ViewSection title={f('handling.title')}>
        <Row label={f('handling.legend')}>{c.handling ? t(`incidents.common.handling.${c.handling}`) : none}</Row>
        <Row label={f('handling.details')}>{text(c.handlingDetails)}</Row>
      </ViewSection>
      <ViewSection title={f('impacts.title')}>
        <Row label={f('impacts.confidentiality')}>{yes(c.impacts?.confidentiality)}</Row>
        <Row label={f('impacts.integrity')}>{yes(c.impacts?.integrity)}</Row>
        <Row label={f('impacts.availability')}>{yes(c.impacts?.availability)}</Row>
        <Row label={f('impacts.personalData')}>{yes(c.impacts?.personalData)}</Row>
        <Row label={f('impacts.careImpact')}>{yes(c.impacts?.careImpact)}</Row>
        <Row label={f('impacts.degradedMode')}>{yes(c.impacts?.degradedMode)}</Row>
        <Row label={f('impacts.patientsEndangered')}>{yes(c.impacts?.patientsEndangered)}</Row>
        <Row label={f('impacts.careDetails')}>{text(c.impacts?.careDetails)}</Row>
        <Row label={f('impacts.systemsDetails')}>{text(c.impacts?.systemsDetails)}</Row>
        <Row label={f('impacts.operationsDetails')}>{text(c.impacts?.operationsDetails)}</Row>
      </ViewSection>
      <ViewSection title={f('causes.title')}>
        <Row label={f('causes.label')}>{text(c.causes)}</Row>
      </ViewSection>
      <ViewSection title={f('nature.title')}>
        <Row label={f('nature.origin')}>{c.origin ? t(`incidents.common.origin.${c.origin}`) : none}</Row>
        <Row label={f('nature.type')}>{c.type ? t(`incidents.common.type.${c.type}`) : none}</Row>
      </ViewSection>
      <ViewSection title={f('support.title')}>
        <Row label={f('support.requested')}>{yes(c.supportRequested)}</Row>
        <Row label={f('support.details')}>{text(c.supportDetails)}</Row>
      </ViewSection>
    </div>
  );
}

function ViewSection({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="declaration-view__section">
      <h3>{title}</h3>
      <dl className="declaration-view__list">{children}</dl>
    </section>
  );
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}
