import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { ClipboardList, Play } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import type { AssessmentSummary } from '../../../../contracts/assessment';
import { activeMembership, useMe } from '../../../app/session';
import { Button, buttonClass, type Column, EmptyState, LoadError, Notice, PageHeader, Spinner, Table } from '../../../ui';
import { assessmentsQuery, createAssessment, frameworksQuery } from '../api';
import { AnswerProgress, AssessmentStatusBadge, LateBadge, ScoreBadge } from '../components/bits';
import { NoActiveOrg, NotForYou } from '../components/guards';
import { useAssessmentFormat } from '../format';
import { rightsOver, seesDiagnostic, todayInParis } from '../model';
import '../assessment.css';

/** The establishment's assessments (or those below the active GHT or region). */
export function AssessmentsPage() {
  const { t } = useTranslation();
  const me = useMe();
  const membership = activeMembership(me);
  const orgId = me.activeOrgId;
  // A diagnostic covers a whole establishment: a role held in one of its sites or services does not reach it.
  const belowEstablishment = membership?.orgKind === 'site' || membership?.orgKind === 'service';
  const mayStart = orgId !== null && !belowEstablishment && rightsOver(me, orgId).edit;
  return (
    <>
      <PageHeader
        title={t('assessment.list.title')}
        breadcrumb={[]}
        lead={<p>{t('assessment.list.lead')}</p>}
        actions={
          mayStart && (
            <Link to="/diagnostic/nouveau" className={buttonClass('primary')}>
              <Play className="icon" aria-hidden="true" />
              {t('assessment.start.action')}
            </Link>
          )
        }
      />
      {!seesDiagnostic(me) ? (
        <NotForYou />
      ) : orgId === null ? (
        <NoActiveOrg />
      ) : belowEstablishment ? (
        <Notice tone="info" title={t('assessment.list.belowTitle')}>
          <p>{t('assessment.list.below', { org: membership?.orgName ?? '' })}</p>
        </Notice>
      ) : (
        <>
          <AssessmentList orgId={orgId} showOrg={membership?.orgKind !== 'establishment'} mayStart={mayStart} isEstablishment={membership?.orgKind === 'establishment'} />
          <nav aria-label={t('assessment.list.moreLabel')} className="section">
            <ul className="link-list">
              <li>
                <Link to="/diagnostic/plan">{t('assessment.list.planLink')}</Link>
              </li>
              <li>
                <Link to="/diagnostic/referentiels">{t('assessment.list.frameworksLink')}</Link>
              </li>
            </ul>
          </nav>
        </>
      )}
    </>
  );
}

function AssessmentList({ orgId, showOrg, mayStart, isEstablishment }: { orgId: string; showOrg: boolean; mayStart: boolean; isEstablishment: boolean }) {
  const { t } = useTranslation();
  const { shortDate } = useAssessmentFormat();
  const list = useQuery(assessmentsQuery(orgId));
  const today = todayInParis();

  const columns: Column<AssessmentSummary>[] = [
    {
      key: 'title',
      header: t('assessment.list.columns.title'),
      rowHeader: true,
      sortValue: (row) => row.title,
      cell: (row) => (
        <>
          <Link to="/diagnostic/$id" params={{ id: row.id }}>
            {row.title}
          </Link>
          <span className="cell-detail">{row.frameworkName}</span>
          {row.campaignTitle && <span className="cell-detail">{t('assessment.list.campaign', { title: row.campaignTitle })}</span>}
        </>
      ),
    },
    ...(showOrg
      ? [{ key: 'org', header: t('assessment.list.columns.org'), sortValue: (row: AssessmentSummary) => row.orgName, cell: (row: AssessmentSummary) => row.orgName }]
      : []),
    {
      key: 'status',
      header: t('assessment.list.columns.status'),
      sortValue: (row) => row.status,
      cell: (row) => <AssessmentStatusBadge status={row.status} />,
    },
    {
      key: 'progress',
      header: t('assessment.list.columns.progress'),
      sortValue: (row) => (row.assessableCount ? row.answeredCount / row.assessableCount : 0),
      cell: (row) => <AnswerProgress answered={row.answeredCount} total={row.assessableCount} />,
    },
    {
      key: 'score',
      header: t('assessment.list.columns.score'),
      sortValue: (row) => row.score,
      cell: (row) => <ScoreBadge score={row.score} />,
    },
    {
      key: 'deadline',
      header: t('assessment.list.columns.deadline'),
      sortValue: (row) => row.deadline,
      cell: (row) =>
        row.deadline ? (
          <>
            {shortDate(row.deadline)}
            {row.status === 'draft' && row.deadline < today && (
              <>
                {' '}
                <LateBadge />
              </>
            )}
          </>
        ) : (
          <span className="muted">{t('assessment.list.noDeadline')}</span>
        ),
    },
    {
      key: 'results',
      header: t('assessment.list.columns.results'),
      cell: (row) => (
        <Link to="/diagnostic/$id/resultats" params={{ id: row.id }}>
          {t('assessment.list.results')}
          <span className="sr-only"> {t('assessment.list.of', { title: row.title })}</span>
        </Link>
      ),
    },
  ];

  if (list.isError) return <LoadError error={list.error} onRetry={() => void list.refetch()} />;
  if (list.isPending) return <Spinner />;
  return (
    <section aria-labelledby="assessments-title" className="section">
      <h2 id="assessments-title">{t('assessment.list.sectionTitle')}</h2>
      <Table
        caption={t('assessment.list.caption', { count: list.data.assessments.length })}
        captionHidden
        columns={columns}
        rows={list.data.assessments}
        rowKey={(row) => row.id}
        empty={<FirstAssessment orgId={orgId} mayStart={mayStart} isEstablishment={isEstablishment} />}
      />
    </section>
  );
}

/** The empty state: what a diagnostic is, and the express one to start with. */
function FirstAssessment({ orgId, mayStart, isEstablishment }: { orgId: string; mayStart: boolean; isEstablishment: boolean }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const frameworks = useQuery({ ...frameworksQuery, enabled: mayStart && isEstablishment });
  const express = frameworks.data?.frameworks.find((framework) => framework.kind === 'express');
  const start = useMutation({
    mutationFn: (frameworkId: string) => createAssessment({ orgId, frameworkId }),
    onSuccess: async (detail) => {
      await queryClient.invalidateQueries({ queryKey: ['assessment', 'list'] });
      void navigate({ to: '/diagnostic/$id', params: { id: detail.assessment.id } });
    },
  });
  return (
    <EmptyState
      title={t('assessment.list.empty')}
      action={
        mayStart && (
          <div className="actions">
            {express && isEstablishment && (
              <Button icon={ClipboardList} loading={start.isPending} onClick={() => start.mutate(express.id)}>
                {t('assessment.list.startExpress')}
              </Button>
            )}
            <Link to="/diagnostic/nouveau" className={buttonClass(express && isEstablishment ? 'secondary' : 'primary')}>
              {express && isEstablishment ? t('assessment.list.chooseOther') : t('assessment.start.action')}
            </Link>
          </div>
        )
      }
    >
      <p>{t('assessment.list.emptyHelp')}</p>
      <p>{t('assessment.list.emptyExpress')}</p>
      {!mayStart && <p>{t('assessment.list.emptyReadOnly')}</p>}
      {start.isError && (
        <Notice tone="danger" role="alert">
          <p>{start.error.message}</p>
        </Notice>
      )}
    </EmptyState>
  );
}
