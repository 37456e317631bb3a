import { type ReactNode, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { createApiClient } from '../api/client.js';
import { messageOf } from '../api/problem.js';
import type { SignedIn } from '../api/types.js';
import { Loading } from '../components/states.js';
import { AcceptInvitePage } from '../pages/accept-invite-page.js';
import { AccountPage } from '../pages/account-page.js';
import { ApiKeysPage } from '../pages/api-keys-page.js';
import { WebhooksPage } from '../pages/webhooks-page.js';
import { ExperimentEditPage, ExperimentNewPage } from '../pages/experiment-form-page.js';
import { ExperimentPage } from '../pages/experiment-page.js';
import { ExperimentsListPage } from '../pages/experiments-list-page.js';
import { FunnelOverviewPage } from '../pages/funnel-overview-page.js';
import { NotFoundPage } from '../pages/not-found-page.js';
import { SampleSizePage } from '../pages/sample-size-page.js';
import { MetricsPage } from '../pages/metrics-page.js';
import { SetupPage } from '../pages/setup-page.js';
import { SignInPage } from '../pages/sign-in-page.js';
import { UsersPage } from '../pages/users-page.js';
import type { Action } from './access.js';
import { ApiContext } from './api-context.js';
import { Layout } from './layout.js';
import { matchPath, navigate, useLocation } from './router.js';
import { type Session, SessionContext, usePermission } from './session.js';

export interface AppProps {
  /** Injected by tests; the browser's fetch otherwise. */
  fetch?: typeof fetch;
  /** Injected by tests: start signed in as this session instead of asking GET /api/auth/me first. */
  session?: Session;
}

type Auth = { state: 'checking' } | { state: 'signed-out'; notice: string | null } | { state: 'signed-in'; session: Session };

const SESSION_ENDED = 'Your session has ended (it expired, you signed out elsewhere, your password was changed elsewhere, or your account was disabled). Sign in again.';

/** Pages anyone may open: they make the first admin or accept an invitation, and then sign in. */
const OPEN_PAGES = new Set(['/setup', '/accept-invite']);

/** Where to go after signing in: a path on this site only (never `//elsewhere` or a full URL). */
export function safeNext(next: string | null): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\') || next.startsWith('/sign-in')) return '/';
  return next;
}

export function App({ fetch, session: initial }: AppProps) {
  const [auth, setAuth] = useState<Auth>(initial ? { state: 'signed-in', session: initial } : { state: 'checking' });
  const { pathname, search } = useLocation();

  const csrf = useRef<string | null>(null);
  csrf.current = auth.state === 'signed-in' ? auth.session.csrfToken : null;
  const endSession = useCallback((notice: string | null) => setAuth({ state: 'signed-out', notice }), []);
  // A 403 may mean an admin changed this person's role meanwhile: ask again who we are, so the
  // controls follow the new role without a reload.
  const refreshing = useRef(false);
  const refresh = useRef<() => void>(() => {});
  const api = useMemo(
    () =>
      createApiClient({
        getCsrfToken: () => csrf.current,
        onUnauthorized: () => endSession(SESSION_ENDED),
        onForbidden: () => refresh.current(),
        ...(fetch && { fetch }),
      }),
    [endSession, fetch],
  );
  refresh.current = () => {
    if (refreshing.current || auth.state !== 'signed-in') return;
    refreshing.current = true;
    api
      .me()
      .then(
        (me) => {
          if (me.user) setAuth({ state: 'signed-in', session: { user: me.user, role: me.role, csrfToken: me.csrfToken ?? null } });
        },
        () => {},
      )
      .finally(() => (refreshing.current = false));
  };

  // Who is signed in: the HttpOnly cookie travels with the request, so a new tab or a reload stays signed in.
  const checking = auth.state === 'checking';
  useEffect(() => {
    if (!checking) return;
    const controller = new AbortController();
    api.me(controller.signal).then(
      (me) => setAuth(me.user ? { state: 'signed-in', session: { user: me.user, role: me.role, csrfToken: me.csrfToken ?? null } } : { state: 'signed-out', notice: null }),
      (error: unknown) => {
        if (controller.signal.aborted) return;
        const status = (error as { status?: number }).status;
        setAuth({ state: 'signed-out', notice: status === 401 ? null : messageOf(error) });
      },
    );
    return () => controller.abort();
  }, [api, checking]);

  // Signed out anywhere: to the sign-in page, remembering the page to come back to.
  const open = OPEN_PAGES.has(pathname);
  const here = `${pathname}${search.size ? `?${search}` : ''}`;
  useEffect(() => {
    if (open) return;
    if (auth.state === 'signed-out' && pathname !== '/sign-in') navigate(`/sign-in${pathname === '/' ? '' : `?next=${encodeURIComponent(here)}`}`, { replace: true });
    if (auth.state === 'signed-in' && pathname === '/sign-in') navigate(safeNext(search.get('next')), { replace: true });
  }, [auth.state, open, pathname, here, search]);

  const signedIn = useCallback((answer: SignedIn) => setAuth({ state: 'signed-in', session: { user: answer.user, role: answer.user.role, csrfToken: answer.csrfToken } }), []);
  const signOut = useCallback(() => {
    // Whatever the server answers, this tab forgets the session (a 401 means it had already ended).
    void api.logout().catch(() => {}).finally(() => {
      navigate('/sign-in');
      endSession('You are signed out.');
    });
  }, [api, endSession]);
  const session = auth.state === 'signed-in' ? auth.session : null;
  const sessionValue = useMemo(() => (session ? { session, signOut } : null), [session, signOut]);

  let content: ReactNode;
  if (pathname === '/setup') content = <SetupPage onSignedIn={(answer) => (signedIn(answer), navigate('/'))} />;
  else if (pathname === '/accept-invite') content = <AcceptInvitePage onSignedIn={(answer) => (signedIn(answer), navigate('/'))} />;
  else if (auth.state === 'checking')
    content = (
      <main id="main" className="sign-in">
        <Loading label="Checking your session…" />
      </main>
    );
  else if (auth.state === 'signed-out')
    content = <SignInPage notice={auth.notice} ssoError={search.get('sso_error')} onSignedIn={signedIn} />;
  else
    content = (
      <Layout>
        <Routes />
      </Layout>
    );

  return (
    <ApiContext.Provider value={api}>
      <SessionContext.Provider value={sessionValue}>{content}</SessionContext.Provider>
    </ApiContext.Provider>
  );
}

/** A page only some roles may use: others read why instead of a page full of 403s. */
function Allowed({ action, title, children }: { action: Action; title: string; children: ReactNode }) {
  const { allowed, reason } = usePermission(action);
  if (allowed) return children;
  return (
    <section className="page" aria-labelledby="forbidden-title">
      <h1 id="forbidden-title">{title}</h1>
      <p className="notice" role="status">
        {reason}
      </p>
    </section>
  );
}

function Routes() {
  const { pathname } = useLocation();
  let params: Record<string, string> | null;
  if (pathname === '/' || pathname === '' || pathname === '/sign-in') return <FunnelOverviewPage />;
  if (pathname === '/experiments') return <ExperimentsListPage />;
  if (pathname === '/new-experiment')
    return (
      <Allowed action="edit" title="New experiment">
        <ExperimentNewPage />
      </Allowed>
    );
  if ((params = matchPath('/experiments/:key/edit', pathname)))
    return (
      <Allowed action="edit" title="Edit experiment">
        <ExperimentEditPage experimentKey={params.key!} />
      </Allowed>
    );
  if ((params = matchPath('/experiments/:key', pathname))) return <ExperimentPage key={params.key} experimentKey={params.key!} />;
  // Not /metrics: the server answers that path itself (Prometheus metrics).
  if (pathname === '/metric-definitions') return <MetricsPage />;
  if (pathname === '/sample-size') return <SampleSizePage />;
  if (pathname === '/account') return <AccountPage />;
  if (pathname === '/keys')
    return (
      <Allowed action="manage-keys" title="API keys">
        <ApiKeysPage />
      </Allowed>
    );
  if (pathname === '/webhooks')
    return (
      <Allowed action="manage-webhooks" title="Webhooks">
        <WebhooksPage />
      </Allowed>
    );
  if (pathname === '/users')
    return (
      <Allowed action="manage-users" title="Users">
        <UsersPage />
      </Allowed>
    );
  return <NotFoundPage />;
}
