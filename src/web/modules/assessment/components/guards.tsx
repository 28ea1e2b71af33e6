import { useTranslation } from 'react-i18next';
import { EmptyState, Notice } from '../../../ui';

/** A role that has no business with the diagnostic (an agent, say): what the pages are, and whom to ask. */
export function NotForYou() {
  const { t } = useTranslation();
  return (
    <Notice tone="warning" title={t('common.forbidden.title')}>
      <p>{t('assessment.forbidden')}</p>
    </Notice>
  );
}

export function NoActiveOrg() {
  const { t } = useTranslation();
  return (
    <EmptyState title={t('common.noActiveOrg.title')}>
      <p>{t('common.noActiveOrg.text')}</p>
    </EmptyState>
  );
}
