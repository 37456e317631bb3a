import { render } from '@testing-library/react';
import { App } from '../app/App.js';
import { ADMIN_KEY } from './fixtures.js';
import { type Handler, type Reply, fakeServer } from './fake-server.js';

/** Renders the whole app at `path`, signed in (unless `signedIn: false`), on a fake API. */
export function renderApp(path: string, routes: Record<string, Handler | Reply>, { signedIn = true } = {}) {
  window.history.replaceState(null, '', path);
  if (signedIn) sessionStorage.setItem('touchpoint.adminKey', ADMIN_KEY);
  const server = fakeServer(routes);
  const view = render(<App fetch={server.fetch} />);
  return { ...view, server };
}
