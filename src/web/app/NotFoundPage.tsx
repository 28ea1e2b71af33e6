import { Link } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { PageHeader } from '../ui';
import { PublicFrame } from './Frame';

export function NotFoundPage() {
  const { t } = useTranslation();
  return (
    <PublicFrame>
      <div className="narrow">
        <PageHeader title={t('notFound.title')} lead={<p>{t('notFound.text')}</p>} />
        <p>
          <Link to="/">{t('notFound.home')}</Link>
        </p>
      </div>
    </PublicFrame>
  );
}
