import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Plus } from 'lucide-react';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { createOrgBodySchema, updateOrgBodySchema } from '../../../../contracts/identity';
import { ALLOWED_PARENTS, ESTABLISHMENT_CATEGORIES, ORG_KINDS, type OrgKind, type Organisation } from '../../../../contracts/tenancy';
import { useMe } from '../../../app/session';
import { useFormErrors } from '../../../lib/forms';
import {
  Button,
  buttonClass,
  Checkbox,
  type Column,
  ConfirmDialog,
  EmptyState,
  ErrorSummary,
  JumpLink,
  LoadError,
  PageHeader,
  Select,
  Spinner,
  StatusBadge,
  Table,
  TextInput,
  useToast,
} from '../../../ui';
import { createOrganisation, organisationsQuery, updateOrganisation } from '../api';

interface TreeRow {
  organisation: Organisation;
  depth: number;
  parentName: string | null;
}

/** The organisations in tree order: each one followed by those attached to it, alphabetically. */
function toTree(organisations: Organisation[]): TreeRow[] {
  const byId = new Map(organisations.map((organisation) => [organisation.id, organisation]));
  const children = new Map<string | null, Organisation[]>();
  for (const organisation of organisations) {
    const parent = organisation.parentId && byId.has(organisation.parentId) ? organisation.parentId : null;
    children.set(parent, [...(children.get(parent) ?? []), organisation]);
  }
  const rows: TreeRow[] = [];
  const visit = (parentId: string | null, depth: number) => {
    const list = [...(children.get(parentId) ?? [])].sort((a, b) => a.name.localeCompare(b.name, 'fr'));
    for (const organisation of list) {
      rows.push({ organisation, depth, parentName: parentId ? (byId.get(parentId)?.name ?? null) : null });
      visit(organisation.id, depth + 1);
    }
  };
  visit(null, 0);
  return rows;
}

export function OrganisationsPage() {
  const { t } = useTranslation();
  const me = useMe();
  const organisations = useQuery(organisationsQuery(me.activeOrgId));

  return (
    <>
      <PageHeader
        title={t('organisations.title')}
        breadcrumb={[]}
        lead={<p>{t('organisations.lead')}</p>}
        actions={
          <JumpLink targetId="org-kind" className={buttonClass('primary')}>
            <Plus className="icon" aria-hidden="true" />
            {t('organisations.add.title')}
          </JumpLink>
        }
      />
      {organisations.isError ? (
        <LoadError error={organisations.error} onRetry={() => void organisations.refetch()} />
      ) : organisations.isPending ? (
        <Spinner />
      ) : (
        <>
          <OrganisationTree organisations={organisations.data.organisations} />
          <AddOrganisation organisations={organisations.data.organisations} />
        </>
      )}
    </>
  );
}

function OrganisationTree({ organisations }: { organisations: Organisation[] }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [showArchived, setShowArchived] = useState(false);
  const [renaming, setRenaming] = useState<string | null>(null);
  const [archiving, setArchiving] = useState<Organisation | null>(null);

  const update = useMutation({
    mutationFn: ({ organisation, archived }: { organisation: Organisation; archived: boolean }) => updateOrganisation(organisation.id, { archived }),
    onSuccess: async ({ organisation }) => {
      setArchiving(null);
      await queryClient.invalidateQueries({ queryKey: ['organisations'] });
      toast(organisation.archived ? t('organisations.archived', { name: organisation.name }) : t('organisations.restored', { name: organisation.name }));
    },
  });

  const rows = toTree(showArchived ? organisations : organisations.filter((organisation) => !organisation.archived));

  const columns: Column<TreeRow>[] = [
    {
      key: 'name',
      header: t('organisations.columns.name'),
      rowHeader: true,
      className: 'tree-cell',
      cell: (row) =>
        renaming === row.organisation.id ? (
          <RenameForm organisation={row.organisation} onDone={() => setRenaming(null)} />
        ) : (
          <span className={`tree-indent tree-indent--${Math.min(row.depth, 4)}`}>{row.organisation.name}</span>
        ),
    },
    { key: 'kind', header: t('organisations.columns.kind'), cell: (row) => t(`orgKinds.${row.organisation.kind}`) },
    {
      key: 'parent',
      header: t('organisations.columns.parent'),
      cell: (row) =>
        row.parentName ?? (
          <span className="muted">{row.organisation.parentId === null ? t('organisations.noParent') : t('organisations.parentOutside')}</span>
        ),
    },
    {
      key: 'finess',
      header: t('organisations.columns.finess'),
      cell: (row) => (row.organisation.kind === 'establishment' ? (row.organisation.finess ?? <Missing />) : <NotApplicable />),
    },
    {
      key: 'category',
      header: t('organisations.columns.category'),
      cell: (row) =>
        row.organisation.kind === 'establishment' ? (
          row.organisation.category ? (
            t(`categories.${row.organisation.category}`)
          ) : (
            <Missing />
          )
        ) : (
          <NotApplicable />
        ),
    },
    {
      key: 'status',
      header: t('organisations.columns.status'),
      cell: (row) =>
        row.organisation.archived ? (
          <StatusBadge tone="neutral">{t('organisations.status.archived')}</StatusBadge>
        ) : (
          <StatusBadge tone="success">{t('organisations.status.active')}</StatusBadge>
        ),
    },
    {
      key: 'actions',
      header: t('organisations.columns.actions'),
      cell: (row) => (
        <div className="row-actions">
          {renaming !== row.organisation.id && (
            <Button variant="secondary" onClick={() => setRenaming(row.organisation.id)}>
              {t('organisations.rename')}
              <span className="sr-only"> {row.organisation.name}</span>
            </Button>
          )}
          {row.organisation.archived ? (
            <Button variant="secondary" onClick={() => update.mutate({ organisation: row.organisation, archived: false })}>
              {t('organisations.restore')}
              <span className="sr-only"> {row.organisation.name}</span>
            </Button>
          ) : (
            <Button variant="secondary" onClick={() => setArchiving(row.organisation)}>
              {t('organisations.archive')}
              <span className="sr-only"> {row.organisation.name}</span>
            </Button>
          )}
        </div>
      ),
    },
  ];

  return (
    <section aria-labelledby="org-tree-title" className="section">
      <h2 id="org-tree-title">{t('organisations.tree.title')}</h2>
      <Checkbox
        id="org-show-archived"
        label={t('organisations.showArchived')}
        checked={showArchived}
        onChange={(event) => setShowArchived(event.target.checked)}
      />
      {update.isError && !archiving && <p className="field__error" role="alert">{update.error.message}</p>}
      <Table
        caption={t('organisations.tree.caption', { count: rows.length })}
        columns={columns}
        rows={rows}
        rowKey={(row) => row.organisation.id}
        empty={
          <EmptyState
            title={t('organisations.tree.empty')}
            action={
              <JumpLink targetId="org-kind" className={buttonClass('primary')}>
                {t('organisations.add.title')}
              </JumpLink>
            }
          >
            <p>{t('organisations.tree.emptyHelp')}</p>
          </EmptyState>
        }
      />
      <ConfirmDialog
        open={archiving !== null}
        title={t('organisations.confirmArchive.title', { name: archiving?.name ?? '' })}
        confirmLabel={t('organisations.archive')}
        danger
        onConfirm={() => archiving && update.mutate({ organisation: archiving, archived: true })}
        onClose={() => {
          setArchiving(null);
          update.reset();
        }}
        pending={update.isPending}
        error={update.isError ? update.error.message : undefined}
      >
        <p>{t('organisations.confirmArchive.text')}</p>
      </ConfirmDialog>
    </section>
  );
}

function Missing() {
  const { t } = useTranslation();
  return <span className="muted">{t('organisations.none')}</span>;
}

/** FINESS and category only concern establishments. */
function NotApplicable() {
  const { t } = useTranslation();
  return (
    <>
      <span aria-hidden="true">—</span>
      <span className="sr-only">{t('organisations.notApplicable')}</span>
    </>
  );
}

function RenameForm({ organisation, onDone }: { organisation: Organisation; onDone: () => void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const toast = useToast();
  const form = useFormErrors();
  const [name, setName] = useState(organisation.name);
  const id = `rename-${organisation.id}`;
  const mutation = useMutation({
    mutationFn: (body: { name?: string }) => updateOrganisation(organisation.id, body),
    onSuccess: async ({ organisation: renamed }) => {
      await queryClient.invalidateQueries({ queryKey: ['organisations'] });
      toast(t('organisations.renamed', { name: renamed.name }));
      onDone();
    },
    onError: form.fail,
  });
  const error = form.errors.fields.name ?? form.errors.message;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const body = form.validate(updateOrgBodySchema.pick({ name: true }).required(), { name });
    if (body) mutation.mutate(body);
  };

  return (
    <form className="inline-form" noValidate onSubmit={submit}>
      <label htmlFor={id} className="sr-only">
        {t('organisations.renameLabel', { name: organisation.name })}
      </label>
      <input
        id={id}
        className="input"
        value={name}
        autoFocus
        onChange={(event) => setName(event.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
      />
      {error && (
        <p id={`${id}-error`} className="field__error" role="alert">
          {error}
        </p>
      )}
      <Button type="submit" loading={mutation.isPending}>
        {t('organisations.save')}
      </Button>
      <Button variant="secondary" onClick={onDone}>
        {t('ui.cancel')}
      </Button>
    </form>
  );
}

function AddOrganisation({ organisations }: { organisations: Organisation[] }) {
  const { t } = useTranslation();
  const me = useMe();
  const queryClient = useQueryClient();
  const toast = useToast();
  const form = useFormErrors();
  const open = organisations.filter((organisation) => !organisation.archived);

  // A kind can be added when one of its allowed parents is at hand (a region has none: administrators only).
  const kinds = ORG_KINDS.filter((kind) =>
    ALLOWED_PARENTS[kind].some((parent) => (parent === null ? me.user.platformAdmin : open.some((organisation) => organisation.kind === parent))),
  );
  const [kind, setKind] = useState<OrgKind | ''>(kinds.includes('establishment') ? 'establishment' : (kinds[0] ?? ''));
  const [parentId, setParentId] = useState('');
  const [name, setName] = useState('');
  const [finess, setFiness] = useState('');
  const [category, setCategory] = useState('');

  const parents = kind ? open.filter((organisation) => ALLOWED_PARENTS[kind].includes(organisation.kind)) : [];
  const isEstablishment = kind === 'establishment';

  const mutation = useMutation({
    mutationFn: createOrganisation,
    onSuccess: async ({ organisation }) => {
      setName('');
      setFiness('');
      setCategory('');
      await queryClient.invalidateQueries({ queryKey: ['organisations'] });
      toast(t('organisations.added', { name: organisation.name }));
    },
    onError: form.fail,
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const body = form.validate(createOrgBodySchema, {
      kind: kind || undefined,
      name,
      parentId: kind === 'region' ? null : parentId,
      finess: isEstablishment && finess.trim() ? finess : null,
      category: isEstablishment && category ? category : null,
    });
    if (body) mutation.mutate(body);
  };

  return (
    <section aria-labelledby="org-add-title" className="section">
      <h2 id="org-add-title">{t('organisations.add.title')}</h2>
      {kinds.length === 0 ? (
        <p>{t('organisations.add.nothing')}</p>
      ) : (
        <>
          <ErrorSummary
            errors={form.errors}
            fieldIds={{ kind: 'org-kind', parentId: 'org-parent', name: 'org-name', finess: 'org-finess', category: 'org-category' }}
          />
          <form className="form" noValidate onSubmit={submit}>
            <Select
              id="org-kind"
              label={t('organisations.add.kind')}
              value={kind}
              onChange={(event) => {
                setKind(event.target.value as OrgKind);
                setParentId('');
              }}
              error={form.errors.fields.kind}
            >
              {kinds.map((option) => (
                <option key={option} value={option}>
                  {t(`orgKinds.${option}`)}
                </option>
              ))}
            </Select>
            {kind === 'region' ? (
              <p className="field__hint">{t('organisations.add.regionHasNoParent')}</p>
            ) : (
              <Select
                id="org-parent"
                label={t('organisations.add.parent')}
                hint={kind ? t('organisations.add.parentHint', { kinds: ALLOWED_PARENTS[kind]
                          .filter((parent): parent is OrgKind => parent !== null)
                          .map((parent) => t(`orgKinds.${parent}`))
                          .join(', ') }) : undefined}
                value={parentId}
                onChange={(event) => setParentId(event.target.value)}
                error={form.errors.fields.parentId}
              >
                <option value="">{t('organisations.add.chooseParent')}</option>
                {parents.map((organisation) => (
                  <option key={organisation.id} value={organisation.id}>
                    {t('common.orgOption', { name: organisation.name, kind: t(`orgKinds.${organisation.kind}`) })}
                  </option>
                ))}
              </Select>
            )}
            <TextInput
              id="org-name"
              label={t('organisations.add.name')}
              autoComplete="off"
              value={name}
              onChange={(event) => setName(event.target.value)}
              error={form.errors.fields.name}
            />
            {isEstablishment && (
              <>
                <TextInput
                  id="org-finess"
                  label={t('organisations.add.finess')}
                  hint={t('organisations.add.finessHint')}
                  autoComplete="off"
                  spellCheck={false}
                  inputMode="text"
                  value={finess}
                  onChange={(event) => setFiness(event.target.value)}
                  error={form.errors.fields.finess}
                />
                <Select
                  id="org-category"
                  label={t('organisations.add.category')}
                  value={category}
                  onChange={(event) => setCategory(event.target.value)}
                  error={form.errors.fields.category}
                >
                  <option value="">{t('organisations.add.chooseCategory')}</option>
                  {ESTABLISHMENT_CATEGORIES.map((option) => (
                    <option key={option} value={option}>
                      {t(`categories.${option}`)}
                    </option>
                  ))}
                </Select>
              </>
            )}
            <Button type="submit" icon={Plus} loading={mutation.isPending}>
              {t('organisations.add.submit')}
            </Button>
          </form>
        </>
      )}
    </section>
  );
}
