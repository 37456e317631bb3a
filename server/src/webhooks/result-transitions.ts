import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { WebhookEventType } from './events.js';
import { enqueueWebhookEvent } from './outbox.js';

/** What was last notified for an experiment (table webhook_notified_state). */
export interface NotifiedState {
  srmMismatch: boolean;
  /** Guardrails harmed, as `metric:variant`. */
  harmed: string[];
  decisionStatus: string | null;
}

/** The parts of a results document the transitions read; `decision` may be absent (older documents). */
export interface TransitionInput {
  srm: { mismatch: boolean; pValue: number | null; chiSquare: number | null };
  metrics: { key: string; role: string; variants: { key: string; comparison?: { guardrail?: { status: string; margin: number; pValue: number | null } } }[] }[];
  decision?: { status?: string; recommendedVariant?: string | null; reasons?: string[] } | null;
}

export const NOTHING_NOTIFIED: NotifiedState = { srmMismatch: false, harmed: [], decisionStatus: null };

/**
 * Compares the new results with what was last notified (pure). An event fires on a transition only:
 * SRM false → true; a guardrail (metric × variant) becoming harmed; the decision status changing. A
 * state that goes away is forgotten, so it fires again if it comes back. The first decision seen
 * fires only when it is not `collecting` (every experiment starts there; that is no news).
 */
export function resultTransitions(previous: NotifiedState, results: TransitionInput): { next: NotifiedState; events: { type: WebhookEventType; data: Record<string, unknown> }[] } {
  const events: { type: WebhookEventType; data: Record<string, unknown> }[] = [];
  const srmMismatch = results.srm.mismatch;
  if (srmMismatch && !previous.srmMismatch) {
    events.push({ type: 'experiment.srm_detected', data: { pValue: results.srm.pValue, chiSquare: results.srm.chiSquare } });
  }
  const harmed: string[] = [];
  for (const metric of results.metrics) {
    if (metric.role !== 'guardrail') continue;
    for (const variant of metric.variants) {
      const guardrail = variant.comparison?.guardrail;
      if (guardrail?.status !== 'harmed') continue;
      const id = `${metric.key}:${variant.key}`;
      harmed.push(id);
      if (!previous.harmed.includes(id)) {
        events.push({ type: 'experiment.guardrail_harmed', data: { metric: metric.key, variant: variant.key, margin: guardrail.margin, pValue: guardrail.pValue } });
      }
    }
  }
  const status = results.decision?.status ?? null;
  let decisionStatus = previous.decisionStatus;
  if (status !== null && status !== previous.decisionStatus) {
    if (previous.decisionStatus !== null || status !== 'collecting') {
      events.push({
        type: 'experiment.decision_changed',
        data: { status, previousStatus: previous.decisionStatus, recommendedVariant: results.decision?.recommendedVariant ?? null, reasons: results.decision?.reasons ?? [] },
      });
    }
    decisionStatus = status;
  }
  return { next: { srmMismatch, harmed, decisionStatus }, events };
}

/**
 * Called after each refresh of an experiment's default results: compares, enqueues the events and
 * stores the new state in one transaction (the state row locked), so two refreshes at once cannot
 * both announce the same transition. Only a running experiment's results announce anything.
 */
export async function announceResultTransitions(
  db: Kysely<Database>,
  experiment: { id: number; key: string; name: string; status: string },
  results: TransitionInput,
  now: Date,
): Promise<void> {
  if (experiment.status !== 'running') return;
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('webhook_notified_state')
      .values({ experiment_id: experiment.id, srm_mismatch: false, harmed: JSON.stringify([]), decision_status: null, updated_at: now })
      .onConflict((oc) => oc.column('experiment_id').doNothing())
      .execute();
    const row = await trx.selectFrom('webhook_notified_state').selectAll().where('experiment_id', '=', experiment.id).forUpdate().executeTakeFirstOrThrow();
    const previous: NotifiedState = { srmMismatch: row.srm_mismatch, harmed: row.harmed, decisionStatus: row.decision_status };
    const { next, events } = resultTransitions(previous, results);
    const unchanged = next.srmMismatch === previous.srmMismatch && next.decisionStatus === previous.decisionStatus && next.harmed.join() === previous.harmed.join();
    if (unchanged) return;
    for (const event of events) {
      await enqueueWebhookEvent(trx, event.type, { experiment: { key: experiment.key, name: experiment.name, status: experiment.status }, ...event.data }, now);
    }
    await trx
      .updateTable('webhook_notified_state')
      .set({ srm_mismatch: next.srmMismatch, harmed: JSON.stringify(next.harmed), decision_status: next.decisionStatus, updated_at: now })
      .where('experiment_id', '=', experiment.id)
      .execute();
  });
}
