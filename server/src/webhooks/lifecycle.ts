import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { WebhookEventType } from './events.js';
import { enqueueWebhookEvent } from './outbox.js';

const EVENT_OF = { start: 'experiment.started', pause: 'experiment.paused', stop: 'experiment.stopped' } as const satisfies Record<string, WebhookEventType>;

/**
 * Puts a lifecycle change in the webhook outbox; called by the transition itself (experiments/update.ts),
 * inside its transaction, so a change that commits is always announced and one that fails never is.
 */
export async function announceLifecycle(
  trx: Kysely<Database>,
  action: keyof typeof EVENT_OF,
  experiment: { key: string; name: string; status: string },
  status: string,
  now: Date,
  extra: Record<string, unknown> = {},
): Promise<void> {
  await enqueueWebhookEvent(trx, EVENT_OF[action], { experiment: { key: experiment.key, name: experiment.name, status }, previousStatus: experiment.status, ...extra }, now);
}

/** The shipped winner is no longer served (POST …/rollout/end), in the transaction that ends it. */
export async function announceRolloutEnded(
  trx: Kysely<Database>,
  experiment: { key: string; name: string; status: string; rollout: { variantKey: string; since: string } | null },
  now: Date,
): Promise<void> {
  await enqueueWebhookEvent(trx, 'experiment.rollout_ended', { experiment: { key: experiment.key, name: experiment.name, status: experiment.status }, rollout: experiment.rollout }, now);
}
