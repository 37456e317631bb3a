import { type FormEvent, useState } from 'react';
import { useApi } from '../app/api-context.js';
import { ApiError } from '../api/problem.js';
import type { SignedIn } from '../api/types.js';
import { Link } from '../app/router.js';
import { TextField, MIN_PASSWORD, fieldErrors, generalError, tokenFromHash } from './setup-page.js';

/** An invitation link (`/accept-invite#token=…`, from POST /api/users): choose a password and sign in. */
export function AcceptInvitePage({ onSignedIn }: { onSignedIn: (answer: SignedIn) => void }) {
  const api = useApi();
  const [token] = useState(() => tokenFromHash(window.location.hash));
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (password.length < MIN_PASSWORD) {
      setError(new ApiError(400, 'validation-failed', 'Invalid', '', [{ field: 'password', detail: `At least ${MIN_PASSWORD} characters.` }]));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await api.acceptInvite(token, password));
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  return (
    <main id="main" className="sign-in">
      <form className="card sign-in-card" onSubmit={submit} noValidate aria-labelledby="invite-title">
        <h1 id="invite-title">
          <span className="brand-dot" aria-hidden="true" /> Join Touchpoint
        </h1>
        {!token ? (
          <p className="notice" role="status">
            This page needs the invitation link an admin gave you (<code>/accept-invite#token=…</code>). Already joined?{' '}
            <Link to="/sign-in">Sign in</Link>.
          </p>
        ) : (
          <>
            <p>You have been invited. Choose a password to finish; you sign in with your email and this password from now on.</p>
            <TextField
              id="invite-password"
              label="Choose a password"
              type="password"
              value={password}
              onChange={setPassword}
              autoComplete="new-password"
              hint={`At least ${MIN_PASSWORD} characters.`}
              errors={fieldErrors(error, 'password')}
            />
            {generalError(error) && (
              <p className="field-error" role="alert">
                {generalError(error)}
              </p>
            )}
            <button type="submit" className="button button-primary" disabled={busy}>
              {busy ? 'Joining…' : 'Accept invitation'}
            </button>
          </>
        )}
      </form>
    </main>
  );
}
