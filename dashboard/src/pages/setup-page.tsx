import { type FormEvent, useState } from 'react';
import { useApi } from '../app/api-context.js';
import { ApiError, messageOf } from '../api/problem.js';
import type { SignedIn } from '../api/types.js';
import { Link } from '../app/router.js';
import { Field } from '../components/field.js';

/** The token of a `#token=…` link: in the fragment, which browsers never send to a server nor in a Referer. */
export function tokenFromHash(hash: string): string {
  return new URLSearchParams(hash.replace(/^#/, '')).get('token') ?? '';
}

export const MIN_PASSWORD = 12;

/** What the server said about one field (validation-failed), else nothing. */
const fieldErrors = (error: unknown, field: string) => (error instanceof ApiError ? error.errorsFor(field).map((e) => e.detail) : []);
const generalError = (error: unknown) => (error instanceof ApiError && error.errors.length > 0 ? null : error ? messageOf(error) : null);

/** First start without ADMIN_EMAIL: the one-time link the server printed creates the first admin (POST /api/auth/setup). */
export function SetupPage({ onSignedIn }: { onSignedIn: (answer: SignedIn) => void }) {
  const api = useApi();
  const [token] = useState(() => tokenFromHash(window.location.hash));
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
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
      onSignedIn(await api.setup({ token, email: email.trim(), name: name.trim(), password }));
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  return (
    <main id="main" className="sign-in">
      <form className="card sign-in-card" onSubmit={submit} noValidate aria-labelledby="setup-title">
        <h1 id="setup-title">
          <span className="brand-dot" aria-hidden="true" /> Create the first admin
        </h1>
        {!token ? (
          <p className="notice" role="status">
            This page needs the one-time setup link the server printed when it started (<code>/setup#token=…</code>). Or{' '}
            <Link to="/sign-in">sign in</Link>.
          </p>
        ) : (
          <>
            <p>You become this server&apos;s admin: you can invite your team afterwards.</p>
            <TextField id="setup-name" label="Your name" value={name} onChange={setName} autoComplete="name" errors={fieldErrors(error, 'name')} />
            <TextField id="setup-email" label="Email" type="email" value={email} onChange={setEmail} autoComplete="username" errors={fieldErrors(error, 'email')} />
            <TextField
              id="setup-password"
              label="Password"
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
              {busy ? 'Creating…' : 'Create admin and sign in'}
            </button>
          </>
        )}
      </form>
    </main>
  );
}

/** A text input in the shared labelled field (components/field.tsx). */
export function TextField({
  id,
  label,
  value,
  onChange,
  type = 'text',
  autoComplete,
  hint,
  errors = [],
}: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  type?: string;
  autoComplete?: string;
  hint?: string;
  errors?: string[];
}) {
  return (
    <Field id={id} label={label} {...(hint && { hint })} errors={errors}>
      {(p) => <input {...p} type={type} value={value} onChange={(e) => onChange(e.target.value)} {...(autoComplete && { autoComplete })} />}
    </Field>
  );
}

export { fieldErrors, generalError };
