import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { getRouteApi, useNavigate } from '@tanstack/react-router';
import { Play } from 'lucide-react';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { createAssessmentBodySchema, type FrameworkSummary } from '../../../../contracts/assessment';
import type { EstablishmentCategory } from '../../../../contracts/tenancy';
import { activeMembership, useMe } from '../../../app/session';
import { useFormErrors } from '../../../lib/forms';
import { organisationsQuery } from '../../identity/api';
import { Button, ErrorSummary, LoadError, PageHeader, Select, Spinner, StatusBadge, TextInput } from '../../../ui';
import { createAssessment, frameworksQuery } from '../api';
import { NoActiveOrg, NotForYou } from '../components/guards';
import { rightsOver } from '../model';
import '../assessment.css';

const route = getRouteApi('/app/diagnostic/nouveau');

/** Small structures, for which the express diagnostic is the better start. */
const SMALL: readonly EstablishmentCategory[] = ['EHPAD', 'ESMS', 'CABINET'];
const KIND_ORDER: Record<FrameworkSummary['kind'], number> = { referentiel: 0, express: 1, other: 2 };

export function StartPage() {
  const { t } = useTranslation();
  const me = useMe();
  const orgId = me.activeOrgId;
  return (
    <>
      <PageHeader title={t('assessment.start.title')} breadcrumb={[{ label: t('assessment.list.title'), to: '/diagnostic' }]} lead={<p>{t('assessment.start.lead')}</p>} />
      {orgId === null ? <NoActiveOrg /> : !rightsOver(me, orgId).edit ? <NotForYou /> : <StartForm activeOrgId={orgId} />}
    </>
  );
}

function StartForm({ activeOrgId }: { activeOrgId: string }) {
  const { t } = useTranslation();
  const me = useMe();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { referentiel } = route.useSearch();
  const form = useFormErrors();
  const frameworks = useQuery(frameworksQuery);
  const organisations = useQuery(organisationsQuery(activeOrgId));
  const activeIsEstablishment = activeMembership(me)?.orgKind === 'establishment';
  const establishments = (organisations.data?.organisations ?? []).filter((org) => org.kind === 'establishment' && !org.archived);
  const [orgChoice, setOrgChoice] = useState<string>(activeIsEstablishment ? activeOrgId : '');
  const [frameworkChoice, setFrameworkChoice] = useState<string | null>(referentiel ?? null);
  const [title, setTitle] = useState('');

  const orgId = activeIsEstablishment ? activeOrgId : orgChoice;
  const category = establishments.find((org) => org.id === orgId)?.category ?? null;
  const small = category !== null && SMALL.includes(category);
  const list = [...(frameworks.data?.frameworks ?? [])].sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || a.name.localeCompare(b.name, 'fr'));
  const recommended = list.find((framework) => framework.kind === (small ? 'express' : 'referentiel'));
  const frameworkId = frameworkChoice ?? recommended?.id ?? list[0]?.id ?? '';

  const start = useMutation({
    mutationFn: createAssessment,
    onSuccess: async (detail) => {
      await queryClient.invalidateQueries({ queryKey: ['assessment', 'list'] });
      void navigate({ to: '/diagnostic/$id', params: { id: detail.assessment.id } });
    },
    onError: form.fail,
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const body = form.validate(createAssessmentBodySchema, { orgId: orgId || undefined, frameworkId: frameworkId || undefined, title: title.trim() || undefined });
    if (body) start.mutate(body);
  };

  if (frameworks.isError) return <LoadError error={frameworks.error} onRetry={() => void frameworks.refetch()} />;
  if (frameworks.isPending || organisations.isPending) return <Spinner />;

  const describe = (framework: FrameworkSummary) => {
    if (framework.kind === 'referentiel') return t('assessment.start.kinds.referentiel', { count: framework.assessableCount });
    if (framework.kind === 'express') return t('assessment.start.kinds.express', { count: framework.assessableCount });
    return t('assessment.start.kinds.other', { count: framework.assessableCount, provider: framework.provider ?? t('assessment.frameworks.unknownProvider') });
  };

  return (
    <>
      <ErrorSummary errors={form.errors} fieldIds={{ orgId: 'start-org', frameworkId: `start-framework-${list[0]?.id ?? 'none'}`, title: 'start-title' }} />
      <form className="form" noValidate onSubmit={submit}>
        {activeIsEstablishment ? (
          <p>{t('assessment.start.forOrg', { org: activeMembership(me)?.orgName ?? '' })}</p>
        ) : (
          <Select id="start-org" label={t('assessment.start.org')} hint={t('assessment.start.orgHint')} value={orgChoice} onChange={(event) => setOrgChoice(event.target.value)} error={form.errors.fields.orgId}>
            <option value="">{t('assessment.start.chooseOrg')}</option>
            {establishments.map((org) => (
              <option key={org.id} value={org.id}>
                {org.name}
              </option>
            ))}
          </Select>
        )}
        <fieldset className={['fieldset', form.errors.fields.frameworkId ? 'field--error' : ''].filter(Boolean).join(' ')} aria-describedby="start-framework-hint">
          <legend className="fieldset__legend">{t('assessment.start.framework')}</legend>
          <p className="field__hint" id="start-framework-hint">
            {small ? t('assessment.start.frameworkHintSmall') : t('assessment.start.frameworkHint')}
          </p>
          {form.errors.fields.frameworkId && <p className="field__error">{form.errors.fields.frameworkId}</p>}
          <div className="choice-list">
            {list.map((framework) => (
              <div key={framework.id} className="choice choice--card">
                <input
                  type="radio"
                  id={`start-framework-${framework.id}`}
                  name="framework"
                  className="choice__input"
                  value={framework.id}
                  checked={frameworkId === framework.id}
                  onChange={() => setFrameworkChoice(framework.id)}
                  aria-describedby={`start-framework-${framework.id}-hint`}
                />
                <label htmlFor={`start-framework-${framework.id}`} className="choice__label">
                  <span className="choice__title">{framework.name}</span>
                  {recommended?.id === framework.id && small && <StatusBadge tone="success">{t('assessment.start.recommended')}</StatusBadge>}
                </label>
                <p className="choice__hint" id={`start-framework-${framework.id}-hint`}>
                  {describe(framework)}
                </p>
              </div>
            ))}
          </div>
        </fieldset>
        <TextInput id="start-title" label={t('assessment.start.titleLabel')} hint={t('assessment.start.titleHint')} value={title} onChange={(event) => setTitle(event.target.value)} error={form.errors.fields.title} />
        <Button type="submit" icon={Play} loading={start.isPending}>
          {t('assessment.start.submit')}
        </Button>
      </form>
    </>
  );
}
