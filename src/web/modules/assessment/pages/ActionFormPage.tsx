import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { Save } from 'lucide-react';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  ACTION_EFFORTS,
  ACTION_PRIORITIES,
  ACTION_STATUSES,
  createActionBodySchema,
  type FrameworkDetail,
  type RemediationAction,
  updateActionBodySchema,
} from '../../../../contracts/assessment';
import { useMe } from '../../../app/session';
import { useFormErrors } from '../../../lib/forms';
import { usersQuery } from '../../identity/api';
import { Button, EmptyState, ErrorSummary, Field, LoadError, Notice, PageHeader, Select, Spinner, TextInput, useToast } from '../../../ui';
import { actionsQuery, assessmentQuery, assessmentsQuery, createAction, frameworkQuery, updateAction } from '../api';
import { NoActiveOrg, NotForYou } from '../components/guards';
import { buildSections, measuresOf, nodeLabel, rightsOver } from '../model';
import type { Reassess } from './PlanPage';
import '../assessment.css';

const newRoute = getRouteApi('/app/diagnostic/plan/nouvelle-action');
const editRoute = getRouteApi('/app/diagnostic/plan/$actionId');

const FIELD_IDS = {
  title: 'action-title',
  description: 'action-description',
  ownerId: 'action-owner',
  dueDate: 'action-due',
  priority: 'action-priority',
  effort: 'action-effort',
  costEstimate: 'action-cost',
  status: 'action-status',
  nodeIds: 'action-measures',
};

/** « Ajouter une action »: by hand, or from a gap of a diagnostic (its measure and usual action filled in). */
export function NewActionPage() {
  const { t } = useTranslation();
  const me = useMe();
  const orgId = me.activeOrgId;
  const { diagnostic, mesure } = newRoute.useSearch();
  return (
    <>
      <PageHeader
        title={t('assessment.actionForm.newTitle')}
        breadcrumb={[
          { label: t('assessment.list.title'), to: '/diagnostic' },
          { label: t('assessment.plan.title'), to: '/diagnostic/plan' },
        ]}
        lead={<p>{t('assessment.actionForm.lead')}</p>}
      />
      {orgId === null ? <NoActiveOrg /> : !rightsOver(me, orgId).plan ? <NotForYou /> : <Loader orgId={orgId} assessmentId={diagnostic} measureId={mesure} action={null} />}
    </>
  );
}

export function EditActionPage() {
  const { t } = useTranslation();
  const me = useMe();
  const orgId = me.activeOrgId;
  const { actionId } = editRoute.useParams();
  const actions = useQuery({ ...actionsQuery(orgId ?? ''), enabled: orgId !== null });
  const action = actions.data?.actions.find((item) => item.id === actionId) ?? null;
  return (
    <>
      <PageHeader
        title={action ? t('assessment.actionForm.editTitle', { title: action.title }) : t('assessment.actionForm.editTitleShort')}
        breadcrumb={[
          { label: t('assessment.list.title'), to: '/diagnostic' },
          { label: t('assessment.plan.title'), to: '/diagnostic/plan' },
        ]}
      />
      {orgId === null ? (
        <NoActiveOrg />
      ) : !rightsOver(me, orgId).plan ? (
        <NotForYou />
      ) : actions.isError ? (
        <LoadError error={actions.error} onRetry={() => void actions.refetch()} />
      ) : actions.isPending ? (
        <Spinner />
      ) : action === null ? (
        <EmptyState title={t('assessment.actionForm.notFound')} action={<Link to="/diagnostic/plan">{t('assessment.actionForm.backToPlan')}</Link>}>
          <p>{t('assessment.actionForm.notFoundHelp')}</p>
        </EmptyState>
      ) : (
        <Loader orgId={orgId} assessmentId={action.assessmentId ?? undefined} measureId={undefined} action={action} />
      )}
    </>
  );
}

/** Loads what the form offers: the people of the establishment, the measures of the diagnostic. */
function Loader({ orgId, assessmentId, measureId, action }: { orgId: string; assessmentId?: string; measureId?: string; action: RemediationAction | null }) {
  const assessments = useQuery(assessmentsQuery(orgId));
  const sourceId = assessmentId ?? assessments.data?.assessments[0]?.id;
  const detail = useQuery({ ...assessmentQuery(sourceId ?? ''), enabled: sourceId !== undefined });
  const framework = useQuery({ ...frameworkQuery(detail.data?.assessment.frameworkId ?? ''), enabled: detail.data !== undefined });
  const users = useQuery(usersQuery(orgId, undefined));
  const error = detail.error ?? framework.error;
  if (error) return <LoadError error={error} onRetry={() => void (detail.isError ? detail.refetch() : framework.refetch())} />;
  const waiting = users.isPending || assessments.isPending || (sourceId !== undefined && (detail.isPending || framework.isPending));
  if (waiting) return <Spinner />;
  return (
    <ActionForm
      orgId={orgId}
      assessmentId={sourceId ?? null}
      framework={framework.data ?? null}
      measureId={measureId}
      action={action}
      owners={(users.data?.users ?? []).filter((user) => user.status === 'active')}
    />
  );
}

interface ActionFormProps {
  orgId: string;
  assessmentId: string | null;
  framework: FrameworkDetail | null;
  measureId?: string;
  action: RemediationAction | null;
  owners: { id: string; displayName: string }[];
}

function ActionForm({ orgId, assessmentId, framework, measureId, action, owners }: ActionFormProps) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const toast = useToast();
  const form = useFormErrors();
  const measure = measureId ? framework?.nodes.find((node) => node.id === measureId) : undefined;
  const [values, setValues] = useState(() => ({
    title: action?.title ?? measure?.suggestedActions?.[0] ?? (measure ? t('assessment.actionForm.defaultTitle', { measure: measure.name ?? measure.refId ?? '' }) : ''),
    description: action?.description ?? '',
    ownerId: action?.ownerId ?? '',
    dueDate: action?.dueDate ?? '',
    priority: action?.priority ?? (measure?.priority === 'essential' ? 'high' : 'medium'),
    effort: action?.effort ?? '',
    cost: action?.costEstimate !== null && action?.costEstimate !== undefined ? String(action.costEstimate) : '',
    status: action?.status ?? 'todo',
    nodeIds: action ? action.measures.map((m) => m.nodeId) : measure ? [measure.id] : [],
  }));
  const [reassess, setReassess] = useState<Reassess[]>([]);
  // Open at first when nothing is chosen yet; then as the person leaves it.
  const [pickerOpen] = useState(() => values.nodeIds.length === 0);
  const set = (key: keyof typeof values) => (event: { target: { value: string } }) => setValues((current) => ({ ...current, [key]: event.target.value }));

  const save = useMutation({
    mutationFn: (body: Record<string, unknown>) =>
      action ? updateAction(action.id, body as Parameters<typeof updateAction>[1]) : createAction(body as Parameters<typeof createAction>[0]),
    onSuccess: async (result) => {
      await queryClient.invalidateQueries({ queryKey: ['assessment', 'actions'] });
      toast(action ? t('assessment.actionForm.saved', { title: result.action.title }) : t('assessment.actionForm.created', { title: result.action.title }));
      if (result.reassess.length > 0) {
        setReassess(
          result.reassess.map((item) => {
            const m = result.action.measures.find((x) => x.nodeId === item.nodeId);
            return { ...item, label: m ? [m.refId, m.name].filter(Boolean).join(' — ') : '' };
          }),
        );
        return;
      }
      void navigate({ to: '/diagnostic/plan' });
    },
    onError: form.fail,
  });

  const parseCost = (text: string): number | null | string => {
    const cleaned = text.replace(/[\s\u00a0\u202f€]/g, '').replace(',', '.');
    if (cleaned === '') return null;
    const number = Number(cleaned);
    return Number.isFinite(number) ? number : text;
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const common = {
      title: values.title,
      description: values.description.trim() || null,
      ownerId: values.ownerId || null,
      dueDate: values.dueDate || null,
      priority: values.priority,
      effort: values.effort || null,
      costEstimate: parseCost(values.cost),
      nodeIds: values.nodeIds,
    };
    const body = action
      ? form.validate(updateActionBodySchema, { ...common, status: values.status })
      : form.validate(createActionBodySchema, { ...common, orgId, assessmentId });
    if (body) save.mutate(body);
  };

  if (reassess.length > 0) {
    return (
      <Notice tone="success" title={t('assessment.plan.reassessTitle')} role="status">
        <p>{t('assessment.plan.reassessText')}</p>
        <ul className="plain-list">
          {reassess.map((item) => (
            <li key={`${item.assessmentId}:${item.nodeId}`}>
              <Link to="/diagnostic/$id" params={{ id: item.assessmentId }} search={{ mesure: item.nodeId }}>
                {t('assessment.plan.reassessLink', { measure: item.label || t('assessment.plan.thisMeasure') })}
              </Link>
            </li>
          ))}
        </ul>
        <Link to="/diagnostic/plan">{t('assessment.actionForm.backToPlan')}</Link>
      </Notice>
    );
  }

  const sections = framework ? buildSections(framework.nodes) : [];
  const chosen = new Set(values.nodeIds);
  const toggleMeasure = (nodeId: string, checked: boolean) =>
    setValues((current) => ({ ...current, nodeIds: checked ? [...current.nodeIds, nodeId] : current.nodeIds.filter((id) => id !== nodeId) }));
  const knownIds = new Set(framework?.nodes.map((node) => node.id) ?? []);
  const otherMeasures = action ? action.measures.filter((m) => !knownIds.has(m.nodeId)) : [];

  return (
    <>
      {measure && (
        <Notice tone="info">
          <p>{t('assessment.actionForm.fromGap', { measure: nodeLabel(measure) })}</p>
        </Notice>
      )}
      <ErrorSummary errors={form.errors} fieldIds={FIELD_IDS} />
      <form className="form" noValidate onSubmit={submit}>
        <TextInput id={FIELD_IDS.title} label={t('assessment.actionForm.title')} hint={t('assessment.actionForm.titleHint')} value={values.title} onChange={set('title')} error={form.errors.fields.title} />
        <Field id={FIELD_IDS.description} label={t('assessment.actionForm.description')} hint={t('assessment.actionForm.descriptionHint')} error={form.errors.fields.description}>
          {(control) => <textarea className="input textarea" rows={4} value={values.description} onChange={set('description')} {...control} />}
        </Field>
        <Select id={FIELD_IDS.ownerId} label={t('assessment.actionForm.owner')} hint={t('assessment.actionForm.ownerHint')} value={values.ownerId} onChange={set('ownerId')} error={form.errors.fields.ownerId}>
          <option value="">{t('assessment.actionForm.noOwner')}</option>
          {owners.map((owner) => (
            <option key={owner.id} value={owner.id}>
              {owner.displayName}
            </option>
          ))}
        </Select>
        <TextInput id={FIELD_IDS.dueDate} type="date" label={t('assessment.actionForm.dueDate')} hint={t('assessment.actionForm.dueDateHint')} value={values.dueDate} onChange={set('dueDate')} error={form.errors.fields.dueDate} className="field--narrow" />
        <Select id={FIELD_IDS.priority} label={t('assessment.actionForm.priority')} value={values.priority} onChange={set('priority')} error={form.errors.fields.priority}>
          {ACTION_PRIORITIES.map((priority) => (
            <option key={priority} value={priority}>
              {t(`assessment.plan.priority.${priority}`)}
            </option>
          ))}
        </Select>
        <Select id={FIELD_IDS.effort} label={t('assessment.actionForm.effort')} value={values.effort} onChange={set('effort')} error={form.errors.fields.effort}>
          <option value="">{t('assessment.actionForm.effortUnknown')}</option>
          {ACTION_EFFORTS.map((effort) => (
            <option key={effort} value={effort}>
              {t(`assessment.plan.effort.${effort}`)}
            </option>
          ))}
        </Select>
        <TextInput
          id={FIELD_IDS.costEstimate}
          inputMode="decimal"
          label={t('assessment.actionForm.cost')}
          hint={t('assessment.actionForm.costHint')}
          value={values.cost}
          onChange={set('cost')}
          error={form.errors.fields.costEstimate}
          className="field--narrow"
        />
        {action && (
          <Select id={FIELD_IDS.status} label={t('assessment.actionForm.status')} value={values.status} onChange={set('status')} error={form.errors.fields.status}>
            {ACTION_STATUSES.map((status) => (
              <option key={status} value={status}>
                {t(`assessment.plan.status.${status}`)}
              </option>
            ))}
          </Select>
        )}
        {(sections.length > 0 || otherMeasures.length > 0) && (
          <fieldset className="fieldset fieldset--wide" aria-describedby="action-measures-hint">
            <legend className="fieldset__legend" id={FIELD_IDS.nodeIds} tabIndex={-1}>
              {t('assessment.actionForm.measures')}
            </legend>
            <p className="field__hint" id="action-measures-hint">
              {framework ? t('assessment.actionForm.measuresHint', { framework: framework.name }) : t('assessment.actionForm.measuresHintNone')}
            </p>
            {form.errors.fields.nodeIds && <p className="field__error">{form.errors.fields.nodeIds}</p>}
            {values.nodeIds.length > 0 && (
              <p>{t('assessment.actionForm.measuresChosen', { count: values.nodeIds.length })}</p>
            )}
            {otherMeasures.map((m) => (
              <div key={m.nodeId} className="checkbox">
                <input type="checkbox" id={`measure-${m.nodeId}`} className="checkbox__input" checked={chosen.has(m.nodeId)} onChange={(event) => toggleMeasure(m.nodeId, event.target.checked)} />
                <label htmlFor={`measure-${m.nodeId}`} className="checkbox__label">
                  {[m.refId, m.name].filter(Boolean).join(' — ')}
                </label>
              </div>
            ))}
            <details className="measure-picker" open={pickerOpen}>
              <summary>{t('assessment.actionForm.chooseMeasures')}</summary>
              {sections.map((section) => (
                <div key={section.node?.id ?? 'loose'} className="measure-picker__group">
                  <p className="measure-picker__title">{section.node ? nodeLabel(section.node) : t('assessment.answer.looseMeasures')}</p>
                  {measuresOf(section.children).map((node) => (
                    <div key={node.id} className="checkbox">
                      <input type="checkbox" id={`measure-${node.id}`} className="checkbox__input" checked={chosen.has(node.id)} onChange={(event) => toggleMeasure(node.id, event.target.checked)} />
                      <label htmlFor={`measure-${node.id}`} className="checkbox__label">
                        {nodeLabel(node)}
                      </label>
                    </div>
                  ))}
                </div>
              ))}
            </details>
          </fieldset>
        )}
        <div className="actions">
          <Button type="submit" icon={Save} loading={save.isPending}>
            {action ? t('assessment.actionForm.save') : t('assessment.actionForm.create')}
          </Button>
          <Link to="/diagnostic/plan">{t('ui.cancel')}</Link>
        </div>
      </form>
    </>
  );
}
