import { useQuery } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { EmptyState, LoadError, PageHeader, Spinner } from '../../../ui';
import { useAssessmentFormat } from '../../assessment/format';
import { historyQuery, incidentQuery } from '../api';
import { declareFr } from '../i18n/declare.fr';
import '../incidents.css';

const route = getRouteApi('/app/incidents/$id/historique');

type LabelKey = keyof typeof declareFr.fieldLabel;
const isLabelKey = (key: string): key is LabelKey => key in declareFr.fieldLabel;

/** A changed field's French name: « Données personnelles touchées » for impacts.personalData. */
export function useFieldLabel() {
  const { t } = useTranslation();
  return (path: string) => {
    const key = path.replace(/\./g, '_');
    if (isLabelKey(key)) return t(`incidents.declare.fieldLabel.${key}`);
    const top = path.split('.')[0];
    return isLabelKey(top) ? t(`incidents.declare.fieldLabel.${top}`) : path;
  };
}

/** The list of fields that changed, by their French names (each once). */
export function ChangedFields({ paths }: { paths: string[] }) {
  const label = useFieldLabel();
  const labels = [...new Set(paths.map(label))];
  return (
    <ul className="changed-fields">
      {labels.map((name) => (
        <li key={name}>{name}</li>
      ))}
    </ul>
  );
}

/** /incidents/$id/historique — each saved state of the declaration: who, when, what changed. */
export function HistoryPage() {
  const { t } = useTranslation();
  const { id } = route.useParams();
  const { dateTime } = useAssessmentFormat();
  const detail = useQuery(incidentQuery(id));
  const history = useQuery(historyQuery(id));
  const title = t('incidents.declare.history.title');
  const breadcrumb = [
    { label: t('incidents.declare.list.title'), to: '/incidents' as const },
  ];
  return (
    <>
      <PageHeader title={title} breadcrumb={breadcrumb} lead={detail.data && <p>{t('incidents.declare.history.lead', { reference: detail.data.incident.reference, title: detail.data.incident.title || t('incidents.declare.untitled') })}</p>} />
      {history.isError ? (
        <LoadError error={history.error} onRetry={() => void history.refetch()} />
      ) : history.isPending ? (
        <Spinner />
      ) : history.data.revisions.length === 0 ? (
        <EmptyState title={t('incidents.declare.history.emptyTitle')}>
          <p>{t('incidents.declare.history.emptyText')}</p>
        </EmptyState>
      ) : (
        <ol className="revisions">
          {history.data.revisions.map((revision, index) => {
            const first = index === history.data.revisions.length - 1;
            return (
              <li key={revision.version} className="revision" aria-labelledby={`revision-${revision.version}`}>
                <h2 id={`revision-${revision.version}`} className="revision__title">
                  {first ? t('incidents.declare.history.initial') : t('incidents.declare.history.change')} — <time dateTime={revision.at}>{dateTime(revision.at)}</time>
                </h2>
                <p>{t('incidents.declare.history.by', { name: revision.authorName ?? t('incidents.declare.someone') })}</p>
                {revision.comment && <p>{t('incidents.declare.history.comment', { comment: revision.comment })}</p>}
                {revision.changedFields.length > 0 ? (
                  <>
                    <p>{t('incidents.declare.history.changed', { count: revision.changedFields.length })}</p>
                    <ChangedFields paths={revision.changedFields} />
                  </>
                ) : (
                  !first && <p>{t('incidents.declare.history.noChange')}</p>
                )}
              </li>
            );
          })}
        </ol>
      )}
      <p>
        <Link to="/incidents/$id" params={{ id }}>
          {t('incidents.declare.history.back')}
        </Link>
      </p>
    </>
  );
}
