import { type ReactNode, useEffect, useRef } from 'react';
import { Link, useLocation } from './router.js';

const NAV = [
  { to: '/', label: 'Funnel' },
  { to: '/experiments', label: 'Experiments' },
  { to: '/sample-size', label: 'Sample size' },
  { to: '/keys', label: 'API keys' },
  { to: '/webhooks', label: 'Webhooks' },
];

function isCurrent(to: string, pathname: string): boolean {
  if (to === '/') return pathname === '/';
  if (to === '/experiments' && pathname === '/new-experiment') return true;
  return pathname === to || pathname.startsWith(`${to}/`);
}

/** Skip link, header with navigation, and the main landmark; focus moves to <main> on navigation. */
export function Layout({ children, onSignOut }: { children: ReactNode; onSignOut: () => void }) {
  const { pathname } = useLocation();
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
            {NAV.map((item) => (
              <li key={item.to}>
                <Link to={item.to} aria-current={isCurrent(item.to, pathname) ? 'page' : undefined}>
                  {item.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <button type="button" className="button button-quiet" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
