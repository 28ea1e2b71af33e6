import type { QueryClient } from '@tanstack/react-query';
import { createRootRouteWithContext, createRoute, createRouter, Outlet } from '@tanstack/react-router';
import { AccessibilityPage } from './app/AccessibilityPage';
import { AppShell } from './app/AppShell';
import { PublicFrame } from './app/Frame';
import { HomePage } from './app/HomePage';
import { NotFoundPage } from './app/NotFoundPage';
import { NotificationsPage } from './app/NotificationsPage';
import { parseCompareSearch, parseMeasureSearch, parseNewActionSearch, parsePlanSearch, parseStartSearch } from './modules/assessment/api';
import { EditActionPage, NewActionPage } from './modules/assessment/pages/ActionFormPage';
import { AnswerPage } from './modules/assessment/pages/AnswerPage';
import { AssessmentsPage } from './modules/assessment/pages/AssessmentsPage';
import { FrameworkPage, FrameworksPage } from './modules/assessment/pages/FrameworksPage';
import { ImportPage } from './modules/assessment/pages/ImportPage';
import { PlanPage } from './modules/assessment/pages/PlanPage';
import { ResultsPage } from './modules/assessment/pages/ResultsPage';
import { StartPage } from './modules/assessment/pages/StartPage';
import { SuggestionsPage } from './modules/assessment/pages/SuggestionsPage';
import { JournalPage } from './modules/audit/JournalPage';
import { parseObservatorySearch } from './modules/region/api';
import { CampaignPage, CampaignsPage, NewCampaignPage } from './modules/region/pages/CampaignsPage';
import { FundingPage } from './modules/region/pages/FundingPage';
import { NewProgrammePage } from './modules/region/pages/NewProgrammePage';
import { ObservatoryPage } from './modules/region/pages/ObservatoryPage';
import { parseAuditSearch } from './modules/audit/api';
import { ForgotPasswordPage } from './modules/identity/pages/ForgotPasswordPage';
import { InvitationPage } from './modules/identity/pages/InvitationPage';
import { LoginPage } from './modules/identity/pages/LoginPage';
import { MailsPage } from './modules/identity/pages/MailsPage';
import { MfaCodePage } from './modules/identity/pages/MfaCodePage';
import { MfaEnrolPage } from './modules/identity/pages/MfaEnrolPage';
import { OrganisationsPage } from './modules/identity/pages/OrganisationsPage';
import { ProfilePage } from './modules/identity/pages/ProfilePage';
import { ResetPasswordPage } from './modules/identity/pages/ResetPasswordPage';
import { UsersPage } from './modules/identity/pages/UsersPage';
import { safeReturnPath } from './modules/identity/links';
import { parseDeclareSearch, parseIncidentsSearch } from './modules/incidents/api';
import { ClosePage } from './modules/incidents/pages/ClosePage';
import { CompletePage } from './modules/incidents/pages/CompletePage';
import { DeclarePage } from './modules/incidents/pages/DeclarePage';
import { HistoryPage } from './modules/incidents/pages/HistoryPage';
import { IncidentPage } from './modules/incidents/pages/IncidentPage';
import { IncidentsPage } from './modules/incidents/pages/IncidentsPage';
import { parseSharedIndicatorsSearch } from './modules/incidents/followup-api';
import { SharedIndicatorsPage } from './modules/incidents/pages/SharedIndicatorsPage';
import { parseInboxSearch, parseStatsSearch } from './modules/incidents/region-api';
import { AlertPage } from './modules/incidents/pages/AlertPage';
import { AlertsPage } from './modules/incidents/pages/AlertsPage';
import { DetectionsPage } from './modules/incidents/pages/DetectionsPage';
import { NewAlertPage } from './modules/incidents/pages/NewAlertPage';
import { RegionInboxPage } from './modules/incidents/pages/RegionInboxPage';
import { StatsPage } from './modules/incidents/pages/StatsPage';

const rootRoute = createRootRouteWithContext<{ queryClient: QueryClient }>()({
  component: Outlet,
  notFoundComponent: NotFoundPage,
});

// --- Pages used without being signed in ---------------------------------------------

const publicLayout = createRoute({
  getParentRoute: () => rootRoute,
  id: 'public',
  component: () => (
    <PublicFrame>
      <Outlet />
    </PublicFrame>
  ),
});

/** Where to go after signing in (`?retour=`), kept through the sign-in steps. */
const returnSearch = (search: Record<string, unknown>): { retour?: string } => {
  const retour = safeReturnPath(search.retour);
  return retour ? { retour } : {};
};

const loginRoute = createRoute({
  getParentRoute: () => publicLayout,
  path: 'connexion',
  validateSearch: (search: Record<string, unknown>): { retour?: string; erreur?: string } => ({
    ...returnSearch(search),
    ...(typeof search.erreur === 'string' && search.erreur ? { erreur: search.erreur } : {}),
  }),
  component: LoginPage,
});

const mfaRoute = createRoute({
  getParentRoute: () => publicLayout,
  path: 'connexion/code',
  validateSearch: returnSearch,
  component: MfaCodePage,
});

const enrolRoute = createRoute({
  getParentRoute: () => publicLayout,
  path: 'connexion/activer-double-authentification',
  validateSearch: returnSearch,
  component: MfaEnrolPage,
});

const forgotRoute = createRoute({ getParentRoute: () => publicLayout, path: 'mot-de-passe-oublie', component: ForgotPasswordPage });
const resetRoute = createRoute({ getParentRoute: () => publicLayout, path: 'reinitialiser-mot-de-passe', component: ResetPasswordPage });
const invitationRoute = createRoute({ getParentRoute: () => publicLayout, path: 'invitation', component: InvitationPage });
const accessibilityRoute = createRoute({ getParentRoute: () => publicLayout, path: 'accessibilite', component: AccessibilityPage });

// --- Signed-in area -------------------------------------------------------------------

const appLayout = createRoute({ getParentRoute: () => rootRoute, id: 'app', component: AppShell });

const homeRoute = createRoute({ getParentRoute: () => appLayout, path: '/', component: HomePage });
const profileRoute = createRoute({ getParentRoute: () => appLayout, path: 'profil', component: ProfilePage });

const journalRoute = createRoute({
  getParentRoute: () => appLayout,
  path: 'journal',
  validateSearch: parseAuditSearch,
  component: JournalPage,
});

const usersRoute = createRoute({
  getParentRoute: () => appLayout,
  path: 'administration/utilisateurs',
  validateSearch: (search: Record<string, unknown>): { q?: string } =>
    typeof search.q === 'string' && search.q.trim() ? { q: search.q.trim().slice(0, 100) } : {},
  component: UsersPage,
});

const organisationsRoute = createRoute({ getParentRoute: () => appLayout, path: 'administration/organisations', component: OrganisationsPage });
const mailsRoute = createRoute({ getParentRoute: () => appLayout, path: 'administration/courriels', component: MailsPage });

// Diagnostic & plan d'action (capability 1): the module's pages, under /diagnostic.
const diagnosticRoutes = [
  createRoute({ getParentRoute: () => appLayout, path: 'diagnostic', component: AssessmentsPage }),
  createRoute({ getParentRoute: () => appLayout, path: 'diagnostic/nouveau', validateSearch: parseStartSearch, component: StartPage }),
  createRoute({ getParentRoute: () => appLayout, path: 'diagnostic/plan', validateSearch: parsePlanSearch, component: PlanPage }),
  createRoute({ getParentRoute: () => appLayout, path: 'diagnostic/plan/nouvelle-action', validateSearch: parseNewActionSearch, component: NewActionPage }),
  createRoute({ getParentRoute: () => appLayout, path: 'diagnostic/plan/suggestions', validateSearch: parseNewActionSearch, component: SuggestionsPage }),
  createRoute({ getParentRoute: () => appLayout, path: 'diagnostic/plan/$actionId', component: EditActionPage }),
  createRoute({ getParentRoute: () => appLayout, path: 'diagnostic/referentiels', component: FrameworksPage }),
  createRoute({ getParentRoute: () => appLayout, path: 'diagnostic/referentiels/importer', component: ImportPage }),
  createRoute({ getParentRoute: () => appLayout, path: 'diagnostic/referentiels/$id', component: FrameworkPage }),
  createRoute({ getParentRoute: () => appLayout, path: 'diagnostic/$id', validateSearch: parseMeasureSearch, component: AnswerPage }),
  createRoute({ getParentRoute: () => appLayout, path: 'diagnostic/$id/resultats', validateSearch: parseCompareSearch, component: ResultsPage }),
] as const;

// Pilotage régional (capability 1, regional side): campaigns, funding, observatory.
const regionRoutes = [
  createRoute({ getParentRoute: () => appLayout, path: 'pilotage/campagnes', component: CampaignsPage }),
  createRoute({ getParentRoute: () => appLayout, path: 'pilotage/campagnes/nouvelle', component: NewCampaignPage }),
  createRoute({ getParentRoute: () => appLayout, path: 'pilotage/campagnes/$id', component: CampaignPage }),
  createRoute({ getParentRoute: () => appLayout, path: 'pilotage/financements', component: FundingPage }),
  createRoute({ getParentRoute: () => appLayout, path: 'pilotage/financements/nouveau', component: NewProgrammePage }),
  createRoute({ getParentRoute: () => appLayout, path: 'pilotage/observatoire', validateSearch: parseObservatorySearch, component: ObservatoryPage }),
] as const;

// Signalement & alertes (capability 2): one block per area, each written by its own pages.
// --- incidents: declaration (list, declare, incident page) ---
const incidentDeclareRoutes = [
  createRoute({ getParentRoute: () => appLayout, path: 'incidents', validateSearch: parseIncidentsSearch, component: IncidentsPage }),
  createRoute({ getParentRoute: () => appLayout, path: 'incidents/declarer', validateSearch: parseDeclareSearch, component: DeclarePage }),
  createRoute({ getParentRoute: () => appLayout, path: 'incidents/$id', component: IncidentPage }),
  createRoute({ getParentRoute: () => appLayout, path: 'incidents/$id/completer', component: CompletePage }),
  createRoute({ getParentRoute: () => appLayout, path: 'incidents/$id/historique', component: HistoryPage }),
  createRoute({ getParentRoute: () => appLayout, path: 'incidents/$id/cloturer', component: ClosePage }),
] as const;
// --- incidents: follow-up (timeline, tasks, attachments, indicators, shared indicators) ---
const incidentFollowRoutes = [
  createRoute({ getParentRoute: () => appLayout, path: 'incidents/indicateurs-partages', validateSearch: parseSharedIndicatorsSearch, component: SharedIndicatorsPage }),
] as const;
// --- incidents: region (inbox, campaigns, alerts, feeds, statistics, notifications) ---
const incidentRegionRoutes = [
  createRoute({ getParentRoute: () => appLayout, path: 'region/incidents', validateSearch: parseInboxSearch, component: RegionInboxPage }),
  createRoute({ getParentRoute: () => appLayout, path: 'region/incidents/campagnes', component: DetectionsPage }),
  createRoute({ getParentRoute: () => appLayout, path: 'alertes', component: AlertsPage }),
  createRoute({ getParentRoute: () => appLayout, path: 'alertes/nouvelle', component: NewAlertPage }),
  createRoute({ getParentRoute: () => appLayout, path: 'alertes/$id', component: AlertPage }),
  createRoute({ getParentRoute: () => appLayout, path: 'incidents/statistiques', validateSearch: parseStatsSearch, component: StatsPage }),
  createRoute({ getParentRoute: () => appLayout, path: 'notifications', component: NotificationsPage }),
] as const;

const routeTree = rootRoute.addChildren([
  publicLayout.addChildren([loginRoute, mfaRoute, enrolRoute, forgotRoute, resetRoute, invitationRoute, accessibilityRoute]),
  appLayout.addChildren([homeRoute, profileRoute, journalRoute, usersRoute, organisationsRoute, mailsRoute, ...diagnosticRoutes, ...regionRoutes, ...incidentDeclareRoutes, ...incidentFollowRoutes, ...incidentRegionRoutes]),
]);

export function buildRouter(queryClient: QueryClient) {
  return createRouter({
    routeTree,
    context: { queryClient },
    defaultPreload: false,
    scrollRestoration: true,
  });
}

declare module '@tanstack/react-router' {
  interface Register {
    router: ReturnType<typeof buildRouter>;
  }
}
