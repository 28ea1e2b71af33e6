import './i18n';
import '@fontsource/source-sans-3/400.css';
import '@fontsource/source-sans-3/600.css';
import '@fontsource/source-sans-3/700.css';
import './ui/tokens.css';
import './ui/base.css';
import './ui/components.css';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { RouterProvider } from '@tanstack/react-router';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ApiError, setAuthRedirect } from './lib/api';
import { buildRouter } from './router';
import { ToastProvider } from './ui';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // An authorisation or validation answer will not change by asking again.
      retry: (failures, error) => !(error instanceof ApiError && error.status >= 400 && error.status < 500) && failures < 2,
      refetchOnWindowFocus: false,
    },
  },
});

const router = buildRouter(queryClient);

setAuthRedirect((code) => {
  const { pathname, searchStr } = router.state.location;
  if (pathname.startsWith('/connexion')) return;
  queryClient.removeQueries({ queryKey: ['me'] });
  const retour = pathname === '/' ? undefined : `${pathname}${searchStr}`;
  const to = code === 'mfa_required' ? '/connexion/code' : code === 'mfa_enrolment_required' ? '/connexion/activer-double-authentification' : '/connexion';
  void router.navigate({ to, search: { retour } });
});

const container = document.getElementById('app');
if (!container) throw new Error('The page has no #app element');

createRoot(container).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <ToastProvider>
        <RouterProvider router={router} />
      </ToastProvider>
    </QueryClientProvider>
  </StrictMode>,
);
