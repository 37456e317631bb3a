import { type ReactNode, useEffect, useRef } from 'react';
import { type Action, ROLE_LABEL, can } from './access.js';
import { Link, useLocation } from './router.js';
import { useSession } from './session.js';

/** Pages whose every control needs a role are left out of the navigation for the others. */
const NAV: { to: string; label: string; needs?: Action }[] = [
  { to: '/', label: 'Funnel' },
  { to: '/experiments', label: 'Experiments' },
  { to: '/metric-definitions', label: 'Metrics' },
  { to: '/sample-size', label: 'Sample size' },
  { to: '/keys', label: 'API keys', needs: 'manage-keys' },
  { to: '/webhooks', label: 'Webhooks', needs: 'manage-webhooks' },
  { to: '/users', label: 'Users', needs: 'manage-users' },
];

function isCurrent(to: string, pathname: string): boolean {
  if (to === '/') return pathname === '/';
  if (to === '/experiments' && pathname === '/new-experiment') return true;
  return pathname === to || pathname.startsWith(`${to}/`);
}

/** Skip link, header with navigation and who is signed in, and the main landmark; focus moves to <main> on navigation. */
export function Layout({ children }: { children: ReactNode }) {
  const { pathname } = useLocation();
  const { session, signOut } = useSession();
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus();
  }, [pathname]);

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <Link to="/" className="brand">
          <span className="brand-dot" aria-hidden="true" /> Touchpoint
        </Link>
        <nav aria-label="Main">
          <ul>
            {NAV.filter((item) => !item.needs || can(session.role, item.needs)).map((item) => (
              <li key={item.to}>
                <Link to={item.to} aria-current={isCurrent(item.to, pathname) ? 'page' : undefined}>
                  {item.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="signed-in-as" data-testid="signed-in-as">
          <span>
            <span className="visually-hidden">Signed in as </span>
            <Link
              to="/account"
              className="account-link"
              title={`${session.user.email}: your account and password`}
              aria-label={`${session.user.name}, your account`}
              aria-current={pathname === '/account' ? 'page' : undefined}
            >
              <strong>{session.user.name}</strong>
            </Link>{' '}
            <span className="role-badge">{ROLE_LABEL[session.role]}</span>
          </span>
          <button type="button" className="button button-quiet" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
