import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { ClipboardCheck } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { LoadError, Spinner } from '../../../ui';
import { actionsQuery, assessmentsQuery } from '../api';
import { AnswerProgress, AssessmentStatusBadge, LateBadge } from './bits';

/** The home page's to-do for an RSSI or a direction: where the diagnostic stands, and the late actions. */
export function DiagnosticHomeCard({ orgId }: { orgId: string }) {
  const { t } = useTranslation();
  const assessments = useQuery(assessmentsQuery(orgId));
  const actions = useQuery(actionsQuery(orgId));
  const list = assessments.data?.assessments ?? [];
  const current = list.find((assessment) => assessment.status !== 'validated') ?? list[0];
  const late = actions.data?.actions.filter((action) => action.late).length;
  return (
    <section aria-labelledby="home-diagnostic" className={late ? 'card card--warning' : 'card'}>
      <h2 id="home-diagnostic">
        <ClipboardCheck className="icon" aria-hidden="true" />
        {t('assessment.home.title')}
      </h2>
      {assessments.isError ? (
        <LoadError error={assessments.error} onRetry={() => void assessments.refetch()} />
      ) : assessments.isPending ? (
        <Spinner />
      ) : current ? (
        <>
          <p>
            {t('assessment.home.current', { title: current.title })} <AssessmentStatusBadge status={current.status} />
          </p>
          <AnswerProgress answered={current.answeredCount} total={current.assessableCount} />
          <p>
            {current.status === 'draft' ? (
              <Link to="/diagnostic/$id" params={{ id: current.id }}>
                {t('assessment.home.continue')}
              </Link>
            ) : (
              <Link to="/diagnostic/$id/resultats" params={{ id: current.id }}>
                {t('assessment.home.results')}
              </Link>
            )}
          </p>
        </>
      ) : (
        <>
          <p>{t('assessment.home.none')}</p>
          <p>
            <Link to="/diagnostic/nouveau">{t('assessment.home.start')}</Link>
          </p>
        </>
      )}
      {actions.isError ? (
        <LoadError error={actions.error} onRetry={() => void actions.refetch()} />
      ) : late === undefined ? null : late > 0 ? (
        <p>
          <LateBadge /> {t('assessment.home.late', { count: late })}{' '}
          <Link to="/diagnostic/plan" search={{ retard: 1 }}>
            {t('assessment.home.seeLate')}
          </Link>
        </p>
      ) : (
        <p>
          {t('assessment.home.noLate')} <Link to="/diagnostic/plan">{t('assessment.home.seePlan')}</Link>
        </p>
      )}
    </section>
  );
}
