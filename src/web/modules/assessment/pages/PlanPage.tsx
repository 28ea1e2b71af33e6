import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { ArrowLeft, ArrowRight, Check, Filter, LayoutGrid, List, ListChecks, Pencil, Plus, Trash2 } from 'lucide-react';
import { type FormEvent, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ACTION_STATUSES, type RemediationAction } from '../../../../contracts/assessment';
import { useMe } from '../../../app/session';
import { usersQuery } from '../../identity/api';
import { Button, buttonClass, type Column, ConfirmDialog, EmptyState, LoadError, Notice, PageHeader, Select, Spinner, Table, useToast } from '../../../ui';
import { type ActionStatus, actionsQuery, assessmentsQuery, deleteAction, type PlanSearch, updateAction } from '../api';
import { ActionPriorityBadge, ActionStatusBadge, LateBadge, ProgressBar } from '../components/bits';
import { NoActiveOrg, NotForYou } from '../components/guards';
import { useAssessmentFormat } from '../format';
import { rightsOver, seesDiagnostic } from '../model';
import '../assessment.css';

const route = getRouteApi('/app/diagnostic/plan');

const BOARD: ActionStatus[] = ['todo', 'in_progress', 'done'];

export interface Reassess {
  nodeId: string;
  assessmentId: string;
  label: string;
}

/** The remediation plan: the actions, as a list or a board, with their progress. */
export function PlanPage() {
  const { t } = useTranslation();
  const me = useMe();
  const orgId = me.activeOrgId;
  const mayManage = orgId !== null && rightsOver(me, orgId).plan;
  return (
    <>
      <PageHeader
        title={t('assessment.plan.title')}
        breadcrumb={[{ label: t('assessment.list.title'), to: '/diagnostic' }]}
        lead={<p>{t('assessment.plan.lead')}</p>}
        actions={
          mayManage && (
            <Link to="/diagnostic/plan/nouvelle-action" search={{}} className={buttonClass('primary')}>
              <Plus className="icon" aria-hidden="true" />
              {t('assessment.plan.add')}
            </Link>
          )
        }
      />
      {!seesDiagnostic(me) ? <NotForYou /> : orgId === null ? <NoActiveOrg /> : <Plan orgId={orgId} mayManage={mayManage} />}
    </>
  );
}

function Plan({ orgId, mayManage }: { orgId: string; mayManage: boolean }) {
  const { t } = useTranslation();
  const search = route.useSearch();
  const queryClient = useQueryClient();
  const toast = useToast();
  // All the plan (for its progress and the board), filtered here: the list stays fast to filter.
  const actions = useQuery(actionsQuery(orgId));
  const assessments = useQuery(assessmentsQuery(orgId));
  const [reassess, setReassess] = useState<Reassess[]>([]);
  const [focusId, setFocusId] = useState<string | null>(null);
  const [removing, setRemoving] = useState<RemediationAction | null>(null);

  const move = useMutation({
    mutationFn: ({ action, status }: { action: RemediationAction; status: ActionStatus }) => updateAction(action.id, { status }),
    onSuccess: async (result, { action, status }) => {
      await queryClient.invalidateQueries({ queryKey: ['assessment', 'actions'] });
      toast(t('assessment.plan.moved', { title: action.title, status: t(`assessment.plan.status.${status}`) }));
      setFocusId(action.id);
      if (result.reassess.length > 0) {
        setReassess(
          result.reassess.map((item) => {
            const measure = result.action.measures.find((m) => m.nodeId === item.nodeId) ?? action.measures.find((m) => m.nodeId === item.nodeId);
            return { ...item, label: measure ? [measure.refId, measure.name].filter(Boolean).join(' — ') : '' };
          }),
        );
      }
    },
  });
  const remove = useMutation({
    mutationFn: (action: RemediationAction) => deleteAction(action.id),
    onSuccess: async (_ok, action) => {
      setRemoving(null);
      await queryClient.invalidateQueries({ queryKey: ['assessment', 'actions'] });
      toast(t('assessment.plan.removed', { title: action.title }));
    },
  });

  // After a move, the keyboard follows the card to its new place.
  useEffect(() => {
    if (!focusId || move.isPending) return;
    const timer = window.setTimeout(() => document.getElementById(`action-${focusId}`)?.focus(), 0);
    return () => window.clearTimeout(timer);
  }, [focusId, move.isPending, actions.data]);

  if (actions.isError) return <LoadError error={actions.error} onRetry={() => void actions.refetch()} />;
  if (actions.isPending) return <Spinner />;

  const all = actions.data.actions;
  const live = all.filter((action) => action.status !== 'cancelled');
  const done = live.filter((action) => action.status === 'done').length;
  const late = all.filter((action) => action.late).length;
  const latest = assessments.data?.assessments[0];

  const filtered = all.filter(
    (action) =>
      (!search.statut || action.status === search.statut) && (!search.responsable || action.ownerId === search.responsable) && (!search.retard || action.late),
  );
  const board = search.vue === 'tableau';
  const onMove = mayManage ? (action: RemediationAction, status: ActionStatus) => move.mutate({ action, status }) : undefined;

  return (
    <>
      <section aria-labelledby="plan-progress-title" className="section summary-card">
        <h2 id="plan-progress-title">{t('assessment.plan.progressTitle')}</h2>
        {live.length === 0 ? (
          <p>{t('assessment.plan.progressEmpty')}</p>
        ) : (
          <ProgressBar value={done} max={live.length} className="progress--large" label={t('assessment.plan.progress', { count: done, total: String(live.length), percent: String(Math.round(actions.data.progress ?? 0)) })} />
        )}
        {late > 0 && (
          <p>
            <LateBadge /> <Link to="/diagnostic/plan" search={{ ...search, retard: 1 }}>{t('assessment.plan.lateCount', { count: late })}</Link>
          </p>
        )}
        {mayManage && latest && (
          <p>
            <Link to="/diagnostic/plan/suggestions" search={{ diagnostic: latest.id }}>
              <ListChecks className="icon" aria-hidden="true" /> {t('assessment.plan.suggestionsLink', { title: latest.title })}
            </Link>
          </p>
        )}
      </section>
      {reassess.length > 0 && (
        <Notice tone="info" title={t('assessment.plan.reassessTitle')} role="status">
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
          <Button variant="link" onClick={() => setReassess([])}>
            {t('assessment.plan.reassessLater')}
          </Button>
        </Notice>
      )}
      {move.isError && (
        <Notice tone="danger" role="alert">
          <p>{move.error.message}</p>
        </Notice>
      )}
      <ViewSwitch />
      <Filters key={JSON.stringify(search)} orgId={orgId} search={search} />
      {all.length === 0 ? (
        <EmptyState
          title={t('assessment.plan.empty')}
          action={
            mayManage && (
              <div className="actions">
                {latest && (
                  <Link to="/diagnostic/plan/suggestions" search={{ diagnostic: latest.id }} className={buttonClass('primary')}>
                    {t('assessment.plan.emptySuggestions')}
                  </Link>
                )}
                <Link to="/diagnostic/plan/nouvelle-action" search={{}} className={buttonClass(latest ? 'secondary' : 'primary')}>
                  {t('assessment.plan.add')}
                </Link>
              </div>
            )
          }
        >
          <p>{t('assessment.plan.emptyHelp')}</p>
        </EmptyState>
      ) : board ? (
        <Board actions={filtered} onMove={onMove} pending={move.isPending ? move.variables?.action.id : undefined} />
      ) : (
        <ActionTable actions={filtered} mayManage={mayManage} onRemove={setRemoving} onMove={onMove} />
      )}
      <ConfirmDialog
        open={removing !== null}
        title={t('assessment.plan.confirmRemove.title', { title: removing?.title ?? '' })}
        confirmLabel={t('assessment.plan.confirmRemove.action')}
        danger
        onConfirm={() => removing && remove.mutate(removing)}
        onClose={() => {
          setRemoving(null);
          remove.reset();
        }}
        pending={remove.isPending}
        error={remove.isError ? remove.error.message : undefined}
      >
        <p>{t('assessment.plan.confirmRemove.text')}</p>
      </ConfirmDialog>
    </>
  );
}

/** List or board; the current one is marked by the router (aria-current). */
function ViewSwitch() {
  const { t } = useTranslation();
  return (
    <nav aria-label={t('assessment.plan.views')} className="view-switch">
      <Link from="/diagnostic/plan" to="/diagnostic/plan" search={(current) => ({ ...current, vue: undefined })} activeOptions={{ exact: true }} className="view-switch__link">
        <List className="icon" aria-hidden="true" />
        {t('assessment.plan.listView')}
      </Link>
      <Link from="/diagnostic/plan" to="/diagnostic/plan" search={(current) => ({ ...current, vue: 'tableau' as const })} activeOptions={{ exact: true }} className="view-switch__link">
        <LayoutGrid className="icon" aria-hidden="true" />
        {t('assessment.plan.boardView')}
      </Link>
    </nav>
  );
}

function Filters({ orgId, search }: { orgId: string; search: PlanSearch }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const users = useQuery(usersQuery(orgId, undefined));
  const [status, setStatus] = useState(search.statut ?? '');
  const [owner, setOwner] = useState(search.responsable ?? '');
  const [late, setLate] = useState(search.retard === 1);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void navigate({
      to: '/diagnostic/plan',
      search: {
        vue: search.vue,
        statut: (status || undefined) as ActionStatus | undefined,
        responsable: owner || undefined,
        retard: late ? (1 as const) : undefined,
      },
    });
  };
  const filtered = search.statut || search.responsable || search.retard;
  return (
    <section aria-labelledby="plan-filters-title" className="section">
      <h2 id="plan-filters-title" className="sr-only">
        {t('assessment.plan.filters.title')}
      </h2>
      <form className="filters" noValidate onSubmit={submit}>
        <Select id="plan-status" label={t('assessment.plan.filters.status')} value={status} onChange={(event) => setStatus(event.target.value)}>
          <option value="">{t('assessment.plan.filters.anyStatus')}</option>
          {ACTION_STATUSES.map((value) => (
            <option key={value} value={value}>
              {t(`assessment.plan.status.${value}`)}
            </option>
          ))}
        </Select>
        <Select id="plan-owner" label={t('assessment.plan.filters.owner')} value={owner} onChange={(event) => setOwner(event.target.value)}>
          <option value="">{t('assessment.plan.filters.anyOwner')}</option>
          {(users.data?.users ?? []).map((user) => (
            <option key={user.id} value={user.id}>
              {user.displayName}
            </option>
          ))}
        </Select>
        <div className="checkbox filters__checkbox">
          <input type="checkbox" id="plan-late" className="checkbox__input" checked={late} onChange={(event) => setLate(event.target.checked)} />
          <label htmlFor="plan-late" className="checkbox__label">
            {t('assessment.plan.filters.late')}
          </label>
        </div>
        <div className="filters__actions">
          <Button type="submit" variant="secondary" icon={Filter}>
            {t('assessment.plan.filters.submit')}
          </Button>
          {filtered && (
            <Link to="/diagnostic/plan" search={{ vue: search.vue }}>
              {t('assessment.plan.filters.clear')}
            </Link>
          )}
        </div>
      </form>
    </section>
  );
}

function DueDate({ action }: { action: RemediationAction }) {
  const { t } = useTranslation();
  const { shortDate } = useAssessmentFormat();
  if (!action.dueDate) return <span className="muted">{t('assessment.plan.noDueDate')}</span>;
  return (
    <>
      {shortDate(action.dueDate)}
      {action.late && (
        <>
          {' '}
          <LateBadge />
        </>
      )}
    </>
  );
}

function Measures({ action }: { action: RemediationAction }) {
  if (action.measures.length === 0) return null;
  return (
    <span className="cell-detail">
      {action.measures.map((measure) => [measure.refId, measure.name].filter(Boolean).join(' — ')).join(' ; ')}
    </span>
  );
}

interface ActionTableProps {
  actions: RemediationAction[];
  mayManage: boolean;
  onRemove: (action: RemediationAction) => void;
  onMove?: (action: RemediationAction, status: ActionStatus) => void;
}

function ActionTable({ actions, mayManage, onRemove, onMove }: ActionTableProps) {
  const { t } = useTranslation();
  const columns: Column<RemediationAction>[] = [
    {
      key: 'title',
      header: t('assessment.plan.columns.title'),
      rowHeader: true,
      className: 'cell--wide',
      sortValue: (row) => row.title,
      cell: (row) => (
        <>
          <span id={`action-${row.id}`} tabIndex={-1}>
            {row.title}
          </span>
          <Measures action={row} />
        </>
      ),
    },
    { key: 'owner', header: t('assessment.plan.columns.owner'), sortValue: (row) => row.ownerName, cell: (row) => row.ownerName ?? <span className="muted">{t('assessment.plan.noOwner')}</span> },
    { key: 'dueDate', header: t('assessment.plan.columns.dueDate'), sortValue: (row) => row.dueDate, cell: (row) => <DueDate action={row} /> },
    {
      key: 'priority',
      header: t('assessment.plan.columns.priority'),
      sortValue: (row) => ['high', 'medium', 'low'].indexOf(row.priority),
      cell: (row) => <ActionPriorityBadge priority={row.priority} />,
    },
    { key: 'status', header: t('assessment.plan.columns.status'), sortValue: (row) => ACTION_STATUSES.indexOf(row.status), cell: (row) => <ActionStatusBadge status={row.status} /> },
    ...(mayManage
      ? [
          {
            key: 'actions',
            header: t('assessment.plan.columns.actions'),
            cell: (row: RemediationAction) => (
              <div className="row-actions">
                {onMove && row.status !== 'done' && row.status !== 'cancelled' && (
                  <Button variant="secondary" icon={Check} onClick={() => onMove(row, 'done')}>
                    {t('assessment.plan.markDone')}
                    <span className="sr-only"> {row.title}</span>
                  </Button>
                )}
                <Link to="/diagnostic/plan/$actionId" params={{ actionId: row.id }} className={buttonClass('secondary')}>
                  <Pencil className="icon" aria-hidden="true" />
                  {t('assessment.plan.edit')}
                  <span className="sr-only"> {row.title}</span>
                </Link>
                <Button variant="danger" icon={Trash2} onClick={() => onRemove(row)}>
                  {t('assessment.plan.remove')}
                  <span className="sr-only"> {row.title}</span>
                </Button>
              </div>
            ),
          },
        ]
      : []),
  ];
  return (
    <Table
      caption={t('assessment.plan.caption', { count: actions.length })}
      columns={columns}
      rows={actions}
      rowKey={(row) => row.id}
      initialSort={{ key: 'dueDate', direction: 'ascending' }}
      empty={
        <EmptyState title={t('assessment.plan.noMatch')}>
          <p>{t('assessment.plan.noMatchHelp')}</p>
        </EmptyState>
      }
    />
  );
}

/** Three columns; a card moves with its buttons, so the keyboard does all a mouse would. */
function Board({ actions, onMove, pending }: { actions: RemediationAction[]; onMove?: (action: RemediationAction, status: ActionStatus) => void; pending?: string }) {
  const { t } = useTranslation();
  const byDue = (a: RemediationAction, b: RemediationAction) => (a.dueDate ?? '9999').localeCompare(b.dueDate ?? '9999');
  return (
    <div className="board">
      {BOARD.map((status, index) => {
        const cards = actions.filter((action) => action.status === status).sort(byDue);
        const previous = BOARD[index - 1];
        const next = BOARD[index + 1];
        return (
          <section key={status} className="board__column" aria-labelledby={`board-${status}`}>
            <h2 id={`board-${status}`} className="board__title">
              {t(`assessment.plan.status.${status}`)} <span className="board__count">({cards.length})</span>
            </h2>
            {cards.length === 0 ? (
              <p className="muted">{t(`assessment.plan.boardEmpty.${status}`)}</p>
            ) : (
              <ul className="board__list">
                {cards.map((action) => (
                  <li key={action.id} className="board__card">
                    <h3 id={`action-${action.id}`} tabIndex={-1} className="board__card-title">
                      {action.title}
                    </h3>
                    <Measures action={action} />
                    <p className="board__meta">
                      <ActionPriorityBadge priority={action.priority} />
                      <span>{action.ownerName ?? t('assessment.plan.noOwner')}</span>
                      <span>
                        <DueDate action={action} />
                      </span>
                    </p>
                    {onMove && (
                      <div className="board__moves">
                        {previous && (
                          <Button variant="secondary" icon={ArrowLeft} onClick={() => onMove(action, previous)} loading={pending === action.id}>
                            {t('assessment.plan.moveTo', { status: t(`assessment.plan.status.${previous}`) })}
                            <span className="sr-only"> {action.title}</span>
                          </Button>
                        )}
                        {next && (
                          <Button variant="secondary" onClick={() => onMove(action, next)} loading={pending === action.id}>
                            {t('assessment.plan.moveTo', { status: t(`assessment.plan.status.${next}`) })}
                            <span className="sr-only"> {action.title}</span>
                            <ArrowRight className="icon" aria-hidden="true" />
                          </Button>
                        )}
                      </div>
                    )}
                  </li>
                ))}
              </ul>
            )}
          </section>
        );
      })}
    </div>
  );
}
