import { useQuery } from '@tanstack/react-query';
import { Link, Outlet, useRouterState } from '@tanstack/react-router';
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

function SideNav({ me, open }: { me: Me; open: boolean }) {
  const { t } = useTranslation();
  const manager = isManager(me);
  return (
    <nav id="navigation" className={open ? 'sidenav sidenav--open' : 'sidenav'} aria-label={t('nav.label')}>
      <ul className="sidenav__list">
        <li>
          <Link to="/" activeOptions={{ exact: true }} className="sidenav__link">
            {t('nav.home')}
          </Link>
        </li>
        {seesDiagnostic(me) && (
          <li>
            <span id="nav-diagnostic" className="sidenav__group">
              {t('assessment.nav.group')}
            </span>
            <ul className="sidenav__list" aria-labelledby="nav-diagnostic">
              <li>
                <Link to="/diagnostic" activeOptions={{ exact: true }} className="sidenav__link">
                  {t('assessment.nav.assessments')}
                </Link>
              </li>
              <li>
                <Link to="/diagnostic/plan" className="sidenav__link">
                  {t('assessment.nav.plan')}
                </Link>
              </li>
              <li>
                <Link to="/diagnostic/referentiels" className="sidenav__link">
                  {t('assessment.nav.frameworks')}
                </Link>
              </li>
            </ul>
          </li>
        )}
        {/* --- Incidents (signalement & alertes): one link per area, added inside this group --- */}
        {seesIncidents(me) && (
          <li>
            <span id="nav-incidents" className="sidenav__group">
              {t('incidents.declare.nav.group')}
            </span>
            <ul className="sidenav__list" aria-labelledby="nav-incidents">
              <li>
                <Link to="/incidents" activeOptions={{ exact: true }} className="sidenav__link">
                  {t('incidents.declare.nav.incidents')}
                </Link>
              </li>
              <li>
                <Link to="/incidents/indicateurs-partages" className="sidenav__link">
                  {t('incidents.follow.nav.shared')}
                </Link>
              </li>
              {!activeRegionId(me) && receivesAlerts(me) && (
                <li>
                  <Link to="/alertes" className="sidenav__link">
                    {t('incidents.region.nav.alerts')}
                  </Link>
                </li>
              )}
              {!activeRegionId(me) && readsStats(me) && (
                <li>
                  <Link to="/incidents/statistiques" className="sidenav__link">
                    {t('incidents.region.nav.stats')}
                  </Link>
                </li>
              )}
            </ul>
          </li>
        )}
        {/* --- end of Incidents --- */}
        {activeRegionId(me) && (
          <li>
            <span id="nav-incidents-region" className="sidenav__group">
              {t('incidents.region.nav.group')}
            </span>
            <ul className="sidenav__list" aria-labelledby="nav-incidents-region">
              <li>
                <Link to="/region/incidents" activeOptions={{ exact: true }} className="sidenav__link">
                  {t('incidents.region.nav.inbox')}
                </Link>
              </li>
              <li>
                <Link to="/region/incidents/campagnes" className="sidenav__link">
                  {t('incidents.region.nav.detections')}
                </Link>
              </li>
              <li>
                <Link to="/alertes" className="sidenav__link">
                  {t('incidents.region.nav.alerts')}
                </Link>
              </li>
              <li>
                <Link to="/incidents/statistiques" className="sidenav__link">
                  {t('incidents.region.nav.stats')}
                </Link>
              </li>
            </ul>
          </li>
        )}
        {seesRegion(me) && (
          <li>
            <span id="nav-region" className="sidenav__group">
              {t('region.nav.group')}
            </span>
            <ul className="sidenav__list" aria-labelledby="nav-region">
              <li>
                <Link to="/pilotage/campagnes" className="sidenav__link">
                  {t('region.nav.campaigns')}
                </Link>
              </li>
              <li>
                <Link to="/pilotage/financements" className="sidenav__link">
                  {t('region.nav.funding')}
                </Link>
              </li>
              <li>
                <Link to="/pilotage/observatoire" className="sidenav__link">
                  {t('region.nav.observatory')}
                </Link>
              </li>
            </ul>
          </li>
        )}
        {!seesRegion(me) && isEstablishmentLead(me) && (
          <>
            <li>
              <Link to="/pilotage/financements" className="sidenav__link">
                {t('region.nav.funding')}
              </Link>
            </li>
            <li>
              <Link to="/pilotage/observatoire" className="sidenav__link">
                {t('region.nav.benchmark')}
              </Link>
            </li>
          </>
        )}
        {manager && (
          <li>
            <Link to="/journal" className="sidenav__link">
              {t('nav.audit')}
            </Link>
          </li>
        )}
        {manager && (
          <li>
            <span id="nav-administration" className="sidenav__group">
              {t('nav.administration')}
            </span>
            <ul className="sidenav__list" aria-labelledby="nav-administration">
              <li>
                <Link to="/administration/utilisateurs" className="sidenav__link">
                  {t('nav.users')}
                </Link>
              </li>
              <li>
                <Link to="/administration/organisations" className="sidenav__link">
                  {t('nav.organisations')}
                </Link>
              </li>
              {me.user.platformAdmin && (
                <li>
                  <Link to="/administration/courriels" className="sidenav__link">
                    {t('nav.mails')}
                  </Link>
                </li>
              )}
            </ul>
          </li>
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
