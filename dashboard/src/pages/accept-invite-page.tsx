import { useApi } from '../app/api-context.js';
import type { SignedIn } from '../api/types.js';
import { Link } from '../app/router.js';
import { ChoosePasswordForm } from '../components/choose-password-form.js';

/** An invitation link (`/accept-invite#token=…`, from POST /api/users): choose a password and sign in. */
export function AcceptInvitePage({ onSignedIn }: { onSignedIn: (answer: SignedIn) => void }) {
  const api = useApi();
  return (
    <ChoosePasswordForm
      titleId="invite-title"
      title="Join Touchpoint"
      noToken={
        <>
          This page needs the invitation link an admin gave you (<code>/accept-invite#token=…</code>). Already joined?{' '}
          <Link to="/sign-in">Sign in</Link>.
        </>
      }
      intro="You have been invited. Choose a password to finish; you sign in with your email and this password from now on."
      passwordId="invite-password"
      passwordLabel="Choose a password"
      submitLabel="Accept invitation"
      busyLabel="Joining…"
      send={(token, password) => api.acceptInvite(token, password)}
      onSignedIn={onSignedIn}
    />
  );
}
