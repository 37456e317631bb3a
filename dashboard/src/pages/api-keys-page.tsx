import { useState } from 'react';
import { ROLE_LABEL, ROLES, type Role } from '../app/access.js';
import { useApi } from '../app/api-context.js';
import { useAction } from '../app/use-action.js';
import { useFormSubmit } from '../app/use-form-submit.js';
import { useResource } from '../app/use-resource.js';
import { ApiError } from '../api/problem.js';
import type { ApiKey } from '../api/types.js';
import { ConfirmDialog } from '../components/dialog.js';
import { Field } from '../components/field.js';
import { formatDateTime } from '../components/format.js';
import { ResourceTable } from '../components/resource-table.js';
import { ShownOnce } from '../components/shown-once.js';
import { ErrorState } from '../components/states.js';

/**
 * What the server does with an SDK key's origin list (server/src/sdk/cors.ts, README "API"): SDK keys
 * are public, so an empty list lets any origin use the key; a list narrows it to those sites.
 */
export const ORIGINS_HINT =
  'Browser origins that may use this key, one per line, e.g. https://shop.example.com. Empty: any origin may use it (SDK keys are public; a list narrows which sites can send with it).';

/** API keys: list (never secrets), create (the secret is shown once), revoke with confirmation. */
export function ApiKeysPage() {
  const api = useApi();
  const [showRevoked, setShowRevoked] = useState(false);
  const keys = useResource((signal) => api.listKeys(showRevoked, signal), [api, showRevoked]);
  const [created, setCreated] = useState<(ApiKey & { secret: string }) | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);

  return (
    <section className="page" aria-labelledby="keys-title">
      <h1 id="keys-title">API keys</h1>
      <p className="lead">
        <strong>Admin keys</strong> are secret, for scripts and automation on the API, with a role like a person&apos;s (admin by
        default; viewer for read-only automation). People sign in instead (Users). <strong>SDK keys</strong> are public, go in your site&apos;s code, and can only read the
        SDK configuration and send exposures and events.
      </p>
      {created && <RevealedSecret created={created} onDone={() => setCreated(null)} />}
      <CreateKeyForm
        onCreated={(k) => {
          setCreated(k);
          keys.reload();
        }}
      />
      <section className="card" aria-labelledby="keys-list-title">
        <div className="section-head">
          <h2 id="keys-list-title">Keys</h2>
          <div className="field-inline">
            <input id="show-revoked" type="checkbox" checked={showRevoked} onChange={(e) => setShowRevoked(e.target.checked)} />
            <label htmlFor="show-revoked">Show revoked keys</label>
          </div>
        </div>
        <ResourceTable
          resource={keys}
          loading="Loading keys…"
          failed="Could not load the keys"
          empty={<p>No keys.</p>}
          caption="API keys"
          head={
            <>
              <th scope="col">Name</th>
              <th scope="col">Kind</th>
              <th scope="col">Key</th>
              <th scope="col">Allowed origins</th>
              <th scope="col">Last used</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </>
          }
        >
          {(items) =>
            items.map((k) => (
              <tr key={k.id} className={k.revokedAt ? 'revoked' : undefined}>
                <th scope="row" data-label="Name">
                  {k.name}
                  <div className="muted small">created {formatDateTime(k.createdAt)}</div>
                </th>
                <td data-label="Kind">
                  <span className={`badge badge-${k.kind}`}>{k.kind === 'admin' ? 'Admin' : 'SDK'}</span>
                  {k.kind === 'admin' && k.role && k.role !== 'admin' && <span className="muted small"> · {ROLE_LABEL[k.role]} role</span>}
                </td>
                <td data-label="Key" className="mono">
                  {k.prefix}
                </td>
                <td data-label="Allowed origins" className="small">
                  {k.kind === 'admin' ? '—' : k.allowedOrigins.length ? k.allowedOrigins.join(', ') : 'any origin'}
                </td>
                <td data-label="Last used">{k.lastUsedAt ? formatDateTime(k.lastUsedAt) : 'never'}</td>
                <td data-label="Actions">
                  {k.revokedAt ? (
                    <span className="muted">revoked {formatDateTime(k.revokedAt)}</span>
                  ) : (
                    <button type="button" className="button button-danger button-small" onClick={() => setRevoking(k)} aria-label={`Revoke ${k.name}`}>
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))
          }
        </ResourceTable>
      </section>
      {revoking && (
        <RevokeDialog
          apiKey={revoking}
          onClose={() => setRevoking(null)}
          onRevoked={() => {
            setRevoking(null);
            keys.reload();
          }}
        />
      )}
    </section>
  );
}

function RevealedSecret({ created, onDone }: { created: ApiKey & { secret: string }; onDone: () => void }) {
  return (
    <ShownOnce
      titleId="secret-title"
      title={`Copy the new ${created.kind === 'admin' ? 'admin' : 'SDK'} key now`}
      value={created.secret}
      valueLabel="New key"
      copyLabel="Copy key"
      onDone={onDone}
    >
      The server keeps only a hash: if you lose it, revoke it and create another.
      {created.kind === 'admin' && ' Treat it like a password: never put an admin key in a web page.'}
    </ShownOnce>
  );
}

function CreateKeyForm({ onCreated }: { onCreated: (k: ApiKey & { secret: string }) => void }) {
  const api = useApi();
  const [kind, setKind] = useState<'admin' | 'sdk'>('sdk');
  const [name, setName] = useState('');
  const [origins, setOrigins] = useState('');
  const [role, setRole] = useState<Role>('admin');
  const { tried, busy, error, server, otherError, submit } = useFormSubmit(
    () => Boolean(name.trim()),
    async () => {
      const allowedOrigins = kind === 'sdk' ? origins.split(/[\s,]+/).map((o) => o.trim()).filter(Boolean) : [];
      onCreated(await api.createKey({ kind, name: name.trim(), allowedOrigins, ...(kind === 'admin' && { role }) }));
      setName('');
      setOrigins('');
    },
  );

  return (
    <form className="card" onSubmit={submit} noValidate aria-labelledby="create-key-title">
      <h2 id="create-key-title">Create a key</h2>
      <fieldset className="checks inline">
        <legend>Kind</legend>
        <div className="field-inline">
          <input id="kind-sdk" type="radio" name="kind" checked={kind === 'sdk'} onChange={() => setKind('sdk')} />
          <label htmlFor="kind-sdk">SDK key (public, for your site)</label>
        </div>
        <div className="field-inline">
          <input id="kind-admin" type="radio" name="kind" checked={kind === 'admin'} onChange={() => setKind('admin')} />
          <label htmlFor="kind-admin">Admin key (secret)</label>
        </div>
      </fieldset>
      <div className="grid-2">
        <Field id="key-name" label="Name" hint="e.g. Shop front end, or a colleague's name" errors={[...(tried && !name.trim() ? ['Required.'] : []), ...server('name')]}>
          {(p) => <input {...p} value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        {kind === 'admin' && (
          <Field id="key-role" label="Role" hint="What the key may do, like a person's role: a viewer key is read-only automation (reports, exports).">
            {(p) => (
              <select {...p} value={role} onChange={(e) => setRole(e.target.value as Role)}>
                {ROLES.map((r) => (
                  <option key={r} value={r}>
                    {ROLE_LABEL[r]}
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
        {kind === 'sdk' && (
          <Field
            id="key-origins"
            label="Allowed origins"
            hint={ORIGINS_HINT}
            errors={server('allowedOrigins')}
          >
            {(p) => <textarea {...p} rows={3} className="mono" spellCheck={false} value={origins} onChange={(e) => setOrigins(e.target.value)} />}
          </Field>
        )}
      </div>
      {otherError && <ErrorState error={error} title="Not created" />}
      <button type="submit" className="button button-primary" disabled={busy}>
        {busy ? 'Creating…' : `Create ${kind === 'admin' ? 'admin' : 'SDK'} key`}
      </button>
    </form>
  );
}

function RevokeDialog({ apiKey, onClose, onRevoked }: { apiKey: ApiKey; onClose: () => void; onRevoked: () => void }) {
  const api = useApi();
  const { busy, error, run: revoke } = useAction(() => api.revokeKey(apiKey.id), onRevoked);
  const lastAdmin = error instanceof ApiError && error.status === 409;
  return (
    <ConfirmDialog title={`Revoke "${apiKey.name}"?`} confirmLabel="Revoke key" danger busy={busy} confirmDisabled={lastAdmin} onCancel={onClose} onConfirm={revoke}>
      <p>
        Anything using <code>{apiKey.prefix}</code> stops working at once
        {apiKey.kind === 'sdk' ? ': sites with this SDK key stop receiving experiments and sending events.' : '. Scripts and automation using it get 401 from then on.'}
      </p>
      {lastAdmin ? (
        <div className="state state-error" role="alert">
          <p>
            <strong>This is the last active admin key.</strong> Create another admin key first, so that someone can still manage Touchpoint.
          </p>
        </div>
      ) : (
        error !== null && <ErrorState error={error} title="Not revoked" />
      )}
    </ConfirmDialog>
  );
}
