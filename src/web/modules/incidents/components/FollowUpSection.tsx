import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { IncidentSummary } from '../../../../contracts/incidents';
import { useMe } from '../../../app/session';
import { LoadError, Notice, Spinner } from '../../../ui';
import { followUpQuery, mayFollow } from '../followup-api';
import { FollowupAttachments } from './FollowupAttachments';
import { FollowupIndicators } from './FollowupIndicators';
import { FollowupTasks } from './FollowupTasks';
import { FollowupTimeline } from './FollowupTimeline';
import '../followup.css';

/**
 * The follow-up of a declared incident: its « main courante », tasks, attachments and
 * indicators of compromise. Editable by the people who follow the establishment's incidents
 * while it is open; read-only for the region's coordinator and once closed; nothing for a draft.
 */
export function FollowUpSection({ incident }: { incident: Pick<IncidentSummary, 'id' | 'orgId' | 'status'> }) {
  const { t } = useTranslation();
  const me = useMe();
  const followUp = useQuery({ ...followUpQuery(incident.id), enabled: incident.status !== 'draft' });

  if (incident.status === 'draft') return null;
  const closed = incident.status === 'closed';
  const editable = !closed && mayFollow(me, incident.orgId);

  return (
    <div className="followup">
      {closed ? (
        <Notice tone="info">
          <p>{t('incidents.follow.section.closed')}</p>
        </Notice>
      ) : (
        !editable && (
          <Notice tone="info">
            <p>{t('incidents.follow.section.readOnly')}</p>
          </Notice>
        )
      )}
      {followUp.isError ? (
        <LoadError error={followUp.error} onRetry={() => void followUp.refetch()} />
      ) : followUp.isPending ? (
        <Spinner />
      ) : (
        <>
          <FollowupTimeline incidentId={incident.id} entries={followUp.data.timeline} editable={editable} />
          <FollowupTasks incidentId={incident.id} tasks={followUp.data.tasks} editable={editable} />
          <FollowupAttachments incidentId={incident.id} attachments={followUp.data.attachments} editable={editable} />
          <FollowupIndicators incidentId={incident.id} indicators={followUp.data.indicators} editable={editable} />
        </>
      )}
    </div>
  );
}
