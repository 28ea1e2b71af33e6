import { Link, type LinkProps } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';

export interface Crumb {
  label: string;
  to: NonNullable<LinkProps['to']>;
}

/** Where the page sits: home, the parents given, then the current page (not a link). */
export function Breadcrumb({ parents, current }: { parents: Crumb[]; current: string }) {
  const { t } = useTranslation();
  return (
    <nav className="breadcrumb" aria-label={t('ui.breadcrumb')}>
      <ol>
        <li>
          <Link to="/">{t('nav.home')}</Link>
        </li>
        {parents.map((crumb) => (
          <li key={crumb.to}>
            <Link to={crumb.to}>{crumb.label}</Link>
          </li>
        ))}
        <li aria-current="page">{current}</li>
      </ol>
    </nav>
  );
}
