import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { Megaphone, Send } from 'lucide-react';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { createCampaignBodySchema, type CampaignSummary, type CampaignTotals } from '../../../../contracts/assessment-region';
import { useMe } from '../../../app/session';
import { useFormErrors } from '../../../lib/forms';
import { Button, buttonClass, Checkbox, ConfirmDialog, EmptyState, ErrorSummary, LoadError, Notice, PageHeader, Select, Spinner, StatusBadge, Table, TextInput, useToast } from '../../../ui';
import { campaignQuery, campaignsQuery, createCampaign, establishmentsUnderQuery, frameworksQuery, remindCampaign } from '../api';
import { useRegionFormat } from '../format';
import { campaignStatus, isCoordinator, round } from '../model';
import '../region.css';

/** Only a region's or a GHT's coordinator runs campaigns: others are told where they are. */
function CoordinatorOnly({ title }: { title: string }) {
  const { t } = useTranslation();
  return (
    <>
      <PageHeader title={title} breadcrumb={[]} />
      <Notice tone="info" title={t('region.coordinatorOnly.title')}>
        <p>{t('region.coordinatorOnly.text')}</p>
      </Notice>
    </>
  );
}

function Progress({ totals }: { totals: CampaignTotals }) {
  const { t } = useTranslation();
  return (
    <span>
      {t('region.campaigns.progress', { submitted: String(totals.submitted + totals.validated), validated: String(totals.validated), count: totals.establishments })}
    </span>
  );
}

export function CampaignsPage() {
  const { t } = useTranslation();
  const me = useMe();
  const fmt = useRegionFormat();
  const orgId = me.activeOrgId;
  const coordinator = isCoordinator(me);
  const campaigns = useQuery({ ...campaignsQuery(orgId ?? ''), enabled: coordinator && orgId !== null });
  const title = t('region.campaigns.title');
  if (!coordinator || !orgId) return <CoordinatorOnly title={title} />;

  const columns = [
    {
      key: 'title',
      header: t('region.campaigns.columns.title'),
      rowHeader: true,
      sortValue: (c: CampaignSummary) => c.title,
      cell: (c: CampaignSummary) => (
        <Link to="/pilotage/campagnes/$id" params={{ id: c.id }}>
          {c.title}
        </Link>
      ),
    },
    { key: 'framework', header: t('region.campaigns.columns.framework'), cell: (c: CampaignSummary) => c.frameworkName },
    {
      key: 'deadline',
      header: t('region.campaigns.columns.deadline'),
      sortValue: (c: CampaignSummary) => c.deadline,
      cell: (c: CampaignSummary) => (
        <>
          {fmt.date(c.deadline)} {c.overdue && c.totals.late > 0 && <StatusBadge tone="danger">{t('region.status.late')}</StatusBadge>}
        </>
      ),
    },
    { key: 'progress', header: t('region.campaigns.columns.progress'), cell: (c: CampaignSummary) => <Progress totals={c.totals} /> },
  ];

  return (
    <>
      <PageHeader
        title={title}
        breadcrumb={[]}
        lead={<p>{t('region.campaigns.lead')}</p>}
        actions={
          <Link to="/pilotage/campagnes/nouvelle" className={buttonClass('primary')}>
            <Megaphone className="icon" aria-hidden="true" />
            {t('region.campaigns.launch')}
          </Link>
        }
      />
      <section aria-labelledby="campaigns-list" className="section">
        <h2 id="campaigns-list">{t('region.campaigns.listTitle')}</h2>
        {campaigns.isError ? (
          <LoadError error={campaigns.error} onRetry={() => void campaigns.refetch()} />
        ) : campaigns.isPending ? (
          <Spinner />
        ) : (
          <Table
            caption={t('region.campaigns.caption', { count: campaigns.data.campaigns.length })}
            captionHidden
            columns={columns}
            rows={campaigns.data.campaigns}
            rowKey={(c) => c.id}
            initialSort={{ key: 'deadline', direction: 'descending' }}
            empty={
              <EmptyState
                title={t('region.campaigns.empty')}
                action={
                  <Link to="/pilotage/campagnes/nouvelle" className={buttonClass('primary')}>
                    {t('region.campaigns.launch')}
                  </Link>
                }
              >
                <p>{t('region.campaigns.emptyHelp')}</p>
              </EmptyState>
            }
          />
        )}
      </section>
    </>
  );
}

// --- Launch a campaign -------------------------------------------------------------------

export function NewCampaignPage() {
  const { t } = useTranslation();
  const me = useMe();
  const orgId = me.activeOrgId;
  const coordinator = isCoordinator(me);
  const title = t('region.launch.title');
  if (!coordinator || !orgId) return <CoordinatorOnly title={title} />;
  return <NewCampaignForm orgId={orgId} title={title} />;
}

function NewCampaignForm({ orgId, title }: { orgId: string; title: string }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const toast = useToast();
  const queryClient = useQueryClient();
  const form = useFormErrors();
  const frameworks = useQuery(frameworksQuery);
  const establishments = useQuery(establishmentsUnderQuery(orgId));
  const [values, setValues] = useState({ title: '', frameworkId: '', deadline: '' });
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const choices = (establishments.data?.organisations ?? []).filter((o) => o.kind === 'establishment' && !o.archived);
  const referentiels = frameworks.data?.frameworks ?? [];
  const frameworkId = values.frameworkId || (referentiels.find((f) => f.kind === 'referentiel')?.id ?? referentiels[0]?.id ?? '');

  const create = useMutation({
    mutationFn: createCampaign,
    onSuccess: async (detail) => {
      await queryClient.invalidateQueries({ queryKey: ['region', 'campaigns'] });
      toast(t('region.launch.done', { count: detail.establishments.length }));
      void navigate({ to: '/pilotage/campagnes/$id', params: { id: detail.campaign.id } });
    },
    onError: form.fail,
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const body = form.validate(createCampaignBodySchema, { orgId, frameworkId, title: values.title, deadline: values.deadline, establishmentIds: [...selected] });
    if (body) create.mutate(body);
  };
  const toggle = (id: string) =>
    setSelected((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const allSelected = choices.length > 0 && choices.every((o) => selected.has(o.id));

  return (
    <>
      <PageHeader title={title} breadcrumb={[{ label: t('region.campaigns.title'), to: '/pilotage/campagnes' }]} lead={<p>{t('region.launch.lead')}</p>} />
      <ErrorSummary
        errors={form.errors}
        fieldIds={{ title: 'campaign-title', frameworkId: 'campaign-framework', deadline: 'campaign-deadline', establishmentIds: 'campaign-all' }}
      />
      {frameworks.isError ? (
        <LoadError error={frameworks.error} onRetry={() => void frameworks.refetch()} />
      ) : establishments.isError ? (
        <LoadError error={establishments.error} onRetry={() => void establishments.refetch()} />
      ) : frameworks.isPending || establishments.isPending ? (
        <Spinner />
      ) : (
        <form className="form" noValidate onSubmit={submit}>
          <TextInput
            id="campaign-title"
            label={t('region.launch.fields.title')}
            hint={t('region.launch.fields.titleHint')}
            value={values.title}
            onChange={(e) => setValues((v) => ({ ...v, title: e.target.value }))}
            error={form.errors.fields.title}
          />
          <Select
            id="campaign-framework"
            label={t('region.launch.fields.framework')}
            value={frameworkId}
            onChange={(e) => setValues((v) => ({ ...v, frameworkId: e.target.value }))}
            error={form.errors.fields.frameworkId}
          >
            {referentiels.map((f) => (
              <option key={f.id} value={f.id}>
                {f.name}
              </option>
            ))}
          </Select>
          <TextInput
            id="campaign-deadline"
            type="date"
            label={t('region.launch.fields.deadline')}
            hint={t('region.launch.fields.deadlineHint')}
            value={values.deadline}
            onChange={(e) => setValues((v) => ({ ...v, deadline: e.target.value }))}
            error={form.errors.fields.deadline}
          />
          <fieldset className="region-checklist" aria-describedby={form.errors.fields.establishmentIds ? 'campaign-all-error' : undefined}>
            <legend>{t('region.launch.fields.establishments')}</legend>
            {choices.length === 0 ? (
              <p>{t('region.launch.noEstablishment')}</p>
            ) : (
              <>
                <Checkbox
                  id="campaign-all"
                  label={t('region.launch.selectAll')}
                  checked={allSelected}
                  error={form.errors.fields.establishmentIds}
                  onChange={() => setSelected(allSelected ? new Set() : new Set(choices.map((o) => o.id)))}
                />
                {choices.map((o) => (
                  <Checkbox
                    key={o.id}
                    id={`campaign-org-${o.id}`}
                    label={o.name}
                    hint={o.category ? t(`categories.${o.category}`) : undefined}
                    checked={selected.has(o.id)}
                    onChange={() => toggle(o.id)}
                  />
                ))}
                <p aria-live="polite">{t('region.launch.selected', { count: selected.size })}</p>
              </>
            )}
          </fieldset>
          <div className="actions">
            <Button type="submit" icon={Megaphone} loading={create.isPending}>
              {t('region.launch.submit')}
            </Button>
            <Link to="/pilotage/campagnes">{t('ui.cancel')}</Link>
          </div>
        </form>
      )}
    </>
  );
}

// --- Follow a campaign ---------------------------------------------------------------------

const detailRoute = getRouteApi('/app/pilotage/campagnes/$id');

export function CampaignPage() {
  const { t } = useTranslation();
  const me = useMe();
  const fmt = useRegionFormat();
  const toast = useToast();
  const queryClient = useQueryClient();
  const { id } = detailRoute.useParams();
  const detail = useQuery(campaignQuery(id));
  const [confirming, setConfirming] = useState(false);
  const remind = useMutation({
    mutationFn: () => remindCampaign(id),
    onSuccess: async (result) => {
      setConfirming(false);
      toast(result.establishments === 0 ? t('region.campaign.remindNone') : t('region.campaign.remindDone', { count: result.mails, establishments: String(result.establishments) }));
      await queryClient.invalidateQueries({ queryKey: ['region', 'campaign', id] });
    },
  });

  if (!isCoordinator(me)) return <CoordinatorOnly title={t('region.campaigns.title')} />;
  if (detail.isError || detail.isPending) {
    return (
      <>
        <PageHeader title={t('region.campaign.loading')} breadcrumb={[{ label: t('region.campaigns.title'), to: '/pilotage/campagnes' }]} />
        {detail.isError ? <LoadError error={detail.error} onRetry={() => void detail.refetch()} /> : <Spinner />}
      </>
    );
  }
  const { campaign, establishments } = detail.data;
  const totals = campaign.totals;
  const pending = totals.establishments - totals.submitted - totals.validated;
  type Row = (typeof establishments)[number];

  return (
    <>
      <PageHeader
        title={campaign.title}
        breadcrumb={[{ label: t('region.campaigns.title'), to: '/pilotage/campagnes' }]}
        lead={
          <p>
            {t('region.campaign.lead', { framework: campaign.frameworkName, deadline: fmt.date(campaign.deadline), org: campaign.orgName })}{' '}
            {campaign.overdue && <StatusBadge tone="danger">{t('region.campaign.overdue')}</StatusBadge>}
          </p>
        }
        actions={
          pending > 0 && (
            <Button icon={Send} onClick={() => setConfirming(true)}>
              {t('region.campaign.remind')}
            </Button>
          )
        }
      />
      <section aria-labelledby="campaign-totals" className="section">
        <h2 id="campaign-totals">{t('region.campaign.totalsTitle')}</h2>
        <p className="region-summary">
          {t('region.campaign.summary', { submitted: String(totals.submitted + totals.validated), count: totals.establishments, validated: String(totals.validated), late: String(totals.late) })}
        </p>
      </section>
      <section aria-labelledby="campaign-establishments" className="section">
        <h2 id="campaign-establishments">{t('region.campaign.tableTitle')}</h2>
        <Table<Row>
          caption={t('region.campaign.caption', { title: campaign.title })}
          captionHidden
          rows={establishments}
          rowKey={(r) => r.assessment.id}
          initialSort={{ key: 'name', direction: 'ascending' }}
          columns={[
            { key: 'name', header: t('region.campaign.columns.establishment'), rowHeader: true, sortValue: (r) => r.assessment.orgName, cell: (r) => r.assessment.orgName },
            { key: 'category', header: t('region.campaign.columns.category'), cell: (r) => (r.category ? t(`categories.${r.category}`) : '—') },
            {
              key: 'status',
              header: t('region.campaign.columns.status'),
              sortValue: (r) => campaignStatus(r).key,
              cell: (r) => {
                const status = campaignStatus(r);
                return <StatusBadge tone={status.tone}>{t(`region.status.${status.key}`)}</StatusBadge>;
              },
            },
            { key: 'percent', header: t('region.campaign.columns.progress'), sortValue: (r) => r.percent, cell: (r) => t('region.campaign.percent', { value: String(Math.round(r.percent)) }) },
            { key: 'score', header: t('region.campaign.columns.score'), sortValue: (r) => r.assessment.score, cell: (r) => (r.assessment.score === null ? t('region.campaign.noScore') : String(round(r.assessment.score))) },
          ]}
          empty={
            <EmptyState title={t('region.campaign.empty')}>
              <p>{t('region.campaign.emptyHelp')}</p>
            </EmptyState>
          }
        />
        <table className="table">
          <caption className="table__caption">{t('region.campaign.totalsCaption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('region.status.notStarted')}</th>
              <th scope="col">{t('region.status.started')}</th>
              <th scope="col">{t('region.status.submitted')}</th>
              <th scope="col">{t('region.status.validated')}</th>
              <th scope="col">{t('region.status.late')}</th>
              <th scope="col">{t('region.campaign.columns.total')}</th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <td>{totals.notStarted}</td>
              <td>{totals.started}</td>
              <td>{totals.submitted}</td>
              <td>{totals.validated}</td>
              <td>{totals.late}</td>
              <td>{totals.establishments}</td>
            </tr>
          </tbody>
        </table>
        <p>
          <Link to="/pilotage/observatoire" search={{ referentiel: campaign.frameworkId, campagne: campaign.id }}>
            {t('region.campaign.toObservatory')}
          </Link>
        </p>
      </section>
      <ConfirmDialog
        open={confirming}
        title={t('region.campaign.remindTitle')}
        confirmLabel={t('region.campaign.remindConfirm')}
        onConfirm={() => remind.mutate()}
        onClose={() => {
          setConfirming(false);
          remind.reset();
        }}
        pending={remind.isPending}
        error={remind.error?.message}
      >
        <p>{t('region.campaign.remindText', { count: pending })}</p>
      </ConfirmDialog>
    </>
  );
}
