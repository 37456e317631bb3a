import { type FormEvent, type ReactNode, useState } from 'react';
import { ApiError, messageOf } from '../api/problem.js';
import type { SignedIn } from '../api/types.js';
import { Field } from './field.js';

/** The token of a `#token=…` link: in the fragment, which browsers never send to a server nor in a Referer. */
export function tokenFromHash(hash: string): string {
  return new URLSearchParams(hash.replace(/^#/, '')).get('token') ?? '';
}

export const MIN_PASSWORD = 12;

/** The server's rule for a new password (server/src/auth/passwords.ts, passwordProblem), said up front. */
export const PASSWORD_RULE = `At least ${MIN_PASSWORD} characters (spaces count, but not only spaces).`;

/**
 * Why the server would refuse this new password, checked before sending (the server still decides):
 * it counts characters as code points, as here.
 */
export function newPasswordProblem(password: string): string | null {
  if ([...password].length < MIN_PASSWORD) return `At least ${MIN_PASSWORD} characters.`;
  if (password.trim() === '') return 'Not only spaces.';
  return null;
}

/** What the server said about one field (validation-failed), else nothing. */
export const fieldErrors = (error: unknown, field: string) => (error instanceof ApiError ? error.errorsFor(field).map((e) => e.detail) : []);
export const generalError = (error: unknown) => (error instanceof ApiError && error.errors.length > 0 ? null : error ? messageOf(error) : null);

/**
 * The sign-in-style page behind a one-time `#token=…` link (first-admin setup, an invitation): without a
 * token it says which link is needed; with one, the reader chooses a password (checked for length here,
 * the rest by the server) and is signed in with the answer. `children` renders fields asked before the
 * password (given the error, for their server messages); `send` posts the token and password.
 */
export function ChoosePasswordForm({
  titleId,
  title,
  noToken,
  intro,
  passwordId,
  passwordLabel,
  submitLabel,
  busyLabel,
  send,
  onSignedIn,
  children,
}: {
  titleId: string;
  title: string;
  noToken: ReactNode;
  intro: ReactNode;
  passwordId: string;
  passwordLabel: string;
  submitLabel: string;
  busyLabel: string;
  send: (token: string, password: string) => Promise<SignedIn>;
  onSignedIn: (answer: SignedIn) => void;
  children?: (error: unknown) => ReactNode;
}) {
  const [token] = useState(() => tokenFromHash(window.location.hash));
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const problem = newPasswordProblem(password);
    if (problem) {
      setError(new ApiError(400, 'validation-failed', 'Invalid', '', [{ field: 'password', detail: problem }]));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await send(token, password));
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  return (
    <main id="main" className="sign-in">
      <form className="card sign-in-card" onSubmit={submit} noValidate aria-labelledby={titleId}>
        <h1 id={titleId}>
          <span className="brand-dot" aria-hidden="true" /> {title}
        </h1>
        {!token ? (
          <p className="notice" role="status">
            {noToken}
          </p>
        ) : (
          <>
            <p>{intro}</p>
            {children?.(error)}
            <TextField
              id={passwordId}
              label={passwordLabel}
              type="password"
              value={password}
              onChange={setPassword}
              autoComplete="new-password"
              hint={PASSWORD_RULE}
              errors={fieldErrors(error, 'password')}
            />
            {generalError(error) && (
              <p className="field-error" role="alert">
                {generalError(error)}
              </p>
            )}
            <button type="submit" className="button button-primary" disabled={busy}>
              {busy ? busyLabel : submitLabel}
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
