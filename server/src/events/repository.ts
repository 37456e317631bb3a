import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/schema.js';
import { lockAliases, storeAliases } from './alias-repository.js';
import { type AliasRow, type EventRow, type ExperimentRef, type ExposureRow, compareEventRows, compareExposureRows } from './classify.js';

type Db = Kysely<Database>;

/**
 * The experiments named by a batch (every experiment when `keys` is absent: the in-process view,
 * live/catalog.ts), with their variant keys in position order: one query.
 */
export async function loadExperimentRefs(db: Db, keys?: readonly string[]): Promise<Map<string, ExperimentRef>> {
  const refs = new Map<string, ExperimentRef>();
  if (keys?.length === 0) return refs;
  let query = db
    .selectFrom('experiments')
    .innerJoin('variants', 'variants.experiment_id', 'experiments.id')
    .select(['experiments.id', 'experiments.key', 'experiments.status', 'experiments.archived_at', 'experiments.rollout_variant_key', 'variants.key as variant_key', 'variants.position']);
  if (keys) query = query.where('experiments.key', 'in', [...new Set(keys)]);
  const rows = await query
    .orderBy('experiments.id')
    .orderBy('variants.position')
    .execute();
  for (const row of rows) {
    let ref = refs.get(row.key);
    if (!ref) {
      ref = { id: row.id, key: row.key, status: row.status, archived: row.archived_at !== null, ...(row.rollout_variant_key !== null && { rollout: true }), variants: [] };
      refs.set(row.key, ref);
    }
    (ref.variants as string[])[row.position] = row.variant_key;
  }
  return refs;
}

export interface StoreResult {
  /** Items taken in: new events, and exposures other than a retry of the unit's stored first exposure. */
  accepted: number;
  /** Items already stored: an event id, or the id of the exposure stored as the unit's first. */
  duplicates: number;
}

/** The valid items of one request, with the time it was received. */
export interface BatchPart {
  events: EventRow[];
  exposures: ExposureRow[];
  /** Identity links (`identify` items); absent = none. */
  aliases?: AliasRow[];
  receivedAt: Date;
}

/**
 * Writes the valid items of one or more requests atomically, in ONE statement (one round trip, one
 * transaction, one commit), and returns each request's counts. The statement calls the PL/pgSQL
 * function `touchpoint_store_batch` (migrations/0009), whose plan PostgreSQL keeps per connection.
 * Each table is written by one multi-row insert fed by a JSON parameter (`jsonb_to_recordset`: one
 * native JSON.stringify instead of escaping hundreds of array elements in JS):
 * 1. events, `on conflict (event_id) do nothing`: a retried event is a duplicate;
 * 2. exposures, one row per (experiment, unit): the earliest exposure written together, flagged when
 *    they show the unit in several variants; against a stored row the first stored exposure wins and a
 *    different variant sets `multiple_variants = true`.
 * Exposure retries need no table of item ids (migrations/0007): a retried first exposure finds its own
 * id in `exposures.first_item_id` and counts as a duplicate; a repeated later exposure changes nothing
 * (the flag is already set, or the variant is the same), so it is simply accepted again.
 * An id carried by two of the requests counts for the first one and is a duplicate in the later.
 * Rows are inserted in one fixed order (event ids; experiment then unit) so that concurrent writers
 * take their locks in the same order and cannot deadlock.
 * Identity links (rare: one per sign-in) are written after that statement in the same transaction
 * (alias-repository.ts); a batch without any keeps the single statement.
 */
export async function storeBatches(db: Db, parts: readonly BatchPart[]): Promise<StoreResult[]> {
  const results: StoreResult[] = parts.map(() => ({ accepted: 0, duplicates: 0 }));
  const seenEvents = new Set<string>();
  const seenItems = new Set<string>();
  const events: Array<{ row: EventRow; part: number }> = [];
  const exposures: Array<{ row: ExposureRow; part: number }> = [];
  const aliases: Array<{ row: AliasRow; part: number }> = [];
  parts.forEach((batch, part) => {
    for (const row of batch.aliases ?? []) {
      if (seenItems.has(row.itemId)) results[part]!.duplicates++;
      else {
        seenItems.add(row.itemId);
        aliases.push({ row, part });
      }
    }
    for (const row of batch.events) {
      if (seenEvents.has(row.eventId)) results[part]!.duplicates++;
      else {
        seenEvents.add(row.eventId);
        events.push({ row, part });
      }
    }
    for (const row of batch.exposures) {
      if (seenItems.has(row.itemId)) results[part]!.duplicates++;
      else {
        seenItems.add(row.itemId);
        exposures.push({ row, part });
      }
    }
  });
  if (events.length === 0 && exposures.length === 0 && aliases.length === 0) return results;
  events.sort((a, b) => compareEventRows(a.row, b.row));
  exposures.sort((a, b) => compareExposureRows(a.row, b.row));
  // Short JSON keys: this text is built, sent and parsed for every item ingested.
  const receivedAt = parts.map((batch) => batch.receivedAt.toISOString());
  const eventJson = JSON.stringify(events.map(({ row, part }, ord) => ({
    id: row.eventId, u: row.unitId, n: row.name, v: row.value, t: row.occurredAt.toISOString(), r: receivedAt[part], a: row.attributes, p: part, o: ord,
  })));
  const exposureJson = JSON.stringify(exposures.map(({ row, part }, ord) => ({
    id: row.itemId, x: row.experimentId, u: row.unitId, vi: row.variantIndex, t: row.exposedAt.toISOString(), r: receivedAt[part], a: row.attributes, p: part, o: ord,
  })));
  // One statement, one transaction: migrations/0009_store_batch_function.ts holds the SQL.
  const storeItems = (executor: Db) => sql<{ kind: 'stored' | 'retried'; part: number | null; n: number }>`
    select kind, part, n from touchpoint_store_batch(${eventJson}::jsonb, ${exposureJson}::jsonb)`.execute(executor);
  const { rows } = aliases.length === 0
    ? await storeItems(db)
    : await db.transaction().execute(async (trx) => {
      const stored = events.length + exposures.length > 0 ? await storeItems(trx) : { rows: [] };
      await lockAliases(trx);
      const outcomes = await storeAliases(trx, aliases.map((a) => a.row), aliases.map((a) => parts[a.part]!.receivedAt));
      outcomes.forEach((outcome, i) => {
        if (outcome.duplicate) results[aliases[i]!.part]!.duplicates++;
      });
      return stored;
    });
  const sent = parts.map(() => ({ events: 0, stored: 0, retried: 0 }));
  for (const { part } of events) sent[part]!.events++;
  const storedTotal = rows.find((row) => row.kind === 'stored' && row.part === null)?.n ?? 0;
  // Every event new: each request stored all it sent (the per-request join did not run).
  if (storedTotal === events.length) for (const counts of sent) counts.stored = counts.events;
  for (const row of rows) if (row.part !== null) sent[row.part]![row.kind] = row.n;
  return results.map((result, i) => {
    const duplicates = result.duplicates + sent[i]!.events - sent[i]!.stored + sent[i]!.retried;
    const items = parts[i]!.events.length + parts[i]!.exposures.length + (parts[i]!.aliases?.length ?? 0);
    return { accepted: items - duplicates, duplicates };
  });
}
