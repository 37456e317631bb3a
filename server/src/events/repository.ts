import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/schema.js';
import { type EventRow, type ExperimentRef, type ExposureRow, sortEventRows, sortExposureRows } from './classify.js';

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

/**
 * Writes the valid items of one batch atomically, in ONE statement (one round trip, its own
 * transaction), each table written by one multi-row insert fed by a JSON parameter (`jsonb_to_recordset`:
 * one native JSON.stringify instead of escaping hundreds of array elements in JS):
 * 1. events, `on conflict (event_id) do nothing`: a retried event is a duplicate;
 * 2. exposure item ids into `exposure_items`, `on conflict do nothing`: only new ids go on;
 * 3. exposures from the new items, one row per (experiment, unit): the earliest exposure of the batch,
 *    flagged when the batch shows the unit in several variants; against a stored row the first stored
 *    exposure wins and a different variant sets `multiple_variants = true`.
 * Rows are inserted in one fixed order (event ids; exposure item ids; experiment then unit) so that
 * concurrent batches take their locks in the same order and cannot deadlock.
 */
export async function storeBatch(db: Db, batch: { events: EventRow[]; exposures: ExposureRow[] }, receivedAt: Date): Promise<StoreResult> {
  const events = sortEventRows([...batch.events]);
  const exposures = sortExposureRows([...batch.exposures]);
  if (events.length === 0 && exposures.length === 0) return { accepted: 0, duplicates: 0 };
  const { rows } = await sql<{ events: number; exposures: number }>`
    with event_in as (
      select * from jsonb_to_recordset(${JSON.stringify(events.map((e, ord) => ({ event_id: e.eventId, unit_id: e.unitId, name: e.name, value: e.value, occurred_at: e.occurredAt.toISOString(), attributes: e.attributes, ord })))}::jsonb)
        as t(event_id text, unit_id text, name text, value float8, occurred_at timestamptz, attributes jsonb, ord int)
    ), new_events as (
      insert into events (event_id, unit_id, name, value, occurred_at, received_at, attributes)
      select event_id, unit_id, name, value, occurred_at, ${receivedAt.toISOString()}::timestamptz, attributes from event_in order by ord
      on conflict (event_id) do nothing
      returning 1
    ), exposure_in as (
      select * from jsonb_to_recordset(${JSON.stringify(exposures.map((e, ord) => ({ item_id: e.itemId, experiment_id: e.experimentId, unit_id: e.unitId, variant_index: e.variantIndex, exposed_at: e.exposedAt.toISOString(), attributes: e.attributes, ord })))}::jsonb)
        as t(item_id text, experiment_id int, unit_id text, variant_index int, exposed_at timestamptz, attributes jsonb, ord int)
    ), new_items as (
      insert into exposure_items (item_id, received_at)
      select item_id, ${receivedAt.toISOString()}::timestamptz from exposure_in order by item_id collate "C"
      on conflict (item_id) do nothing
      returning item_id
    ), fresh as (
      select x.*, min(x.variant_index) over unit <> max(x.variant_index) over unit as multiple_variants
      from exposure_in x join new_items using (item_id)
      window unit as (partition by x.experiment_id, x.unit_id)
    ), first_per_unit as (
      select distinct on (experiment_id, unit_id) * from fresh order by experiment_id, unit_id, ord
    ), upserted as (
      insert into exposures (experiment_id, unit_id, variant_index, first_item_id, exposed_at, received_at, attributes, multiple_variants)
      select experiment_id, unit_id, variant_index, item_id, exposed_at, ${receivedAt.toISOString()}::timestamptz, attributes, multiple_variants
      from first_per_unit order by ord
      on conflict (experiment_id, unit_id) do update set multiple_variants = true
        -- only when something changes: a repeat in the same variant writes nothing
        where not exposures.multiple_variants
          and (exposures.variant_index <> excluded.variant_index or excluded.multiple_variants)
      returning 1
    )
    select (select count(*) from new_events)::int as events, (select count(*) from new_items)::int as exposures,
           (select count(*) from upserted)::int as upserted
  `.execute(db);
  const accepted = rows[0]!.events + rows[0]!.exposures;
  return { accepted, duplicates: events.length + exposures.length - accepted };
}

/** Forgets exposure item ids older than `before`; their retries are refused by timestamp anyway. */
export async function pruneExposureItems(db: Db, before: Date): Promise<number> {
  const result = await db.deleteFrom('exposure_items').where('received_at', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}
