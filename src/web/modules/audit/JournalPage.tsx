import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query';
import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { Download, Filter, ShieldCheck } from 'lucide-react';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useMe } from '../../app/session';
import { useFormErrors } from '../../lib/forms';
import { Button, buttonClass, EmptyState, ErrorSummary, LoadError, Notice, PageHeader, Select, Spinner, TextInput } from '../../ui';
import { auditExportHref, auditFilterSchema, auditQuery, type AuditFilters, verifyAudit } from './api';
import { AuditTable } from './AuditTable';

const route = getRouteApi('/app/journal');

export function JournalPage() {
  const { t } = useTranslation();
  const me = useMe();
  const search = route.useSearch();
  const { page = 1, ...filters } = search;
  const entries = useQuery({ ...auditQuery(me.activeOrgId, search), placeholderData: keepPreviousData });
  const filtered = Object.values(filters).some((value) => value !== undefined);

  return (
    <>
      <PageHeader
        title={t('audit.title')}
        breadcrumb={[]}
        lead={<p>{t('audit.lead')}</p>}
        actions={
          <a className={buttonClass('secondary')} href={auditExportHref(me.activeOrgId, filters)} download>
            <Download className="icon" aria-hidden="true" />
            {t('audit.export')}
          </a>
        }
      />
      <Filters key={JSON.stringify(filters)} filters={filters} />
      <section aria-labelledby="audit-entries-title" className="section">
        <h2 id="audit-entries-title">{t('audit.entriesTitle')}</h2>
        {entries.isError ? (
          <LoadError error={entries.error} onRetry={() => void entries.refetch()} />
        ) : entries.isPending ? (
          <Spinner />
        ) : (
          <>
            <AuditTable
              caption={t('audit.caption', {
                count: entries.data.total,
                page: String(page),
                pages: String(Math.max(1, Math.ceil(entries.data.total / entries.data.pageSize))),
              })}
              entries={entries.data.entries}
              empty={
                <EmptyState title={filtered ? t('audit.emptyFiltered') : t('audit.empty')}>
                  <p>{filtered ? t('audit.emptyFilteredHelp') : t('audit.emptyHelp')}</p>
                </EmptyState>
              }
            />
            <Pagination page={page} total={entries.data.total} pageSize={entries.data.pageSize} />
          </>
        )}
      </section>
      <Verify />
    </>
  );
}

function Filters({ filters }: { filters: AuditFilters }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const form = useFormErrors();
  const [values, setValues] = useState({
    action: filters.action ?? '',
    actor: filters.actor ?? '',
    outcome: filters.outcome ?? '',
    from: filters.from ?? '',
    to: filters.to ?? '',
  });
  const set = (key: keyof typeof values) => (event: { target: { value: string } }) => setValues((current) => ({ ...current, [key]: event.target.value }));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const next = form.validate(
      auditFilterSchema,
      Object.fromEntries(Object.entries(values).filter(([, value]) => value.trim() !== '')),
    );
    if (next) void navigate({ to: '/journal', search: next });
  };

  return (
    <section aria-labelledby="audit-filters-title" className="section">
      <h2 id="audit-filters-title">{t('audit.filters.title')}</h2>
      <ErrorSummary
        errors={form.errors}
        fieldIds={{ action: 'audit-action', actor: 'audit-actor', outcome: 'audit-outcome', from: 'audit-from', to: 'audit-to' }}
      />
      <form className="filters" noValidate onSubmit={submit}>
        <TextInput id="audit-action" label={t('audit.filters.action')} hint={t('audit.filters.actionHint')} value={values.action} onChange={set('action')} error={form.errors.fields.action} spellCheck={false} />
        <TextInput id="audit-actor" label={t('audit.filters.actor')} hint={t('audit.filters.actorHint')} value={values.actor} onChange={set('actor')} error={form.errors.fields.actor} />
        <Select id="audit-outcome" label={t('audit.filters.outcome')} value={values.outcome} onChange={set('outcome')} error={form.errors.fields.outcome}>
          <option value="">{t('audit.filters.anyOutcome')}</option>
          <option value="success">{t('audit.outcomes.success')}</option>
          <option value="failure">{t('audit.outcomes.failure')}</option>
          <option value="denied">{t('audit.outcomes.denied')}</option>
        </Select>
        <TextInput id="audit-from" type="date" label={t('audit.filters.from')} value={values.from} onChange={set('from')} error={form.errors.fields.from} />
        <TextInput id="audit-to" type="date" label={t('audit.filters.to')} value={values.to} onChange={set('to')} error={form.errors.fields.to} />
        <div className="filters__actions">
          <Button type="submit" icon={Filter}>
            {t('audit.filters.submit')}
          </Button>
          <Link to="/journal" search={{}}>
            {t('audit.filters.clear')}
          </Link>
        </div>
      </form>
    </section>
  );
}

function Pagination({ page, total, pageSize }: { page: number; total: number; pageSize: number }) {
  const { t } = useTranslation();
  const pages = Math.max(1, Math.ceil(total / pageSize));
  if (pages === 1) return null;
  return (
    <nav className="pagination" aria-label={t('audit.pagination.label')}>
      {page > 1 && (
        <Link to="/journal" search={(current) => ({ ...current, page: page - 1 > 1 ? page - 1 : undefined })} rel="prev">
          {t('audit.pagination.previous')}
        </Link>
      )}
      <span>{t('audit.pagination.position', { page: String(page), pages: String(pages) })}</span>
      {page < pages && (
        <Link to="/journal" search={(current) => ({ ...current, page: page + 1 })} rel="next">
          {t('audit.pagination.next')}
        </Link>
      )}
    </nav>
  );
}

function Verify() {
  const { t } = useTranslation();
  const verify = useMutation({ mutationFn: verifyAudit });
  return (
    <section aria-labelledby="audit-verify-title" className="section">
      <h2 id="audit-verify-title">{t('audit.verify.title')}</h2>
      <p>{t('audit.verify.lead')}</p>
      <Button variant="secondary" icon={ShieldCheck} loading={verify.isPending} onClick={() => verify.mutate()}>
        {t('audit.verify.submit')}
      </Button>
      <div className="verify-result" aria-live="polite">
        {verify.isSuccess &&
          (verify.data.valid ? (
            <Notice tone="success" title={t('audit.verify.validTitle')}>
              <p>{t('audit.verify.valid', { count: verify.data.checked })}</p>
            </Notice>
          ) : (
            <Notice tone="danger" title={t('audit.verify.brokenTitle')}>
              <p>
                {verify.data.brokenAt === null
                  ? t('audit.verify.brokenUnknown', { count: verify.data.checked })
                  : t('audit.verify.broken', { seq: String(verify.data.brokenAt), count: verify.data.checked })}
              </p>
              <p>{t('audit.verify.brokenHelp')}</p>
            </Notice>
          ))}
        {verify.isError && (
          <Notice tone="danger" title={t('audit.verify.errorTitle')}>
            <p>{verify.error.message}</p>
          </Notice>
        )}
      </div>
    </section>
  );
}
