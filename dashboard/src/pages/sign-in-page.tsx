import { type FormEvent, useEffect, useState } from 'react';
import { useApi } from '../app/api-context.js';
import { ApiError, messageOf } from '../api/problem.js';
import type { AuthConfig, SignedIn } from '../api/types.js';

function explain(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 401) return 'Wrong email or password (or the account is disabled).';
    if (error.status === 429) return 'Too many failed sign-ins. Wait a little and try again.';
  }
  return messageOf(error);
}

/** The server's OIDC route: a full page load, the provider answers to the server, which sends us back to /. */
export const SSO_START = '/api/auth/oidc/start';

/**
 * Sign-in with email and password (POST /api/auth/login sets the HttpOnly session cookie), and with SSO
 * when the server has it configured (GET /api/auth/config).
 */
export function SignInPage({ onSignedIn, notice, ssoError }: { onSignedIn: (answer: SignedIn) => void; notice: string | null; ssoError: string | null }) {
  const api = useApi();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [config, setConfig] = useState<AuthConfig | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    // Without the answer the form still works; only the SSO button and the setup hint wait for it.
    api.authConfig(controller.signal).then(setConfig, () => {});
    return () => controller.abort();
  }, [api]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!email.trim() || !password) {
      setError('Enter your email and password.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await api.login(email.trim(), password));
    } catch (e) {
      setError(explain(e));
      setBusy(false);
    }
  };

  return (
    <main id="main" className="sign-in">
      <div className="card sign-in-card">
        <h1>
          <span className="brand-dot" aria-hidden="true" /> Touchpoint
        </h1>
        {notice && (
          <p className="notice" role="status">
            {notice}
          </p>
        )}
        {ssoError && (
          <p className="field-error" role="alert">
            SSO sign-in failed: {ssoError}
          </p>
        )}
        {config?.setupRequired && (
          <p className="notice" role="status">
            No one can sign in yet. Open the one-time setup link the server printed when it started (<code>/setup#token=…</code>), or
            restart it with <code>ADMIN_EMAIL</code> and <code>ADMIN_PASSWORD</code>.
          </p>
        )}
        <form onSubmit={submit} noValidate aria-label="Sign in">
          <div className="field">
            <label htmlFor="sign-in-email">Email</label>
            <input id="sign-in-email" type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} aria-invalid={error ? true : undefined} />
          </div>
          <div className="field">
            <label htmlFor="sign-in-password">Password</label>
            <input
              id="sign-in-password"
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? 'sign-in-error' : undefined}
            />
            {error && (
              <p id="sign-in-error" className="field-error" role="alert">
                {error}
              </p>
            )}
          </div>
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
        {config?.sso && (
          <>
            <p className="sign-in-divider muted">or</p>
            <a className="button" href={SSO_START}>
              Sign in with SSO
            </a>
          </>
        )}
      </div>
    </main>
  );
}
