import { render } from '@testing-library/react';
import type { Role, User } from '../api/types.js';
import { App } from '../app/App.js';
import { CSRF_TOKEN, user } from './fixtures.js';
import { type Handler, type Reply, fakeServer, problem } from './fake-server.js';

/**
 * Renders the whole app at `path` on a fake API, signed in as an admin (or `role`, and `person` over the
 * fixture user); `signedIn: false`
 * starts signed out, asking GET /api/auth/me (401) as a fresh tab does. A route given in `routes`
 * wins over these defaults.
 */
export function renderApp(path: string, routes: Record<string, Handler | Reply>, { signedIn = true, role = 'admin' as Role, person = {} as Partial<User> } = {}) {
  window.history.replaceState(null, '', path);
  const server = fakeServer({
    'GET /api/auth/me': signedIn ? { body: { role, user: user({ role, ...person }), csrfToken: CSRF_TOKEN } } : problem(401, 'unauthorized', 'Sign in first.'),
    'GET /api/auth/config': { body: { sso: false, setupRequired: false } },
    ...routes,
  });
  const session = { user: user({ role, ...person }), role, csrfToken: CSRF_TOKEN };
  const view = render(<App fetch={server.fetch} {...(signedIn && { session })} />);
  return { ...view, server };
}
