import { Hono } from 'hono';
import { access } from '../access/declare.js';
import type { AppDeps, AppEnv } from '../http/context.js';
import { readJson } from '../http/validate.js';
import type { Operation } from '../openapi/registry.js';
import { ingestedItems } from '../telemetry/metrics.js';
import { parseItems, resolveExposures, toAliasRows, toEventRows } from './classify.js';
import type { ExperimentLookup } from './classify.js';
import type { IngestWriter } from './writer.js';
import { type IngestResponse, batchDocumentSchema, batchSchema, ingestResponseSchema } from './schemas.js';

/**
 * POST /sdk/events (mounted under the SDK sub-app, which authenticates and checks the origin).
 * Whole-batch problems (not JSON, not `{ items }`, too many items, too large) answer 4xx and write
 * nothing; item problems reject that item only. 202 is sent after the commit, never before: if the
 * database fails, the app's error handler answers 503 with Retry-After and the SDK retries the same ids.
 * Concurrent requests are written together (write-coalescer.ts), each still answered after its commit.
 */
export function eventRoutes(deps: AppDeps, { store, lookupExperiments }: { store: IngestWriter; lookupExperiments: ExperimentLookup }) {
  return new Hono<AppEnv>().post('/', access('sdk'), async (c) => {
    // sendBeacon cannot set headers: its body arrives as text/plain.
    const { items } = await readJson(c, batchSchema, { acceptTextPlain: true });
    const receivedAt = deps.now();
    const parsed = parseItems(items, receivedAt);
    const experiments = await lookupExperiments(parsed.exposures.map((e) => e.item.experimentKey));
    const exposures = resolveExposures(parsed.exposures, experiments);
    const stored = await store({ events: toEventRows(parsed.events), exposures: exposures.rows, aliases: toAliasRows(parsed.identities), receivedAt });
    const body: IngestResponse = {
      accepted: stored.accepted,
      duplicates: stored.duplicates + parsed.duplicates,
      rejected: [...parsed.rejected, ...exposures.rejected].sort((a, b) => a.index - b.index),
    };
    countIngested(body.accepted, body.duplicates, body.rejected.length);
    return c.json(body, 202);
  });
}

/** touchpoint_ingested_items_total, by outcome (also for the exposures /sdk/assign logs). */
export function countIngested(accepted: number, duplicates: number, rejected: number): void {
  if (accepted) ingestedItems.inc({ outcome: 'accepted' }, accepted);
  if (duplicates) ingestedItems.inc({ outcome: 'duplicate' }, duplicates);
  if (rejected) ingestedItems.inc({ outcome: 'rejected' }, rejected);
}

export const eventOperation: Operation = {
  method: 'post',
  path: '/sdk/events',
  summary: 'Batch of exposures, events and identify links (≤ 1,000 items, ≤ 1 MiB); 202 after commit, idempotent by item id',
  tag: 'sdk',
  auth: 'sdk',
  body: batchDocumentSchema,
  // A beacon (navigator.sendBeacon) cannot send application/json without a preflight: the same JSON as text/plain.
  alsoAccepts: ['text/plain'],
  response: ingestResponseSchema,
  status: 202,
};
