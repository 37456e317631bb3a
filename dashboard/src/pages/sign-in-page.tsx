import { type FormEvent, useState } from 'react';
import { useApi } from '../app/api-context.js';
import { ApiError, messageOf } from '../api/problem.js';

function explain(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 401) return 'This key is not valid: unknown or revoked.';
    if (error.status === 403) return 'This is an SDK key. The dashboard needs an admin key (tp_admin_…).';
  }
  return messageOf(error);
}

/** Sign-in with an admin key, checked against GET /api/keys before it is kept (for this browser session only). */
export function SignInPage({ onSignedIn, notice }: { onSignedIn: (key: string) => void; notice: string | null }) {
  const api = useApi();
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const trimmed = key.trim();
    if (!trimmed) {
      setError('Enter your admin key.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await api.verifyKey(trimmed);
      onSignedIn(trimmed);
    } catch (e) {
      setError(explain(e));
      setBusy(false);
    }
  };

  return (
    <main id="main" className="sign-in">
      <form className="card sign-in-card" onSubmit={submit} noValidate>
        <h1>
          <span className="brand-dot" aria-hidden="true" /> Touchpoint
        </h1>
        <p>Sign in with an admin key. It is kept for this browser session only and sent to this server only.</p>
        {notice && (
          <p className="notice" role="status">
            {notice}
          </p>
        )}
        <div className="field">
          <label htmlFor="admin-key">Admin key</label>
          <input
            id="admin-key"
            type="password"
            autoComplete="off"
            spellCheck={false}
            value={key}
            onChange={(e) => setKey(e.target.value)}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? 'admin-key-error' : 'admin-key-hint'}
            placeholder="tp_admin_…"
          />
          <p id="admin-key-hint" className="hint">
            Printed by the server on its first start, or created on the API keys page.
          </p>
          {error && (
            <p id="admin-key-error" className="field-error" role="alert">
              {error}
            </p>
          )}
        </div>
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
