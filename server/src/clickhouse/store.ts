/**
 * Writes and erasure of the ClickHouse event store, with the same outcomes as the PostgreSQL
 * statement (events/repository.ts storeBatches) for the traffic the SDK sends:
 * - an event id already stored is a duplicate and is not written again;
 * - every exposure item is kept; the unit's counted exposure is the first stored (within one write, the
 *   earliest: items are numbered in that order, write_seq), and a second variant sets the
 *   multiple-variants flag (derived when read, results-queries.ts);
 *   an exposure item id already stored is a duplicate.
 * ClickHouse has no transactions: the ids are looked up, then the new rows inserted. Two writers racing
 * on one event id (the same item delivered twice at once) can both insert it: ReplacingMergeTree folds
 * the copies at its next merge (migrations.ts).
 */
import type { ClickHouseSettings } from '@clickhouse/client';
import { compareExposureRows } from '../events/classify.js';
import type { BatchPart, StoreResult } from '../events/repository.js';
import { type ClickHouseStore, chSql, raw, selectEveryShard } from './connection.js';

/**
 * Orders writes: the first stored exposure wins, as in PostgreSQL. Milliseconds × 1000 + a counter;
 * `count` numbers are reserved, so that each item of a write has its own (the results take the item of
 * the lowest write_seq in one argMin, results-queries.ts).
 */
let lastSeq = 0;
export function nextWriteSeq(count = 1): number {
  const first = Math.max(lastSeq + 1, Date.now() * 1000);
  lastSeq = first + Math.max(1, count) - 1;
  return first;
}

const DAY_MS = 86_400_000;
const table = (store: ClickHouseStore, name: string) => (store.cluster ? `${name}_all` : name);

async function existing(store: ClickHouseStore, query: string, column: string): Promise<Set<string>> {
  const rows = await selectEveryShard<Record<string, string>>(store, query);
  return new Set(rows.map((r) => r[column]!));
}

export async function storeBatchesClickHouse(store: ClickHouseStore, parts: readonly BatchPart[]): Promise<StoreResult[]> {
  const results: StoreResult[] = parts.map(() => ({ accepted: 0, duplicates: 0 }));
  const events = parts.flatMap((part, i) => part.events.map((row) => ({ row, part: i })));
  const exposures = parts.flatMap((part, i) => part.exposures.map((row) => ({ row, part: i })));
  // Ids already stored, looked up by the sort keys' prefixes (unit id; experiment and unit id).
  const [storedEvents, storedItems] = await Promise.all([
    events.length
      ? existing(store, chSql`SELECT DISTINCT event_id FROM tp_events WHERE unit_id IN ${[...new Set(events.map((e) => e.row.unitId))]} AND event_id IN ${[...new Set(events.map((e) => e.row.eventId))]}`, 'event_id')
      : new Set<string>(),
    exposures.length
      ? existing(store, chSql`SELECT DISTINCT item_id FROM tp_exposure_items WHERE experiment_id IN ${[...new Set(exposures.map((x) => x.row.experimentId))]} AND unit_id IN ${[...new Set(exposures.map((x) => x.row.unitId))]} AND item_id IN ${[...new Set(exposures.map((x) => x.row.itemId))]}`, 'item_id')
      : new Set<string>(),
  ]);
  // Within a write, a unit's exposures in PostgreSQL's order (experiment, unit, time; stable): the
  // write's first counts there (storeBatches), and here gets the lowest write_seq.
  exposures.sort((a, b) => compareExposureRows(a.row, b.row));
  const seq = nextWriteSeq(exposures.length);
  const eventRows: Record<string, unknown>[] = [];
  const exposureRows: Record<string, unknown>[] = [];
  for (const { row, part } of events) {
    if (storedEvents.has(row.eventId)) {
      results[part]!.duplicates++;
      continue;
    }
    storedEvents.add(row.eventId); // a repeat later in this write is a duplicate too
    results[part]!.accepted++;
    eventRows.push({ unit_id: row.unitId, event_id: row.eventId, name: row.name, value: row.value, occurred_ms: row.occurredAt.getTime(), received_ms: parts[part]!.receivedAt.getTime(), attributes: row.attributes ? JSON.stringify(row.attributes) : '', write_seq: seq });
  }
  for (const { row, part } of exposures) {
    if (storedItems.has(row.itemId)) {
      results[part]!.duplicates++;
      continue;
    }
    storedItems.add(row.itemId);
    results[part]!.accepted++;
    exposureRows.push({ experiment_id: row.experimentId, unit_id: row.unitId, item_id: row.itemId, variant_index: row.variantIndex, exposed_ms: row.exposedAt.getTime(), received_ms: parts[part]!.receivedAt.getTime(), attributes: row.attributes ? JSON.stringify(row.attributes) : '', write_seq: seq + exposureRows.length });
  }
  // Distributed inserts wait for the shards (insert_distributed_sync): acknowledged means stored.
  const writer = store.shards[0]!;
  const settings: ClickHouseSettings = store.cluster ? { insert_distributed_sync: 1 } : {};
  await Promise.all([
    eventRows.length && writer.insert({ table: table(store, 'tp_events'), values: eventRows, format: 'JSONEachRow', clickhouse_settings: settings }),
    exposureRows.length && writer.insert({ table: table(store, 'tp_exposure_items'), values: exposureRows, format: 'JSONEachRow', clickhouse_settings: settings }),
  ]);
  return results;
}

/**
 * DELETE /api/units/:unitId on ClickHouse: the ids' rows counted (as PostgreSQL counts them: one
 * exposure per experiment and unit, one event per id), then a mutation on every shard's local tables
 * (and on its copy of the identity links),
 * waited for (18.16 has no mutations_sync), so that the erasure is done when the request answers.
 * Before the mutation, each shard notes the experiments and UTC days of the items it is about to
 * remove, at `erasedAt` (the request's time; no unit id): an erased unit's first exposure was one of
 * its items, so its day is among them, and the incremental refresh recomputes those days
 * (refresh-queries.ts exposureDaysTouchedClickHouse). Noted first: an erasure cut short leaves days
 * marked for nothing (a day recomputed, harmless), never a removal unmarked.
 */
export async function eraseUnitsClickHouse(store: ClickHouseStore, ids: readonly string[], erasedAt: Date = new Date()): Promise<{ exposuresDeleted: number; eventsDeleted: number }> {
  if (ids.length === 0) return { exposuresDeleted: 0, eventsDeleted: 0 };
  const counts = await selectEveryShard<{ exposures: string; events: string }>(
    store,
    chSql`SELECT (SELECT uniqExact(experiment_id, unit_id) FROM tp_exposure_items WHERE unit_id IN ${ids}) AS exposures,
                 (SELECT uniqExact(unit_id, event_id) FROM tp_events WHERE unit_id IN ${ids}) AS events`,
  );
  await Promise.all(
    store.shards.map(async (shard) => {
      await shard.command({
        query: chSql`INSERT INTO tp_erased_exposure_days SELECT DISTINCT experiment_id, intDiv(exposed_ms, ${DAY_MS}), ${erasedAt.getTime()}
          FROM tp_exposure_items WHERE unit_id IN ${ids}`,
      });
      for (const name of ['tp_events', 'tp_exposure_items']) {
        await shard.command({ query: chSql`ALTER TABLE ${raw(name)} DELETE WHERE unit_id IN ${ids}` });
      }
      // The person's links in the shard's copy too (links.ts: if the catalog's erasure then fails, the
      // next read's check finds the copy short and puts them back).
      await shard.command({ query: chSql`ALTER TABLE tp_links DELETE WHERE alias_id IN ${ids} OR unit_id IN ${ids}` });
      for (;;) {
        const [pending] = await selectEveryShard<{ n: string }>({ ...store, shards: [shard] }, `SELECT count() AS n FROM system.mutations WHERE database = currentDatabase() AND is_done = 0`);
        if (Number(pending?.n ?? 0) === 0) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }),
  );
  return {
    exposuresDeleted: counts.reduce((s, r) => s + Number(r.exposures), 0),
    eventsDeleted: counts.reduce((s, r) => s + Number(r.events), 0),
  };
}

/** One unit id (eraseUnitsClickHouse). */
export async function eraseUnitClickHouse(store: ClickHouseStore, unitId: string, erasedAt?: Date): Promise<void> {
  await eraseUnitsClickHouse(store, [unitId], erasedAt);
}
