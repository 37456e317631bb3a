import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { type CollapsedExposure, type EventRow, type ExperimentRef, type ExposureRow, collapseExposures, sortEventRows } from './classify.js';

type Db = Kysely<Database>;

/** The experiments named by a batch, with their variant keys in position order: one query. */
export async function loadExperimentRefs(db: Db, keys: readonly string[]): Promise<Map<string, ExperimentRef>> {
  const refs = new Map<string, ExperimentRef>();
  if (keys.length === 0) return refs;
  const rows = await db
    .selectFrom('experiments')
    .innerJoin('variants', 'variants.experiment_id', 'experiments.id')
    .select(['experiments.id', 'experiments.key', 'experiments.status', 'experiments.archived_at', 'variants.key as variant_key', 'variants.position'])
    .where('experiments.key', 'in', [...new Set(keys)])
    .orderBy('experiments.id')
    .orderBy('variants.position')
    .execute();
  for (const row of rows) {
    let ref = refs.get(row.key);
    if (!ref) refs.set(row.key, (ref = { id: row.id, key: row.key, status: row.status, archived: row.archived_at !== null, variants: [] }));
    (ref.variants as string[])[row.position] = row.variant_key;
  }
  return refs;
}

export interface StoreResult {
  /** Items newly stored (or, for a later exposure of a known unit, newly taken into account). */
  accepted: number;
  /** Items whose id was already stored by an earlier batch. */
  duplicates: number;
}

const json = (value: Record<string, unknown> | null) => (value === null ? null : JSON.stringify(value));
const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Writes the valid items of one batch in ONE transaction, three multi-row statements at most:
 * 1. events, `on conflict (event_id) do nothing` — a retried event is a duplicate;
 * 2. exposure item ids into `exposure_items`, `on conflict do nothing` — only new ids go on;
 * 3. exposures, one row per (experiment, unit): the first stored exposure wins; a unit seen in another
 *    variant (in this batch or against the stored row) gets `multiple_variants = true`.
 * Rows are written in a fixed order (ids; experiment then unit) so concurrent batches cannot deadlock.
 */
export async function storeBatch(db: Db, batch: { events: EventRow[]; exposures: ExposureRow[] }, receivedAt: Date): Promise<StoreResult> {
  if (batch.events.length === 0 && batch.exposures.length === 0) return { accepted: 0, duplicates: 0 };
  return db.transaction().execute(async (trx) => {
    let accepted = 0;
    if (batch.events.length > 0) {
      const inserted = await trx
        .insertInto('events')
        .values(
          sortEventRows(batch.events).map((e) => ({
            event_id: e.eventId,
            unit_id: e.unitId,
            name: e.name,
            value: e.value,
            occurred_at: e.occurredAt,
            received_at: receivedAt,
            attributes: json(e.attributes),
          })),
        )
        .onConflict((oc) => oc.column('event_id').doNothing())
        .returning('event_id')
        .execute();
      accepted += inserted.length;
    }
    if (batch.exposures.length > 0) {
      const ids = batch.exposures.map((e) => e.itemId).sort(byCodeUnits);
      const fresh = await trx
        .insertInto('exposure_items')
        .values(ids.map((item_id) => ({ item_id, received_at: receivedAt })))
        .onConflict((oc) => oc.column('item_id').doNothing())
        .returning('item_id')
        .execute();
      const freshIds = new Set(fresh.map((r) => r.item_id));
      const rows = collapseExposures(batch.exposures.filter((e) => freshIds.has(e.itemId)));
      if (rows.length > 0) await upsertExposures(trx, rows, receivedAt);
      accepted += freshIds.size;
    }
    return { accepted, duplicates: batch.events.length + batch.exposures.length - accepted };
  });
}

async function upsertExposures(db: Db, rows: CollapsedExposure[], receivedAt: Date): Promise<void> {
  await db
    .insertInto('exposures')
    .values(
      rows.map((r) => ({
        experiment_id: r.experimentId,
        unit_id: r.unitId,
        variant_index: r.variantIndex,
        first_item_id: r.itemId,
        exposed_at: r.exposedAt,
        received_at: receivedAt,
        attributes: json(r.attributes),
        multiple_variants: r.multipleVariants,
      })),
    )
    .onConflict((oc) =>
      oc
        .columns(['experiment_id', 'unit_id'])
        .doUpdateSet({ multiple_variants: true })
        // Only when something changes: a repeat in the same variant writes nothing.
        .where('exposures.multiple_variants', '=', false)
        .where((eb) => eb.or([eb('exposures.variant_index', '<>', eb.ref('excluded.variant_index')), eb('excluded.multiple_variants', '=', true)])),
    )
    .execute();
}

/** Forgets exposure item ids older than `before`; their retries are refused by timestamp anyway. */
export async function pruneExposureItems(db: Db, before: Date): Promise<number> {
  const result = await db.deleteFrom('exposure_items').where('received_at', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}
