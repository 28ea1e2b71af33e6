import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { ListPlus } from 'lucide-react';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import type { suggestionsResponseSchema } from '../../../../contracts/assessment';
import { createFromSuggestionsBodySchema } from '../../../../contracts/assessment-plan';
import { useMe } from '../../../app/session';
import { useFormErrors } from '../../../lib/forms';
import { Button, EmptyState, ErrorSummary, LoadError, PageHeader, Spinner, useToast } from '../../../ui';
import { assessmentQuery, assessmentsQuery, createFromSuggestions, suggestionsQuery } from '../api';
import { ActionPriorityBadge } from '../components/bits';
import { NoActiveOrg, NotForYou } from '../components/guards';
import { rightsOver } from '../model';
import '../assessment.css';

const route = getRouteApi('/app/diagnostic/plan/suggestions');

type Suggestion = z.output<typeof suggestionsResponseSchema>['suggestions'][number];
const keyOf = (suggestion: Suggestion) => `${suggestion.nodeId}::${suggestion.title}`;

/** The usual actions for the gaps of a diagnostic: tick those to put in the plan. */
export function SuggestionsPage() {
  const { t } = useTranslation();
  const me = useMe();
  const orgId = me.activeOrgId;
  const { diagnostic } = route.useSearch();
  const assessments = useQuery({ ...assessmentsQuery(orgId ?? ''), enabled: orgId !== null && diagnostic === undefined });
  const assessmentId = diagnostic ?? assessments.data?.assessments[0]?.id;
  return (
    <>
      <PageHeader
        title={t('assessment.suggestions.title')}
        breadcrumb={[
          { label: t('assessment.list.title'), to: '/diagnostic' },
          { label: t('assessment.plan.title'), to: '/diagnostic/plan' },
        ]}
        lead={<p>{t('assessment.suggestions.lead')}</p>}
      />
      {orgId === null ? (
        <NoActiveOrg />
      ) : !rightsOver(me, orgId).plan ? (
        <NotForYou />
      ) : assessments.isError ? (
        <LoadError error={assessments.error} onRetry={() => void assessments.refetch()} />
      ) : assessmentId ? (
        <Suggestions assessmentId={assessmentId} />
      ) : assessments.isPending && diagnostic === undefined ? (
        <Spinner />
      ) : (
        <EmptyState title={t('assessment.suggestions.noAssessment')} action={<Link to="/diagnostic">{t('assessment.list.title')}</Link>}>
          <p>{t('assessment.suggestions.noAssessmentHelp')}</p>
        </EmptyState>
      )}
    </>
  );
}

function Suggestions({ assessmentId }: { assessmentId: string }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const toast = useToast();
  const form = useFormErrors();
  const detail = useQuery(assessmentQuery(assessmentId));
  const suggestions = useQuery(suggestionsQuery(assessmentId));
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const create = useMutation({
    mutationFn: (items: { nodeId: string; title: string }[]) => createFromSuggestions(assessmentId, { items }),
    onSuccess: async (result) => {
      await queryClient.invalidateQueries({ queryKey: ['assessment', 'actions'] });
      await queryClient.invalidateQueries({ queryKey: ['assessment', 'suggestions'] });
      toast(
        result.skipped > 0
          ? t('assessment.suggestions.createdSkipped', { count: result.actions.length, skipped: String(result.skipped) })
          : t('assessment.suggestions.created', { count: result.actions.length }),
      );
      void navigate({ to: '/diagnostic/plan' });
    },
    onError: form.fail,
  });

  if (suggestions.isError) return <LoadError error={suggestions.error} onRetry={() => void suggestions.refetch()} />;
  if (suggestions.isPending) return <Spinner />;
  const list = suggestions.data.suggestions;
  if (list.length === 0) {
    return (
      <EmptyState title={t('assessment.suggestions.empty')} action={<Link to="/diagnostic/plan">{t('assessment.actionForm.backToPlan')}</Link>}>
        <p>{t('assessment.suggestions.emptyHelp')}</p>
      </EmptyState>
    );
  }

  // One group per measure, in the order given (the gaps' order: essential and weakest first).
  const groups: { nodeId: string; label: string; items: Suggestion[] }[] = [];
  for (const suggestion of list) {
    let group = groups.find((g) => g.nodeId === suggestion.nodeId);
    if (!group) groups.push((group = { nodeId: suggestion.nodeId, label: [suggestion.refId, suggestion.measure].filter(Boolean).join(' — '), items: [] }));
    group.items.push(suggestion);
  }

  const toggle = (key: string, checked: boolean) =>
    setChosen((current) => {
      const next = new Set(current);
      if (checked) next.add(key);
      else next.delete(key);
      return next;
    });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const items = list.filter((s) => chosen.has(keyOf(s))).map((s) => ({ nodeId: s.nodeId, title: s.title }));
    const body = form.validate(createFromSuggestionsBodySchema, { items });
    if (body) create.mutate(body.items);
  };

  return (
    <>
      {detail.data && <p>{t('assessment.suggestions.from', { title: detail.data.assessment.title })}</p>}
      <ErrorSummary errors={form.errors} fieldIds={{ items: 'suggestions-first' }} />
      <form className="form form--wide" noValidate onSubmit={submit}>
        <div className="actions">
          <Button variant="secondary" onClick={() => setChosen(new Set(list.map(keyOf)))}>
            {t('assessment.suggestions.all')}
          </Button>
          <Button variant="secondary" onClick={() => setChosen(new Set())}>
            {t('assessment.suggestions.none')}
          </Button>
        </div>
        {groups.map((group, groupIndex) => (
          <fieldset key={group.nodeId} className="fieldset fieldset--wide suggestion-group">
            <legend className="fieldset__legend">{group.label || t('assessment.plan.thisMeasure')}</legend>
            {group.items.map((suggestion, index) => {
              const id = groupIndex === 0 && index === 0 ? 'suggestions-first' : `suggestion-${groupIndex}-${index}`;
              return (
                <div key={keyOf(suggestion)} className="checkbox suggestion">
                  <input type="checkbox" id={id} className="checkbox__input" checked={chosen.has(keyOf(suggestion))} onChange={(event) => toggle(keyOf(suggestion), event.target.checked)} />
                  <label htmlFor={id} className="checkbox__label">
                    {suggestion.title} <ActionPriorityBadge priority={suggestion.priority} />
                  </label>
                </div>
              );
            })}
          </fieldset>
        ))}
        <p aria-live="polite">{t('assessment.suggestions.chosen', { count: chosen.size })}</p>
        <Button type="submit" icon={ListPlus} loading={create.isPending}>
          {t('assessment.suggestions.submit')}
        </Button>
      </form>
    </>
  );
}
