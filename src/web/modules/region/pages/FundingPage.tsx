import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { CheckCheck, Flag, MessageSquareWarning, Plus } from 'lucide-react';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { declareBodySchema, reviewBodySchema, type Declaration, type EstablishmentFunding, type Milestone, type Programme } from '../../../../contracts/assessment-region';
import { useMe } from '../../../app/session';
import { useFormErrors } from '../../../lib/forms';
import { Button, buttonClass, EmptyState, ErrorSummary, Field, LoadError, Notice, PageHeader, Spinner, StatusBadge, useToast } from '../../../ui';
import { declareMilestone, programmesQuery, reviewMilestone } from '../api';
import { useRegionFormat } from '../format';
import { DECLARATION_TONES, isCoordinator, isEstablishmentLead, isRegionCoordinator } from '../model';
import '../region.css';

/** Prerequisites first, then objectives, each in the programme's order. */
const ordered = (milestones: Milestone[]) => [...milestones].sort((a, b) => (a.kind === b.kind ? a.position - b.position : a.kind === 'prerequisite' ? -1 : 1));

function DeclarationBadge({ status }: { status: Declaration['status'] }) {
  const { t } = useTranslation();
  return <StatusBadge tone={DECLARATION_TONES[status]}>{t(`region.funding.status.${status}`)}</StatusBadge>;
}

export function FundingPage() {
  const { t } = useTranslation();
  const me = useMe();
  const orgId = me.activeOrgId;
  const coordinator = isCoordinator(me);
  const lead = isEstablishmentLead(me);
  const canCreate = isRegionCoordinator(me);
  const createLink = canCreate && (
    <Link to="/pilotage/financements/nouveau" className={buttonClass('primary')}>
      <Plus className="icon" aria-hidden="true" />
      {t('region.funding.create')}
    </Link>
  );
  const programmes = useQuery({ ...programmesQuery(orgId ?? ''), enabled: orgId !== null && (coordinator || lead) });
  const title = t('region.funding.title');
  if (!orgId || !(coordinator || lead)) {
    return (
      <>
        <PageHeader title={title} breadcrumb={[]} />
        <Notice tone="info" title={t('region.coordinatorOnly.title')}>
          <p>{t('region.funding.nobody')}</p>
        </Notice>
      </>
    );
  }
  return (
    <>
      <PageHeader
        title={title}
        breadcrumb={[]}
        lead={<p>{coordinator ? t('region.funding.leadCoordinator') : t('region.funding.leadEstablishment')}</p>}
        actions={createLink}
      />
      {programmes.isError ? (
        <LoadError error={programmes.error} onRetry={() => void programmes.refetch()} />
      ) : programmes.isPending ? (
        <Spinner />
      ) : programmes.data.programmes.length === 0 ? (
        <EmptyState title={t('region.funding.empty')}>
          <p>{coordinator ? t('region.funding.emptyCoordinator') : t('region.funding.emptyEstablishment')}</p>
        </EmptyState>
      ) : (
        programmes.data.programmes.map((p) => (coordinator ? <ProgrammeGrid key={p.id} programme={p} /> : <OwnMilestones key={p.id} programme={p} orgId={orgId} />))
      )}
    </>
  );
}

// --- The coordinator: milestones × establishments ---------------------------------------------

interface Reviewing {
  milestone: Milestone;
  establishment: EstablishmentFunding;
  declaration: Declaration;
}

function ProgrammeGrid({ programme }: { programme: Programme }) {
  const { t } = useTranslation();
  const fmt = useRegionFormat();
  const [reviewing, setReviewing] = useState<Reviewing | null>(null);
  const milestones = ordered(programme.milestones);
  const headingId = `programme-${programme.id}`;
  return (
    <section aria-labelledby={headingId} className="section">
      <h2 id={headingId}>{programme.name}</h2>
      {programme.description && <p>{programme.description}</p>}
      <p className="region-summary">
        {t('region.funding.totals', {
          validated: String(programme.totals.validated),
          declared: String(programme.totals.declared),
          moreInfo: String(programme.totals.moreInfo),
          amount: fmt.money(programme.totals.amountValidated),
          count: programme.totals.establishments,
        })}
      </p>
      <div className="table-wrap" role="region" aria-labelledby={`${headingId}-caption`} tabIndex={0}>
        <table className="table">
          <caption id={`${headingId}-caption`} className="table__caption">
            {t('region.funding.gridCaption', { name: programme.name })}
          </caption>
          <thead>
            <tr>
              <th scope="col">{t('region.funding.milestone')}</th>
              {programme.establishments.map((e) => (
                <th key={e.orgId} scope="col">
                  {e.orgName}
                </th>
              ))}
              <th scope="col">{t('region.funding.validatedAmount')}</th>
            </tr>
          </thead>
          <tbody>
            {milestones.map((m) => (
              <tr key={m.id}>
                <th scope="row">
                  {t(`region.funding.kinds.${m.kind}`)} {m.code} — {m.title}
                  {m.amount !== null && <div>{fmt.money(m.amount)}</div>}
                </th>
                {programme.establishments.map((e) => {
                  const d = e.declarations.find((x) => x.milestoneId === m.id);
                  const status = d?.status ?? 'none';
                  return (
                    <td key={e.orgId}>
                      <div className="region-grid-cell">
                        <DeclarationBadge status={status} />
                        {d && status === 'declared' && (
                          <Button variant="secondary" onClick={() => setReviewing({ milestone: m, establishment: e, declaration: d })}>
                            {t('region.funding.review', { org: e.orgName })}
                          </Button>
                        )}
                      </div>
                    </td>
                  );
                })}
                <td>{fmt.money(m.totals.amountValidated)}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">{t('region.funding.total')}</th>
              {programme.establishments.map((e) => (
                <td key={e.orgId}>{fmt.money(e.totals.amountValidated)}</td>
              ))}
              <td>{fmt.money(programme.totals.amountValidated)}</td>
            </tr>
          </tfoot>
        </table>
      </div>
      {reviewing && <ReviewPanel key={`${reviewing.milestone.id}-${reviewing.establishment.orgId}`} reviewing={reviewing} onDone={() => setReviewing(null)} />}
    </section>
  );
}

function ReviewPanel({ reviewing, onDone }: { reviewing: Reviewing; onDone: () => void }) {
  const { t } = useTranslation();
  const fmt = useRegionFormat();
  const toast = useToast();
  const queryClient = useQueryClient();
  const form = useFormErrors();
  const [comment, setComment] = useState('');
  const { milestone, establishment, declaration } = reviewing;
  const review = useMutation({
    mutationFn: (decision: 'validated' | 'more_info') => {
      const body = form.validate(reviewBodySchema, { orgId: establishment.orgId, decision, comment: comment.trim() || null });
      if (!body) return Promise.resolve(null);
      return reviewMilestone(milestone.id, body);
    },
    onSuccess: async (result) => {
      if (!result) return;
      toast(result.declaration.status === 'validated' ? t('region.funding.validatedToast', { org: establishment.orgName }) : t('region.funding.moreInfoToast', { org: establishment.orgName }));
      await queryClient.invalidateQueries({ queryKey: ['region', 'programmes'] });
      onDone();
    },
    onError: form.fail,
  });
  const id = `review-${milestone.id}`;
  return (
    <div className="region-panel" role="group" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{t('region.funding.reviewTitle', { code: milestone.code, org: establishment.orgName })}</h3>
      <dl>
        <dt>{t('region.funding.evidence')}</dt>
        <dd>{declaration.evidence}</dd>
        {declaration.comment && (
          <>
            <dt>{t('region.funding.comment')}</dt>
            <dd>{declaration.comment}</dd>
          </>
        )}
        {declaration.declaredAt && (
          <>
            <dt>{t('region.funding.declaredOn')}</dt>
            <dd>{t('region.funding.declaredBy', { date: fmt.dateTime(declaration.declaredAt), name: declaration.declaredByName ?? '—' })}</dd>
          </>
        )}
      </dl>
      <ErrorSummary errors={form.errors} fieldIds={{ comment: `${id}-comment` }} />
      <Field id={`${id}-comment`} label={t('region.funding.reviewComment')} hint={t('region.funding.reviewCommentHint')} error={form.errors.fields.comment}>
        {(control) => <textarea className="region-textarea" value={comment} onChange={(e) => setComment(e.target.value)} {...control} />}
      </Field>
      <div className="actions">
        <Button icon={CheckCheck} loading={review.isPending && review.variables === 'validated'} onClick={() => review.mutate('validated')}>
          {t('region.funding.validate')}
        </Button>
        <Button variant="secondary" icon={MessageSquareWarning} loading={review.isPending && review.variables === 'more_info'} onClick={() => review.mutate('more_info')}>
          {t('region.funding.askMore')}
        </Button>
        <Button variant="link" onClick={onDone}>
          {t('ui.cancel')}
        </Button>
      </div>
    </div>
  );
}

// --- The establishment: its own milestones --------------------------------------------------

function OwnMilestones({ programme, orgId }: { programme: Programme; orgId: string }) {
  const { t } = useTranslation();
  const fmt = useRegionFormat();
  const own = programme.establishments.find((e) => e.orgId === orgId);
  const [declaring, setDeclaring] = useState<string | null>(null);
  const headingId = `programme-${programme.id}`;
  if (!own) return null;
  return (
    <section aria-labelledby={headingId} className="section">
      <h2 id={headingId}>{programme.name}</h2>
      <p className="region-summary">{t('region.funding.ownTotals', { count: own.totals.validated, total: String(programme.milestones.length), amount: fmt.money(own.totals.amountValidated) })}</p>
      {!own.prerequisitesMet && (
        <Notice tone="info">
          <p>{t('region.funding.prerequisitesFirst')}</p>
        </Notice>
      )}
      <ul className="region-milestones">
        {ordered(programme.milestones).map((m) => {
          const d = own.declarations.find((x) => x.milestoneId === m.id);
          const status = d?.status ?? 'none';
          const locked = m.kind === 'objective' && !own.prerequisitesMet;
          const canDeclare = status === 'none' || status === 'more_info';
          return (
            <li key={m.id} className="card">
              <h3>
                {t(`region.funding.kinds.${m.kind}`)} {m.code} — {m.title}
              </h3>
              {m.description && <p>{m.description}</p>}
              <p>
                <DeclarationBadge status={status} /> {m.amount !== null && t('region.funding.amount', { amount: fmt.money(m.amount) })}
              </p>
              {d?.reviewComment && (
                <Notice tone={status === 'more_info' ? 'warning' : 'info'} title={t('region.funding.regionSaid')}>
                  <p>{d.reviewComment}</p>
                </Notice>
              )}
              {canDeclare &&
                (declaring === m.id ? (
                  <DeclareForm milestone={m} orgId={orgId} onDone={() => setDeclaring(null)} />
                ) : (
                  <>
                    <Button icon={Flag} disabled={locked} aria-describedby={locked ? `locked-${m.id}` : undefined} onClick={() => setDeclaring(m.id)}>
                      {t('region.funding.declare')}
                    </Button>
                    {locked && (
                      <p id={`locked-${m.id}`} className="field__hint">
                        {t('region.funding.locked')}
                      </p>
                    )}
                  </>
                ))}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function DeclareForm({ milestone, orgId, onDone }: { milestone: Milestone; orgId: string; onDone: () => void }) {
  const { t } = useTranslation();
  const toast = useToast();
  const queryClient = useQueryClient();
  const form = useFormErrors();
  const [values, setValues] = useState({ evidence: '', comment: '' });
  const declare = useMutation({
    mutationFn: (body: ReturnType<typeof declareBodySchema.parse>) => declareMilestone(milestone.id, body),
    onSuccess: async () => {
      toast(t('region.funding.declaredToast', { code: milestone.code }));
      await queryClient.invalidateQueries({ queryKey: ['region', 'programmes'] });
      onDone();
    },
    onError: form.fail,
  });
  const id = `declare-${milestone.id}`;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const body = form.validate(declareBodySchema, { orgId, evidence: values.evidence, comment: values.comment.trim() || null });
    if (body) declare.mutate(body);
  };
  return (
    <form className="form" noValidate onSubmit={submit}>
      <ErrorSummary errors={form.errors} fieldIds={{ evidence: `${id}-evidence`, comment: `${id}-comment` }} />
      <Field id={`${id}-evidence`} label={t('region.funding.evidence')} hint={t('region.funding.evidenceHint')} error={form.errors.fields.evidence}>
        {(control) => <textarea className="region-textarea" value={values.evidence} onChange={(e) => setValues((v) => ({ ...v, evidence: e.target.value }))} {...control} />}
      </Field>
      <Field id={`${id}-comment`} label={t('region.funding.commentOptional')} error={form.errors.fields.comment}>
        {(control) => <textarea className="region-textarea" value={values.comment} onChange={(e) => setValues((v) => ({ ...v, comment: e.target.value }))} {...control} />}
      </Field>
      <div className="actions">
        <Button type="submit" icon={Flag} loading={declare.isPending}>
          {t('region.funding.declareSubmit')}
        </Button>
        <Button variant="link" onClick={onDone}>
          {t('ui.cancel')}
        </Button>
      </div>
    </form>
  );
}
