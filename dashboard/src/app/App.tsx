import { useCallback, useMemo, useRef, useState } from 'react';
import { createApiClient } from '../api/client.js';
import { ApiKeysPage } from '../pages/api-keys-page.js';
import { WebhooksPage } from '../pages/webhooks-page.js';
import { ExperimentEditPage, ExperimentNewPage } from '../pages/experiment-form-page.js';
import { ExperimentPage } from '../pages/experiment-page.js';
import { ExperimentsListPage } from '../pages/experiments-list-page.js';
import { FunnelOverviewPage } from '../pages/funnel-overview-page.js';
import { NotFoundPage } from '../pages/not-found-page.js';
import { SampleSizePage } from '../pages/sample-size-page.js';
import { SignInPage } from '../pages/sign-in-page.js';
import { ApiContext } from './api-context.js';
import { Layout } from './layout.js';
import { matchPath, useLocation } from './router.js';
import { session } from './session.js';

export interface AppProps {
  /** Injected by tests; the browser's fetch otherwise. */
  fetch?: typeof fetch;
}

export function App({ fetch }: AppProps) {
  const [adminKey, setAdminKey] = useState<string | null>(() => session.read());
  const [notice, setNotice] = useState<string | null>(null);

  const signOut = useCallback((message: string | null = null) => {
    session.clear();
    setAdminKey(null);
    setNotice(message);
  }, []);

  const keyRef = useRef(adminKey);
  keyRef.current = adminKey;
  const api = useMemo(
    () =>
      createApiClient({
        getKey: () => keyRef.current,
        onUnauthorized: () => signOut('The server no longer accepts this admin key (revoked or unknown). Sign in again.'),
        ...(fetch && { fetch }),
      }),
    [signOut, fetch],
  );

  const signIn = (key: string) => {
    session.write(key);
    setNotice(null);
    setAdminKey(key);
  };

  return (
    <ApiContext.Provider value={api}>
      {adminKey ? <Layout onSignOut={() => signOut()}>{<Routes />}</Layout> : <SignInPage onSignedIn={signIn} notice={notice} />}
    </ApiContext.Provider>
  );
}

function Routes() {
  const { pathname } = useLocation();
  let params: Record<string, string> | null;
  if (pathname === '/' || pathname === '') return <FunnelOverviewPage />;
  if (pathname === '/experiments') return <ExperimentsListPage />;
  if (pathname === '/new-experiment') return <ExperimentNewPage />;
  if ((params = matchPath('/experiments/:key/edit', pathname))) return <ExperimentEditPage experimentKey={params.key!} />;
  if ((params = matchPath('/experiments/:key', pathname))) return <ExperimentPage key={params.key} experimentKey={params.key!} />;
  if (pathname === '/sample-size') return <SampleSizePage />;
  if (pathname === '/keys') return <ApiKeysPage />;
  if (pathname === '/webhooks') return <WebhooksPage />;
  return <NotFoundPage />;
}
