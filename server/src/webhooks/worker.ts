/**
 * The delivery worker: sends the outbox's due deliveries, logs every attempt, retries failures with
 * backoff for 24 h (backoff.ts). It runs as a background job on one instance at a time (the leader lock,
 * db/leader-lock.ts), and claims rows with FOR UPDATE SKIP LOCKED anyway, so two workers (a lock
 * handover mid-tick) never send the same delivery at once.
 *
 * A claim moves the row's `next_attempt_at` a lease ahead instead of holding a transaction open during
 * the HTTP call: if the process dies mid-send, the row becomes due again when the lease ends and is
 * sent again (at-least-once; receivers deduplicate by the event `id`). Nothing is lost on a restart
 * because nothing lives only in memory.
 */
import { sql, type Kysely } from 'kysely';
import type { Leadership } from '../db/leader-lock.js';
import type { Database } from '../db/schema.js';
import type { Logger } from '../http/logger.js';
import { nextAttemptAt } from './backoff.js';
import { type SendOutcome, postOnce } from './sender.js';
import { signatureHeader } from './signature.js';
import { webhookAttempts } from '../telemetry/metrics.js';

export interface WorkerDeps {
  db: Kysely<Database>;
  logger: Logger;
  /** Injected so tests move time for the backoff without waiting. */
  now: () => Date;
  allowPrivate: boolean;
  /** Deadline of one HTTP attempt; default 10 s. */
  timeoutMs?: number;
  /** Deliveries claimed per pass; default 20. */
  batch?: number;
}

/** Longest error text kept in the log (a receiver's message may be long). */
const MAX_ERROR = 500;

/** One pass: claims the due deliveries, sends them in parallel, records each outcome. Returns how many were attempted. */
export async function deliverDueWebhooks(deps: WorkerDeps): Promise<number> {
  const timeoutMs = deps.timeoutMs ?? 10_000;
  const now = deps.now();
  // Long enough for a whole batch sent one after the other to one slow receiver.
  const lease = new Date(now.getTime() + timeoutMs * (deps.batch ?? 20) + 60_000);
  const claimed = await deps.db.transaction().execute(async (trx) => {
    const due = await trx
      .selectFrom('webhook_deliveries')
      .select('id')
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', now)
      .orderBy('next_attempt_at')
      .orderBy('id')
      .limit(deps.batch ?? 20)
      .forUpdate()
      .skipLocked()
      .execute();
    if (due.length === 0) return [];
    return trx
      .updateTable('webhook_deliveries as d')
      .from('webhooks as w')
      .set({ next_attempt_at: lease })
      .whereRef('w.id', '=', 'd.webhook_id')
      .where('d.id', 'in', due.map((row) => row.id))
      .returning(['d.id', 'd.webhook_id', 'd.body', 'd.attempts', 'd.created_at', 'w.url', 'w.secret'])
      .execute();
  });
  // Receivers in parallel; one receiver's deliveries one after the other, oldest first, so a healthy
  // receiver gets them in the order they happened (retries can still reorder: see README).
  const byWebhook = new Map<string, typeof claimed>();
  for (const delivery of [...claimed].sort((a, b) => Number(a.id) - Number(b.id))) {
    byWebhook.set(delivery.webhook_id, [...(byWebhook.get(delivery.webhook_id) ?? []), delivery]);
  }
  await Promise.all(
    [...byWebhook.values()].map(async (deliveries) => {
      for (const [index, delivery] of deliveries.entries()) {
        const attemptedAt = deps.now();
        const started = performance.now();
        const signature = signatureHeader(delivery.secret, Math.floor(attemptedAt.getTime() / 1000), delivery.body);
        const outcome: SendOutcome = await postOnce(delivery.url, delivery.body, { 'Touchpoint-Signature': signature }, { timeoutMs, allowPrivate: deps.allowPrivate });
        const retryAt = await recordAttempt(deps, delivery, attemptedAt, outcome, Math.round(performance.now() - started));
        if (outcome.statusCode === null && retryAt) {
          // Unreachable: the rest of this receiver's batch would only wait for the same timeout. It is
          // put back, unattempted (its attempt counts stay true), due with the failed one's retry.
          const rest = deliveries.slice(index + 1).map((d) => d.id);
          if (rest.length) await deps.db.updateTable('webhook_deliveries').set({ next_attempt_at: retryAt }).where('id', 'in', rest).where('status', '=', 'pending').execute();
          break;
        }
      }
    }),
  );
  return claimed.length;
}

async function recordAttempt(
  deps: WorkerDeps,
  delivery: { id: number; attempts: number; created_at: Date },
  attemptedAt: Date,
  outcome: SendOutcome,
  durationMs: number,
): Promise<Date | null> {
  const ok = outcome.statusCode !== null && outcome.statusCode >= 200 && outcome.statusCode < 300;
  const error = ok ? null : (outcome.error ?? `HTTP ${outcome.statusCode}`).slice(0, MAX_ERROR);
  const attempts = delivery.attempts + 1;
  const retryAt = ok ? null : nextAttemptAt(attempts, delivery.created_at, deps.now());
  await deps.db.transaction().execute(async (trx) => {
    // The webhook may have been deleted (with its deliveries) while this attempt was in flight.
    const still = await trx.selectFrom('webhook_deliveries').select('id').where('id', '=', delivery.id).forUpdate().executeTakeFirst();
    if (!still) return;
    await trx.insertInto('webhook_attempts').values({ delivery_id: delivery.id, attempted_at: attemptedAt, status_code: outcome.statusCode, error, duration_ms: durationMs }).execute();
    await trx
      .updateTable('webhook_deliveries')
      .set({
        attempts,
        last_status_code: outcome.statusCode,
        last_error: error,
        ...(ok ? { status: 'delivered', delivered_at: deps.now() } : retryAt ? { next_attempt_at: retryAt } : { status: 'failed' }),
      })
      .where('id', '=', delivery.id)
      .execute();
  });
  webhookAttempts.inc({ outcome: ok ? 'delivered' : retryAt ? 'retry' : 'failed' });
  if (!ok) deps.logger.info('webhook delivery failed', { delivery: delivery.id, attempts, statusCode: outcome.statusCode, willRetry: Boolean(retryAt) });
  return retryAt;
}

/** Pending deliveries (the outbox's depth), for tests and monitoring. */
export async function pendingDeliveries(db: Kysely<Database>): Promise<number> {
  const row = await db.selectFrom('webhook_deliveries').select(sql<number>`count(*)::int`.as('n')).where('status', '=', 'pending').executeTakeFirstOrThrow();
  return row.n;
}

/**
 * Starts the worker's timer (default every 5 s); returns `stop`, which waits for a pass in progress and
 * gives up the leader lock. Passes never overlap; the timer does not keep the process alive.
 */
export function startWebhookWorker(deps: WorkerDeps, options: { intervalMs?: number; leadership?: Leadership } = {}): () => Promise<void> {
  let pass: Promise<void> | undefined;
  const timer = setInterval(() => {
    if (pass) return;
    pass = (async () => {
      if (options.leadership && !(await options.leadership.acquire())) return;
      // A full batch means more may be due: keep going within this pass.
      while ((await deliverDueWebhooks(deps)) === (deps.batch ?? 20));
    })()
      .catch((error: unknown) => deps.logger.warn('webhook worker pass failed', { error: String(error) }))
      .finally(() => {
        pass = undefined;
      });
  }, options.intervalMs ?? 5_000);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await pass;
    await options.leadership?.release();
  };
}
