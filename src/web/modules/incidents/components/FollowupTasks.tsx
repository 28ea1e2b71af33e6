import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ListPlus, Pencil, Save } from 'lucide-react';
import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { createTaskBodySchema, TASK_STATUSES, updateTaskBodySchema } from '../../../../contracts/incidents';
import { ApiError } from '../../../lib/api';
import { useFormErrors } from '../../../lib/forms';
import { Button, EmptyState, ErrorSummary, Notice, Select, StatusBadge, TextInput, type Tone, useToast } from '../../../ui';
import { createTask, followUpKey, parisToday, peopleQuery, type Person, type Task, updateTask, useFollowFormat } from '../followup-api';

type TaskStatus = (typeof TASK_STATUSES)[number];
const STATUS_TONES: Record<TaskStatus, Tone> = { todo: 'neutral', in_progress: 'info', done: 'success' };

/** The incident's tasks, each with its owner, due date and status; added and changed in place. */
export function FollowupTasks({ incidentId, tasks, editable }: { incidentId: string; tasks: Task[]; editable: boolean }) {
  const { t } = useTranslation();
  const titleId = useId();
  const people = useQuery({ ...peopleQuery(incidentId), enabled: editable });
  const sorted = [...tasks].sort(
    (a, b) => Number(a.status === 'done') - Number(b.status === 'done') || (a.dueDate ?? '9999').localeCompare(b.dueDate ?? '9999') || a.createdAt.localeCompare(b.createdAt),
  );

  return (
    <section className="followup__block" aria-labelledby={titleId}>
      <h2 id={titleId}>{t('incidents.follow.tasks.title')}</h2>
      <p className="followup__lead">{t('incidents.follow.tasks.lead')}</p>
      {sorted.length === 0 ? (
        <EmptyState title={t('incidents.follow.tasks.emptyTitle')}>
          <p>{editable ? t('incidents.follow.tasks.emptyText') : t('incidents.follow.tasks.emptyReadOnly')}</p>
        </EmptyState>
      ) : (
        <ul className="followup-tasks" aria-labelledby={titleId}>
          {sorted.map((task) => (
            <TaskItem key={task.id} incidentId={incidentId} task={task} editable={editable} people={people.data?.people ?? []} />
          ))}
        </ul>
      )}
      {editable && <TaskForm incidentId={incidentId} people={people.data?.people ?? null} />}
    </section>
  );
}

function OwnerOptions({ people, current }: { people: Person[]; current?: { id: string | null; name: string | null } }) {
  const { t } = useTranslation();
  const known = current?.id && !people.some((person) => person.id === current.id);
  return (
    <>
      <option value="">{t('incidents.follow.tasks.ownerNone')}</option>
      {people.map((person) => (
        <option key={person.id} value={person.id}>
          {person.name}
        </option>
      ))}
      {known && current?.id && <option value={current.id}>{current.name ?? current.id}</option>}
    </>
  );
}

function TaskItem({ incidentId, task, editable, people }: { incidentId: string; task: Task; editable: boolean; people: Person[] }) {
  const { t } = useTranslation();
  const { date, dateTime } = useFollowFormat();
  const queryClient = useQueryClient();
  const toast = useToast();
  const form = useFormErrors();
  const [editing, setEditing] = useState(false);
  const [conflict, setConflict] = useState(false);
  const [values, setValues] = useState({ status: task.status as TaskStatus, ownerId: task.ownerId ?? '', dueDate: task.dueDate ?? '' });
  const late = task.status !== 'done' && task.dueDate !== null && task.dueDate < parisToday();
  const id = `task-${task.id}`;
  const fieldIds = { status: `${id}-status`, ownerId: `${id}-owner`, dueDate: `${id}-due` };

  const save = useMutation({
    mutationFn: (body: Parameters<typeof updateTask>[2]) => updateTask(incidentId, task.id, body),
    onSuccess: async (saved) => {
      setEditing(false);
      setConflict(false);
      form.clear();
      await queryClient.invalidateQueries({ queryKey: followUpKey(incidentId) });
      toast(t('incidents.follow.tasks.saved', { title: saved.title }));
    },
    onError: async (error) => {
      if (error instanceof ApiError && error.status === 409) {
        // Someone saved first: show their version, and say so; the person makes her change again.
        form.clear();
        setEditing(false);
        setConflict(true);
        await queryClient.invalidateQueries({ queryKey: followUpKey(incidentId) });
        return;
      }
      form.fail(error);
    },
  });

  const open = () => {
    setValues({ status: task.status, ownerId: task.ownerId ?? '', dueDate: task.dueDate ?? '' });
    setConflict(false);
    form.clear();
    setEditing(true);
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const body = form.validate(updateTaskBodySchema, {
      status: values.status,
      ownerId: values.ownerId || null,
      dueDate: values.dueDate || null,
      version: task.version,
    });
    if (body) save.mutate(body);
  };

  return (
    <li className="followup-task">
      <div className="followup-task__head">
        <p className="followup-task__title">{task.title}</p>
        <span className="followup-task__badges">
          <StatusBadge tone={STATUS_TONES[task.status]}>{t(`incidents.common.taskStatus.${task.status}`)}</StatusBadge>
          {late && <StatusBadge tone="danger">{t('incidents.follow.tasks.late')}</StatusBadge>}
        </span>
      </div>
      <p className="followup-task__meta">
        <span>{task.ownerName ? t('incidents.follow.tasks.owner', { name: task.ownerName }) : t('incidents.follow.tasks.noOwner')}</span>
        <span>{task.dueDate ? t('incidents.follow.tasks.due', { date: date(task.dueDate) }) : t('incidents.follow.tasks.noDue')}</span>
        {task.status === 'done' && task.doneAt && <span>{t('incidents.follow.tasks.doneOn', { date: dateTime(task.doneAt) })}</span>}
      </p>
      {conflict && (
        <Notice tone="warning" role="alert">
          <p>{t('incidents.follow.tasks.conflict')}</p>
        </Notice>
      )}
      {editable && !editing && (
        <Button variant="secondary" icon={Pencil} onClick={open} aria-label={t('incidents.follow.tasks.editTask', { title: task.title })}>
          {t('incidents.follow.tasks.edit')}
        </Button>
      )}
      {editable && editing && (
        <form className="followup-task__form" noValidate onSubmit={submit} aria-label={t('incidents.follow.tasks.editTask', { title: task.title })}>
          <ErrorSummary errors={form.errors} fieldIds={fieldIds} />
          <div className="followup-row">
            <Select
              id={fieldIds.status}
              label={t('incidents.follow.tasks.status')}
              value={values.status}
              onChange={(event) => setValues((v) => ({ ...v, status: event.target.value as TaskStatus }))}
              error={form.errors.fields.status}
            >
              {TASK_STATUSES.map((status) => (
                <option key={status} value={status}>
                  {t(`incidents.common.taskStatus.${status}`)}
                </option>
              ))}
            </Select>
            <Select
              id={fieldIds.ownerId}
              label={t('incidents.follow.tasks.ownerLabel')}
              value={values.ownerId}
              onChange={(event) => setValues((v) => ({ ...v, ownerId: event.target.value }))}
              error={form.errors.fields.ownerId}
            >
              <OwnerOptions people={people} current={{ id: task.ownerId, name: task.ownerName }} />
            </Select>
            <TextInput
              id={fieldIds.dueDate}
              type="date"
              label={t('incidents.follow.tasks.dueDate')}
              value={values.dueDate}
              onChange={(event) => setValues((v) => ({ ...v, dueDate: event.target.value }))}
              error={form.errors.fields.dueDate}
            />
          </div>
          <div className="followup-actions">
            <Button type="submit" icon={Save} loading={save.isPending}>
              {t('incidents.follow.tasks.save')}
            </Button>
            <Button variant="secondary" onClick={() => setEditing(false)} disabled={save.isPending}>
              {t('ui.cancel')}
            </Button>
          </div>
        </form>
      )}
    </li>
  );
}

const NEW_IDS = { title: 'task-new-title', ownerId: 'task-new-owner', dueDate: 'task-new-due' };

function TaskForm({ incidentId, people }: { incidentId: string; people: Person[] | null }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const form = useFormErrors();
  const titleId = useId();
  const [values, setValues] = useState({ title: '', ownerId: '', dueDate: '' });
  const [announce, setAnnounce] = useState('');

  const add = useMutation({
    mutationFn: (body: Parameters<typeof createTask>[1]) => createTask(incidentId, body),
    onSuccess: async (task) => {
      setValues({ title: '', ownerId: '', dueDate: '' });
      form.clear();
      await queryClient.invalidateQueries({ queryKey: followUpKey(incidentId) });
      setAnnounce(t('incidents.follow.tasks.added', { title: task.title }));
    },
    onError: form.fail,
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setAnnounce('');
    const body = form.validate(createTaskBodySchema, { title: values.title, ownerId: values.ownerId || null, dueDate: values.dueDate || null });
    if (body) add.mutate(body);
  };

  return (
    <form className="followup-form" noValidate onSubmit={submit} aria-labelledby={titleId}>
      <h3 id={titleId}>{t('incidents.follow.tasks.formTitle')}</h3>
      <ErrorSummary errors={form.errors} fieldIds={NEW_IDS} />
      <TextInput
        id={NEW_IDS.title}
        label={t('incidents.follow.tasks.taskTitle')}
        hint={t('incidents.follow.tasks.taskTitleHint')}
        value={values.title}
        onChange={(event) => setValues((v) => ({ ...v, title: event.target.value }))}
        error={form.errors.fields.title}
      />
      <div className="followup-row">
        <Select
          id={NEW_IDS.ownerId}
          label={t('incidents.follow.tasks.ownerLabel')}
          hint={people === null ? t('incidents.follow.tasks.ownerLoading') : t('incidents.follow.tasks.ownerHint')}
          value={values.ownerId}
          onChange={(event) => setValues((v) => ({ ...v, ownerId: event.target.value }))}
          error={form.errors.fields.ownerId}
        >
          <OwnerOptions people={people ?? []} />
        </Select>
        <TextInput
          id={NEW_IDS.dueDate}
          type="date"
          label={t('incidents.follow.tasks.dueDate')}
          hint={t('incidents.follow.tasks.dueDateHint')}
          value={values.dueDate}
          onChange={(event) => setValues((v) => ({ ...v, dueDate: event.target.value }))}
          error={form.errors.fields.dueDate}
        />
      </div>
      <Button type="submit" icon={ListPlus} loading={add.isPending}>
        {t('incidents.follow.tasks.submit')}
      </Button>
      <p className="sr-only" role="status">
        {announce}
      </p>
    </form>
  );
}
