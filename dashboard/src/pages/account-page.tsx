import { useState } from 'react';
import { ROLE_HINT, ROLE_LABEL } from '../app/access.js';
import { useApi } from '../app/api-context.js';
import { useFormSubmit } from '../app/use-form-submit.js';
import { useSession } from '../app/session.js';
import { ApiError, messageOf } from '../api/problem.js';
import type { User } from '../api/types.js';
import { PASSWORD_RULE, TextField, newPasswordProblem } from '../components/choose-password-form.js';
import { ErrorState } from '../components/states.js';

/** What the server does on a change (POST /api/auth/password, server/src/auth/routes.ts): this session stays, the others end. */
export const SESSIONS_AFTER_CHANGE =
  'You stay signed in here; every other session of yours (other browsers and devices) is signed out and must sign in with the new password.';

const SIGN_IN_METHOD = (user: User) => (user.hasPassword && user.sso ? 'Password, or SSO' : user.sso ? 'SSO (your identity provider)' : 'Password');

/** "is not your current password" (a field detail from the server) as a sentence under the field. */
const sentence = (detail: string) => `${detail.charAt(0).toUpperCase()}${detail.slice(1)}${/[.!?]$/.test(detail) ? '' : '.'}`;

/** "about 14 minutes", "30 seconds": how long a 429 asks to wait (Retry-After). */
export function howLong(seconds: number): string {
  if (seconds < 90) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `about ${minutes} minutes`;
}

/** The signed-in person: who they are, their role, and changing their own password (or why they cannot here). */
export function AccountPage() {
  const { session } = useSession();
  const { user, role } = session;
  return (
    <section className="page" aria-labelledby="account-title">
      <h1 id="account-title">Your account</h1>
      <section className="card" aria-labelledby="profile-title">
        <h2 id="profile-title">Profile</h2>
        <dl className="facts">
          <dt>Name</dt>
          <dd>{user.name}</dd>
          <dt>Email</dt>
          <dd>{user.email}</dd>
          <dt>Role</dt>
          <dd>
            {ROLE_LABEL[role]} <span className="muted small">— {ROLE_HINT[role]}</span>
          </dd>
          <dt>Signs in with</dt>
          <dd>{SIGN_IN_METHOD(user)}</dd>
        </dl>
        <p className="muted small">Your name, email and role are changed by an admin.</p>
      </section>
      {user.hasPassword === false ? (
        <section className="card" aria-labelledby="password-title">
          <h2 id="password-title">Password</h2>
          <p className="notice" role="status" data-testid="sso-password-note">
            You sign in with SSO, so Touchpoint keeps no password for you: your password is managed by your identity provider. Change it there.
          </p>
        </section>
      ) : (
        <ChangePasswordForm sso={user.sso} />
      )}
    </section>
  );
}

function ChangePasswordForm({ sso }: { sso: boolean }) {
  const api = useApi();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [changed, setChanged] = useState(false);
  const mismatch = confirm !== next;
  const { tried, busy, error, server, otherError, submit } = useFormSubmit(
    () => current !== '' && newPasswordProblem(next) === null && !mismatch,
    async () => {
      setChanged(false);
      await api.changePassword(current, next);
      setCurrent('');
      setNext('');
      setConfirm('');
      setChanged(true);
    },
  );
  const mine = (condition: boolean, message: string | null) => (tried && condition && message ? [message] : []);

  return (
    <form className="card" onSubmit={submit} noValidate aria-labelledby="password-title" aria-describedby="password-sessions">
      <h2 id="password-title">Change password</h2>
      <div id="password-sessions">
        <p>{SESSIONS_AFTER_CHANGE}</p>
        {sso && <p className="muted small">You can also sign in with SSO; that password is your identity provider's, not this one.</p>}
      </div>
      <TextField
        id="current-password"
        label="Current password"
        type="password"
        autoComplete="current-password"
        value={current}
        onChange={(value) => (setCurrent(value), setChanged(false))}
        errors={[...mine(current === '', 'Required.'), ...server('currentPassword').map(sentence)]}
      />
      <TextField
        id="new-password"
        label="New password"
        type="password"
        autoComplete="new-password"
        hint={PASSWORD_RULE}
        value={next}
        onChange={(value) => (setNext(value), setChanged(false))}
        errors={[...mine(true, newPasswordProblem(next)), ...server('newPassword').map(sentence)]}
      />
      <TextField
        id="confirm-password"
        label="New password again"
        type="password"
        autoComplete="new-password"
        value={confirm}
        onChange={(value) => (setConfirm(value), setChanged(false))}
        errors={mine(mismatch, 'Does not match the new password.')}
      />
      {otherError && <ChangeError error={error} />}
      <div aria-live="polite" data-testid="password-changed">
        {changed && (
          <p className="state state-success">
            <strong>Password changed.</strong> {SESSIONS_AFTER_CHANGE}
          </p>
        )}
      </div>
      <button type="submit" className="button button-primary" disabled={busy}>
        {busy ? 'Changing…' : 'Change password'}
      </button>
    </form>
  );
}

/** Not changed, and why: a 429 says how long to wait (Retry-After); anything else is the server's words. */
function ChangeError({ error }: { error: unknown }) {
  if (error instanceof ApiError && error.status === 429) {
    return (
      <div className="state state-error" role="alert">
        <p>
          <strong>Not changed.</strong> Too many wrong passwords for your account (failed sign-ins count too).
          {error.retryAfterSeconds !== undefined && ` Try again in ${howLong(error.retryAfterSeconds)}.`}
        </p>
        <p className="muted small">{messageOf(error)}</p>
      </div>
    );
  }
  return <ErrorState error={error} title="Not changed" />;
}
