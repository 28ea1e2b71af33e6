import type { ReactNode } from 'react';
import { Link } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { JumpLink, ToastViewport } from '../ui';

export const MAIN_ID = 'contenu';

export function SkipLink() {
  const { t } = useTranslation();
  return (
    <JumpLink targetId={MAIN_ID} className="skip-link">
      {t('frame.skipLink')}
    </JumpLink>
  );
}

export function Footer() {
  const { t } = useTranslation();
  return (
    <footer className="footer">
      <ul className="footer__links">
        <li>
          <Link to="/accessibilite">{t('frame.accessibility')}</Link>
        </li>
      </ul>
      <p className="footer__note">{t('frame.licence')}</p>
    </footer>
  );
}

/** The frame of the pages used without being signed in: sign-in, links from e-mails, the accessibility statement. */
export function PublicFrame({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  return (
    <div className="public">
      <SkipLink />
      <header className="public__header">
        <Link to="/" className="brand brand--dark">
          Hygie
        </Link>
        <p className="public__tagline">{t('frame.tagline')}</p>
      </header>
      <main id={MAIN_ID} tabIndex={-1} className="public__main">
        {children}
        <ToastViewport />
      </main>
      <Footer />
    </div>
  );
}
