import { useState } from 'react';
import { ROLE_HINT, ROLE_LABEL, ROLES, type Role } from '../app/access.js';
import { useApi } from '../app/api-context.js';
import { useFormSubmit } from '../app/use-form-submit.js';
import { useResource } from '../app/use-resource.js';
import { useSession } from '../app/session.js';
import type { User } from '../api/types.js';
import { Field } from '../components/field.js';
import { formatDateTime } from '../components/format.js';
import { ResourceTable } from '../components/resource-table.js';
import { ShownOnce } from '../components/shown-once.js';
import { ErrorState } from '../components/states.js';

const STATUS_LABEL: Record<User['status'], string> = { invited: 'Invited', active: 'Active', disabled: 'Disabled' };

/** People (admins only): invite with a role (the link is shown once), change roles, disable and enable. */
export function UsersPage() {
  const api = useApi();
  const users = useResource((signal) => api.listUsers(signal), [api]);
  const [invited, setInvited] = useState<{ user: User; inviteUrl: string } | null>(null);

  return (
    <section className="page" aria-labelledby="users-title">
      <h1 id="users-title">Users</h1>
      <p className="lead">
        People sign in with their email and password{' '}
        (or SSO when configured). <strong>Viewers</strong> {ROLE_HINT.viewer}; <strong>editors</strong> {ROLE_HINT.editor}; <strong>admins</strong>{' '}
        {ROLE_HINT.admin}.
      </p>
      {invited && <InviteLink invited={invited} onDone={() => setInvited(null)} />}
      <InviteForm
        onInvited={(answer) => {
          setInvited(answer);
          users.reload();
        }}
      />
      <section className="card" aria-labelledby="users-list-title">
        <h2 id="users-list-title">People</h2>
        <ResourceTable
          resource={users}
          loading="Loading users…"
          failed="Could not load the users"
          empty={<p>No users.</p>}
          caption="Users"
          head={
            <>
              <th scope="col">Name</th>
              <th scope="col">Role</th>
              <th scope="col">Status</th>
              <th scope="col">Last sign-in</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </>
          }
        >
          {(items) =>
            items.map((u) => (
              <UserRow key={u.id} user={u} onChanged={(next) => users.set(items.map((x) => (x.id === next.id ? next : x)))} />
            ))
          }
        </ResourceTable>
      </section>
    </section>
  );
}

function UserRow({ user: u, onChanged }: { user: User; onChanged: (u: User) => void }) {
  const api = useApi();
  const { session } = useSession();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const self = u.id === session.user.id;

  const change = (patch: { role?: Role; disabled?: boolean }) => {
    setBusy(true);
    setError(null);
    api.updateUser(u.id, patch).then(onChanged, setError).finally(() => setBusy(false));
  };

  return (
    <tr className={u.status === 'disabled' ? 'revoked' : undefined} data-testid={`user-${u.email}`}>
      <th scope="row" data-label="Name">
        {u.name}
        {self && <span className="muted small"> (you)</span>}
        <div className="muted small">{u.email}</div>
      </th>
      <td data-label="Role">
        <label className="visually-hidden" htmlFor={`role-${u.id}`}>
          Role of {u.name}
        </label>
        <select id={`role-${u.id}`} value={u.role} disabled={busy} onChange={(e) => change({ role: e.target.value as Role })}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {ROLE_LABEL[r]}
            </option>
          ))}
        </select>
        {error !== null && <ErrorState error={error} title="Not changed" />}
      </td>
      <td data-label="Status">
        {STATUS_LABEL[u.status]}
        {u.sso && <span className="muted small"> · SSO</span>}
      </td>
      <td data-label="Last sign-in">{u.lastSignInAt ? formatDateTime(u.lastSignInAt) : 'never'}</td>
      <td data-label="Actions">
        {u.status === 'disabled' ? (
          <button type="button" className="button button-small" disabled={busy} onClick={() => change({ disabled: false })} aria-label={`Enable ${u.name}`}>
            Enable
          </button>
        ) : (
          <button type="button" className="button button-danger button-small" disabled={busy} onClick={() => change({ disabled: true })} aria-label={`Disable ${u.name}`}>
            Disable
          </button>
        )}
      </td>
    </tr>
  );
}

function InviteLink({ invited, onDone }: { invited: { user: User; inviteUrl: string }; onDone: () => void }) {
  return (
    <ShownOnce
      titleId="invite-link-title"
      title={`Send ${invited.user.name} this invitation link`}
      value={invited.inviteUrl}
      valueLabel="Invitation link"
      copyLabel="Copy link"
      doneLabel="Done"
      onDone={onDone}
    >
      It works once, for 7 days; whoever opens it chooses the password for {invited.user.email}.
    </ShownOnce>
  );
}

function InviteForm({ onInvited }: { onInvited: (answer: { user: User; inviteUrl: string }) => void }) {
  const api = useApi();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const { tried, busy, error, server, otherError, submit } = useFormSubmit(
    () => Boolean(email.trim()) && Boolean(name.trim()),
    async () => {
      onInvited(await api.inviteUser({ email: email.trim(), name: name.trim(), role }));
      setEmail('');
      setName('');
      setRole('viewer');
    },
  );

  return (
    <form className="card" onSubmit={submit} noValidate aria-labelledby="invite-title">
      <h2 id="invite-title">Invite someone</h2>
      <div className="grid-2">
        <Field id="invite-email" label="Email" errors={[...(tried && !email.trim() ? ['Required.'] : []), ...server('email')]}>
          {(p) => <input {...p} type="email" autoComplete="off" value={email} onChange={(e) => setEmail(e.target.value)} />}
        </Field>
        <Field id="invite-name" label="Name" hint="Shown in the audit history" errors={[...(tried && !name.trim() ? ['Required.'] : []), ...server('name')]}>
          {(p) => <input {...p} autoComplete="off" value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
      </div>
      <fieldset className="checks">
        <legend>Role</legend>
        {ROLES.map((r) => (
          <div className="field-inline" key={r}>
            <input id={`invite-role-${r}`} type="radio" name="invite-role" checked={role === r} onChange={() => setRole(r)} />
            <label htmlFor={`invite-role-${r}`}>
              {ROLE_LABEL[r]} <span className="muted small">— {ROLE_HINT[r]}</span>
            </label>
          </div>
        ))}
      </fieldset>
      {otherError && <ErrorState error={error} title="Not invited" />}
      <button type="submit" className="button button-primary" disabled={busy}>
        {busy ? 'Inviting…' : 'Invite'}
      </button>
    </form>
  );
}
