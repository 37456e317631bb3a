import { useState } from 'react';
import { useApi } from '../app/api-context.js';
import type { SignedIn } from '../api/types.js';
import { Link } from '../app/router.js';
import { ChoosePasswordForm, TextField, fieldErrors } from '../components/choose-password-form.js';

/** First start without ADMIN_EMAIL: the one-time link the server printed creates the first admin (POST /api/auth/setup). */
export function SetupPage({ onSignedIn }: { onSignedIn: (answer: SignedIn) => void }) {
  const api = useApi();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  return (
    <ChoosePasswordForm
      titleId="setup-title"
      title="Create the first admin"
      noToken={
        <>
          This page needs the one-time setup link the server printed when it started (<code>/setup#token=…</code>). Or{' '}
          <Link to="/sign-in">sign in</Link>.
        </>
      }
      intro="You become this server's admin: you can invite your team afterwards."
      passwordId="setup-password"
      passwordLabel="Password"
      submitLabel="Create admin and sign in"
      busyLabel="Creating…"
      send={(token, password) => api.setup({ token, email: email.trim(), name: name.trim(), password })}
      onSignedIn={onSignedIn}
    >
      {(error) => (
        <>
          <TextField id="setup-name" label="Your name" value={name} onChange={setName} autoComplete="name" errors={fieldErrors(error, 'name')} />
          <TextField id="setup-email" label="Email" type="email" value={email} onChange={setEmail} autoComplete="username" errors={fieldErrors(error, 'email')} />
        </>
      )}
    </ChoosePasswordForm>
  );
}
