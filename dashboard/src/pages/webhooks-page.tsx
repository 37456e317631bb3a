import { useState } from 'react';
import { useApi } from '../app/api-context.js';
import { useAction } from '../app/use-action.js';
import { useFormSubmit } from '../app/use-form-submit.js';
import { useResource } from '../app/use-resource.js';
import { WEBHOOK_EVENTS, type Webhook, type WebhookDelivery, type WebhookEvent } from '../api/types.js';
import { ConfirmDialog } from '../components/dialog.js';
import { Field } from '../components/field.js';
import { formatDateTime } from '../components/format.js';
import { ResourceTable } from '../components/resource-table.js';
import { ShownOnce } from '../components/shown-once.js';
import { ErrorState, FieldMessages } from '../components/states.js';

/** Plain-language names of the events (the API's names are shown next to them for integrators). */
export const EVENT_LABEL: Record<WebhookEvent, string> = {
  'experiment.started': 'Experiment started (or resumed)',
  'experiment.paused': 'Experiment paused',
  'experiment.stopped': 'Experiment stopped',
  'experiment.decision_changed': 'Decision changed',
  'experiment.srm_detected': 'Sample-ratio mismatch detected',
  'experiment.guardrail_harmed': 'Guardrail harmed',
  'experiment.rollout_ended': 'Rollout of a shipped winner ended',
};

const DELIVERY_STATUS: Record<WebhookDelivery['status'], string> = { pending: 'Retrying', delivered: 'Delivered', failed: 'Failed (gave up after 24 h)' };

/** Webhooks: list (never secrets), create (the signing secret is shown once), recent deliveries, delete. */
export function WebhooksPage() {
  const api = useApi();
  const hooks = useResource((signal) => api.listWebhooks(signal), [api]);
  const [created, setCreated] = useState<(Webhook & { secret: string }) | null>(null);
  const [deleting, setDeleting] = useState<Webhook | null>(null);
  const [open, setOpen] = useState<string | null>(null);

  return (
    <section className="page" aria-labelledby="webhooks-title">
      <h1 id="webhooks-title">Webhooks</h1>
      <p className="lead">
        Tell Slack or your own systems when an experiment starts, pauses or stops, when its decision changes, when its traffic split breaks (sample-ratio
        mismatch) or a guardrail is harmed. Each delivery is signed with the webhook&apos;s secret and retried for 24 hours until it is accepted.
      </p>
      {created && <RevealedSecret created={created} onDone={() => setCreated(null)} />}
      <CreateWebhookForm
        onCreated={(hook) => {
          setCreated(hook);
          hooks.reload();
        }}
      />
      <section className="card" aria-labelledby="webhooks-list-title">
        <h2 id="webhooks-list-title">Webhooks</h2>
        <ResourceTable
          resource={hooks}
          loading="Loading webhooks…"
          failed="Could not load the webhooks"
          empty={<p>No webhooks yet.</p>}
          caption="Webhooks"
          head={
            <>
              <th scope="col">Address</th>
              <th scope="col">Events</th>
              <th scope="col">Format</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </>
          }
        >
          {(items) =>
            items.map((hook) => (
              <tr key={hook.id}>
                <th scope="row" data-label="Address">
                  <span className="mono small">{hook.url}</span>
                  <div className="muted small">created {formatDateTime(hook.createdAt)}</div>
                </th>
                <td data-label="Events" className="small">
                  {hook.events.map((e) => EVENT_LABEL[e]).join(', ')}
                </td>
                <td data-label="Format">{hook.format === 'slack' ? 'Slack' : 'JSON'}</td>
                <td data-label="Actions">
                  <button
                    type="button"
                    className="button button-small"
                    aria-expanded={open === hook.id}
                    onClick={() => setOpen(open === hook.id ? null : hook.id)}
                    aria-label={`Recent deliveries to ${hook.url}`}
                  >
                    Deliveries
                  </button>{' '}
                  <button type="button" className="button button-danger button-small" onClick={() => setDeleting(hook)} aria-label={`Delete webhook ${hook.url}`}>
                    Delete
                  </button>
                </td>
              </tr>
            ))
          }
        </ResourceTable>
      </section>
      {open && hooks.state === 'ready' && hooks.data.some((h) => h.id === open) && <Deliveries webhook={hooks.data.find((h) => h.id === open)!} />}
      {deleting && (
        <DeleteDialog
          webhook={deleting}
          onClose={() => setDeleting(null)}
          onDeleted={() => {
            if (open === deleting.id) setOpen(null);
            setDeleting(null);
            hooks.reload();
          }}
        />
      )}
    </section>
  );
}

function Deliveries({ webhook }: { webhook: Webhook }) {
  const api = useApi();
  const deliveries = useResource((signal) => api.webhookDeliveries(webhook.id, signal), [api, webhook.id]);
  return (
    <section className="card" aria-labelledby="deliveries-title">
      <div className="section-head">
        <h2 id="deliveries-title">Recent deliveries to {webhook.url}</h2>
        <button type="button" className="button button-small" onClick={deliveries.reload}>
          Refresh
        </button>
      </div>
      <ResourceTable
        resource={deliveries}
        loading="Loading deliveries…"
        failed="Could not load the deliveries"
        empty={<p>Nothing sent yet: deliveries appear here when a subscribed event happens.</p>}
        caption="Recent deliveries"
        head={
          <>
            <th scope="col">Event</th>
            <th scope="col">Status</th>
            <th scope="col">Attempts</th>
            <th scope="col">Last answer</th>
          </>
        }
      >
        {(items) =>
          items.map((d) => (
            <tr key={d.id}>
              <th scope="row" data-label="Event">
                {EVENT_LABEL[d.type]}
                <div className="muted small">{formatDateTime(d.createdAt)}</div>
              </th>
              <td data-label="Status">
                {DELIVERY_STATUS[d.status]}
                {d.status === 'pending' && d.nextAttemptAt && <div className="muted small">next try {formatDateTime(d.nextAttemptAt)}</div>}
              </td>
              <td data-label="Attempts">{d.attempts}</td>
              <td data-label="Last answer" className="small">
                {d.attempts === 0 ? 'not tried yet' : d.lastStatusCode !== null ? `HTTP ${d.lastStatusCode}` : (d.lastError ?? '—')}
              </td>
            </tr>
          ))
        }
      </ResourceTable>
    </section>
  );
}

function DeleteDialog({ webhook, onClose, onDeleted }: { webhook: Webhook; onClose: () => void; onDeleted: () => void }) {
  const api = useApi();
  const { busy, error, run: remove } = useAction(() => api.deleteWebhook(webhook.id), onDeleted);
  return (
    <ConfirmDialog title="Delete this webhook?" confirmLabel="Delete webhook" danger busy={busy} onCancel={onClose} onConfirm={remove}>
      <p>
        <code>{webhook.url}</code> receives nothing more; its pending deliveries and its delivery log are deleted with it.
      </p>
      {error !== null && <ErrorState error={error} title="Not deleted" />}
    </ConfirmDialog>
  );
}

function RevealedSecret({ created, onDone }: { created: Webhook & { secret: string }; onDone: () => void }) {
  return (
    <ShownOnce titleId="webhook-secret-title" title="Copy the signing secret now" value={created.secret} valueLabel="Signing secret" copyLabel="Copy secret" onDone={onDone}>
      Your receiver uses it to check the <code>Touchpoint-Signature</code> header of each delivery (see the README). If you lose it, delete the webhook and
      create another.
    </ShownOnce>
  );
}

function CreateWebhookForm({ onCreated }: { onCreated: (hook: Webhook & { secret: string }) => void }) {
  const api = useApi();
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<WebhookEvent[]>([...WEBHOOK_EVENTS]);
  const [format, setFormat] = useState<'json' | 'slack'>('json');
  const { tried, busy, error, server, otherError, submit } = useFormSubmit(
    () => Boolean(url.trim()) && events.length > 0,
    async () => {
      // Keep the API's order whatever order the boxes were ticked in.
      onCreated(await api.createWebhook({ url: url.trim(), events: WEBHOOK_EVENTS.filter((e) => events.includes(e)), format }));
      setUrl('');
    },
  );
  const eventErrors = [...(tried && events.length === 0 ? ['Choose at least one event.'] : []), ...server('events')];

  return (
    <form className="card" onSubmit={submit} noValidate aria-labelledby="create-webhook-title">
      <h2 id="create-webhook-title">Add a webhook</h2>
      <Field
        id="webhook-url"
        label="Address"
        hint="Where Touchpoint POSTs each event, e.g. https://hooks.slack.com/services/… Addresses on this machine or a private network are refused unless the server allows them."
        errors={[...(tried && !url.trim() ? ['Required.'] : []), ...server('url')]}
      >
        {(p) => <input {...p} type="url" className="mono" spellCheck={false} value={url} onChange={(e) => setUrl(e.target.value)} />}
      </Field>
      <fieldset className="checks" aria-describedby={eventErrors.length ? 'webhook-events-errors' : undefined}>
        <legend>Events</legend>
        {WEBHOOK_EVENTS.map((e) => (
          <div className="field-inline" key={e}>
            <input
              id={`event-${e}`}
              type="checkbox"
              checked={events.includes(e)}
              onChange={(change) => setEvents(change.target.checked ? [...events, e] : events.filter((x) => x !== e))}
            />
            <label htmlFor={`event-${e}`}>
              {EVENT_LABEL[e]} <span className="muted small mono">{e}</span>
            </label>
          </div>
        ))}
        <FieldMessages id="webhook-events-errors" messages={eventErrors} />
      </fieldset>
      <fieldset className="checks inline">
        <legend>Format</legend>
        <div className="field-inline">
          <input id="format-json" type="radio" name="format" checked={format === 'json'} onChange={() => setFormat('json')} />
          <label htmlFor="format-json">JSON (for your own service)</label>
        </div>
        <div className="field-inline">
          <input id="format-slack" type="radio" name="format" checked={format === 'slack'} onChange={() => setFormat('slack')} />
          <label htmlFor="format-slack">Slack message (a Slack incoming-webhook address)</label>
        </div>
      </fieldset>
      {otherError && <ErrorState error={error} title="Not created" />}
      <button type="submit" className="button button-primary" disabled={busy}>
        {busy ? 'Adding…' : 'Add webhook'}
      </button>
    </form>
  );
}
