import { useQuery } from '@tanstack/react-query';
import { Link, Outlet, useRouterState, type LinkProps } from '@tanstack/react-router';
import { Menu, TriangleAlert } from 'lucide-react';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Me } from '../../contracts/identity';
import { i18n } from '../i18n';
import { ApiError } from '../lib/api';
import { seesDiagnostic } from '../modules/assessment/model';
import { meQuery } from '../modules/identity/api';
import { seesIncidents } from '../modules/incidents/model';
import { activeRegionId, readsStats, receivesAlerts } from '../modules/incidents/region-api';
import { isEstablishmentLead, seesRegion } from '../modules/region/model';
import { Button, Notice, PageHeader, Spinner, ToastViewport } from '../ui';
import { Footer, MAIN_ID, PublicFrame, SkipLink } from './Frame';
import { isManager, MeContext } from './session';
import { OrgSwitcher, UserMenu } from './TopBar';

interface NavItem {
  to: LinkProps['to'];
  label: string;
  /** Marked as the current page on this address only, not below it. */
  exact?: boolean;
}

function NavLink({ item }: { item: NavItem }) {
  return (
    <li>
      <Link to={item.to} activeOptions={item.exact ? { exact: true } : undefined} className="sidenav__link">
        {item.label}
      </Link>
    </li>
  );
}

/** A titled group of links; the list is named by its title for screen readers. */
function NavGroup({ id, label, items }: { id: string; label: string; items: (NavItem | false)[] }) {
  return (
    <li>
      <span id={id} className="sidenav__group">
        {label}
      </span>
      <ul className="sidenav__list" aria-labelledby={id}>
        {items.filter((i): i is NavItem => i !== false).map((item) => (
          <NavLink key={String(item.to)} item={item} />
        ))}
      </ul>
    </li>
  );
}

/** The capabilities the person may use in the active organisation, and nothing else. */
function SideNav({ me, open }: { me: Me; open: boolean }) {
  const { t } = useTranslation();
  const manager = isManager(me);
  const region = activeRegionId(me);
  return (
    <nav id="navigation" className={open ? 'sidenav sidenav--open' : 'sidenav'} aria-label={t('nav.label')}>
      <ul className="sidenav__list">
        <NavLink item={{ to: '/', label: t('nav.home'), exact: true }} />
        {seesDiagnostic(me) && (
          <NavGroup
            id="nav-diagnostic"
            label={t('assessment.nav.group')}
            items={[
              { to: '/diagnostic', label: t('assessment.nav.assessments'), exact: true },
              { to: '/diagnostic/plan', label: t('assessment.nav.plan') },
              { to: '/diagnostic/referentiels', label: t('assessment.nav.frameworks') },
            ]}
          />
        )}
        {seesIncidents(me) && !region && (
          <NavGroup
            id="nav-incidents"
            label={t('incidents.declare.nav.group')}
            items={[
              { to: '/incidents', label: t('incidents.declare.nav.incidents'), exact: true },
              { to: '/incidents/indicateurs-partages', label: t('incidents.follow.nav.shared') },
              receivesAlerts(me) && { to: '/alertes', label: t('incidents.region.nav.alerts') },
              readsStats(me) && { to: '/incidents/statistiques', label: t('incidents.region.nav.stats') },
            ]}
          />
        )}
        {region && (
          <NavGroup
            id="nav-incidents-region"
            label={t('incidents.region.nav.group')}
            items={[
              { to: '/region/incidents', label: t('incidents.region.nav.inbox'), exact: true },
              { to: '/region/incidents/campagnes', label: t('incidents.region.nav.detections') },
              { to: '/incidents/indicateurs-partages', label: t('incidents.follow.nav.shared') },
              { to: '/alertes', label: t('incidents.region.nav.alerts') },
              { to: '/incidents/statistiques', label: t('incidents.region.nav.stats') },
            ]}
          />
        )}
        {seesRegion(me) && (
          <NavGroup
            id="nav-region"
            label={t('region.nav.group')}
            items={[
              { to: '/pilotage/campagnes', label: t('region.nav.campaigns') },
              { to: '/pilotage/financements', label: t('region.nav.funding') },
              { to: '/pilotage/observatoire', label: t('region.nav.observatory') },
            ]}
          />
        )}
        {!seesRegion(me) && isEstablishmentLead(me) && (
          <>
            <NavLink item={{ to: '/pilotage/financements', label: t('region.nav.funding') }} />
            <NavLink item={{ to: '/pilotage/observatoire', label: t('region.nav.benchmark') }} />
          </>
        )}
        {manager && <NavLink item={{ to: '/journal', label: t('nav.audit') }} />}
        {manager && (
          <NavGroup
            id="nav-administration"
            label={t('nav.administration')}
            items={[
              { to: '/administration/utilisateurs', label: t('nav.users') },
              { to: '/administration/organisations', label: t('nav.organisations') },
              me.user.platformAdmin && { to: '/administration/courriels', label: t('nav.mails') },
            ]}
          />
        )}
      </ul>
    </nav>
  );
}

function Shell({ me }: { me: Me }) {
  const { t } = useTranslation();
  // Open on narrow screens for the page where it was opened: going to another page closes it.
  const pathname = useRouterState({ select: (state) => state.location.pathname });
  const [navOpenOn, setNavOpenOn] = useState<string | null>(null);
  const navOpen = navOpenOn === pathname;

  return (
    <MeContext.Provider value={me}>
      <div className="shell">
        <SkipLink />
        <header className="topbar">
          <div className="topbar__inner">
            <button
              type="button"
              className="topbar__nav-toggle"
              aria-expanded={navOpen}
              aria-controls="navigation"
              onClick={() => setNavOpenOn(navOpen ? null : pathname)}
            >
              <Menu className="icon" aria-hidden="true" />
              {t('nav.toggle')}
            </button>
            <Link to="/" className="brand">
              Hygie
            </Link>
            <OrgSwitcher />
            <UserMenu />
          </div>
          {me.demo && (
            <p className="demo-banner">
              <TriangleAlert className="icon" aria-hidden="true" />
              {t('frame.demoBanner')}
            </p>
          )}
        </header>
        <div className="shell__body">
          <SideNav me={me} open={navOpen} />
          <main id={MAIN_ID} tabIndex={-1} className="shell__main">
            <Outlet />
            <ToastViewport />
          </main>
        </div>
        <Footer />
      </div>
    </MeContext.Provider>
  );
}

/** The signed-in area: loads /me (a 401 sends the person to the sign-in page), then the shell. */
export function AppShell() {
  const { t } = useTranslation();
  const me = useQuery(meQuery);
  const locale = me.data?.user.locale;

  useEffect(() => {
    if (locale && i18n.language !== locale) void i18n.changeLanguage(locale);
  }, [locale]);

  if (me.data) return <Shell me={me.data} />;
  if (me.isError && !(me.error instanceof ApiError && me.error.status === 401)) {
    return (
      <PublicFrame>
        <PageHeader title={t('frame.loadError.title')} />
        <Notice tone="danger" role="alert">
          <p>{me.error.message}</p>
        </Notice>
        <Button onClick={() => void me.refetch()} loading={me.isFetching}>
          {t('frame.loadError.retry')}
        </Button>
      </PublicFrame>
    );
  }
  return (
    <PublicFrame>
      <Spinner />
    </PublicFrame>
  );
}
