/**
 * Migration 0002 (tp_events sorted by name: rebuildTable copies the rows into tp_events_next, swaps it
 * in by RENAME and drops the old table) on two shards that hold rows: written through the Distributed
 * table, with duplicate event ids not yet folded (merges stopped) — copies of a retried write, and copies
 * by two writers racing on one id (another write_seq and time received). Run once, with a writer still
 * writing (a rolling upgrade), and again after a cut at each step of the rebuild, the shard left in that
 * state by hand. Each time: every event id survives on its shard with its content, duplicates fold under
 * the new key, nothing is left over, the Distributed table reads and writes, and 0002 is recorded once.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { seededRandom } from '../demo/random.js';
import { type ClickHouseStore, chSql, openClickHouse, selectRows } from './connection.js';
import { isClickHouseUnavailable } from './event-store.js';
import { CLICKHOUSE_MIGRATIONS, migrateClickHouse } from './migrations.js';
import { type ClickHouseCluster, describeClickHouse, startClickHouse } from './test-support.js';

const UNTIL_0001 = CLICKHOUSE_MIGRATIONS.slice(0, 1);
const UNTIL_0002 = CLICKHOUSE_MIGRATIONS.slice(0, 2);
const NAMES = ['0001_events_and_exposures', '0002_events_sorted_by_name'];
const TABLES = ['touchpoint_migrations', 'tp_events', 'tp_events_all', 'tp_exposure_items', 'tp_exposure_items_all'];
/** The table 0002 builds, as a shard cut mid-rebuild holds it. */
const NEXT_TABLE = `CREATE TABLE tp_events_next (
  unit_id String, event_id String, name String, value Nullable(Float64),
  occurred_ms Int64, received_ms Int64, attributes String, write_seq UInt64
) ENGINE = ReplacingMergeTree ORDER BY (name, unit_id, event_id)`;
const T0 = Date.UTC(2026, 10, 2);

interface EventRecord {
  unit_id: string;
  event_id: string;
  name: string;
  value: number | null;
  occurred_ms: number;
  received_ms: number;
  attributes: string;
  write_seq: number;
}

/** `count` events of count/4 units; every 11th id is one that two writers race on (`race-` in its id). */
function generate(prefix: string, count: number, seed: number): EventRecord[] {
  const random = seededRandom(seed);
  const names = ['page_view', 'add_to_cart', 'purchase', "o'neil \\ signup"];
  return Array.from({ length: count }, (_, i) => {
    const name = names[Math.floor(random() * names.length)]!;
    return {
      unit_id: `${prefix}u-${Math.floor(random() * count / 4)}`,
      event_id: `${prefix}${i % 11 === 0 ? 'race' : 'ev'}-${i}`,
      name,
      value: name === 'purchase' ? Math.round(random() * 10_000) / 100 : null,
      occurred_ms: T0 + Math.floor(random() * 86_400_000 * 14),
      received_ms: T0 + 86_400_000 * 14 + i,
      attributes: random() < 0.3 ? JSON.stringify({ plan: random() < 0.5 ? 'pro' : 'free' }) : '',
      write_seq: (T0 + i) * 1000,
    };
  });
}

const command = (shard: ClickHouseClient, query: string) => shard.command({ query });

/** A snapshot of one shard's events under `prefix`, in terms that ReplacingMergeTree's merges keep. */
interface Snapshot {
  rows: number;
  ids: number;
  /** Every id's content (the columns its copies share), summed over the ids. */
  content: string;
  /** Whole rows of the ids whose copies are identical (not raced). */
  whole: string;
  /** Whole rows of the raced ids, each copy distinct. */
  raced: string[];
}

async function snapshot(shard: ClickHouseClient, prefix: string): Promise<Snapshot> {
  const where = chSql`event_id LIKE ${`${prefix}%`}`;
  const [sums] = await selectRows<{ rows: string; ids: string; content: string; whole: string }>(
    shard,
    `SELECT (SELECT count() FROM tp_events WHERE ${where}) AS rows,
            (SELECT uniqExact(unit_id, event_id) FROM tp_events WHERE ${where}) AS ids,
            (SELECT sum(cityHash64(unit_id, event_id, name, ifNull(toString(value), 'null'), occurred_ms, attributes))
               FROM (SELECT DISTINCT unit_id, event_id, name, value, occurred_ms, attributes FROM tp_events WHERE ${where})) AS content,
            (SELECT sum(cityHash64(unit_id, event_id, name, ifNull(toString(value), 'null'), occurred_ms, received_ms, attributes, write_seq))
               FROM (SELECT DISTINCT * FROM tp_events WHERE ${where} AND event_id NOT LIKE '%race-%')) AS whole`,
  );
  const raced = await selectRows<EventRecord>(shard, `SELECT DISTINCT * FROM tp_events WHERE ${where} AND event_id LIKE '%race-%'`);
  return { rows: Number(sums!.rows), ids: Number(sums!.ids), content: sums!.content, whole: sums!.whole, raced: raced.map((r) => JSON.stringify(r)).sort() };
}

describeClickHouse('ClickHouse migration 0002 rebuilds tp_events with its rows, and again after a cut at each step', () => {
  let cluster: ClickHouseCluster;
  let store: ClickHouseStore;

  beforeAll(async () => {
    cluster = await startClickHouse();
    store = openClickHouse({ urls: cluster.urls, cluster: cluster.cluster });
    expect(UNTIL_0002.map((m) => m.name)).toEqual(NAMES);
  }, 180_000);
  afterAll(async () => {
    await store?.close();
    await cluster?.stop();
  }, 120_000);

  /** Through the Distributed table, routed by unit id, acknowledged once every shard has its rows. */
  const writeAll = (rows: EventRecord[]) =>
    store.shards[0]!.insert({ table: 'tp_events_all', values: rows, format: 'JSONEachRow', clickhouse_settings: { insert_distributed_sync: 1 } });

  /** Both shards at 0001 only, merges of tp_events stopped (its duplicates stay rows of their own until 0002 copies them). */
  async function schema0001(): Promise<void> {
    for (const shard of store.shards) {
      for (const table of [...TABLES, 'tp_events_next', 'tp_events_old']) await command(shard, `DROP TABLE IF EXISTS ${table}`);
    }
    expect(await migrateClickHouse(store, UNTIL_0001)).toEqual([NAMES[0]]);
    for (const shard of store.shards) await command(shard, 'SYSTEM STOP MERGES tp_events');
  }

  /** `count` events in several writes, then a copy of every 7th (a retried write) and of every raced id (another writer's). */
  async function fill(prefix: string, count: number, seed: number): Promise<number> {
    const rows = generate(prefix, count, seed);
    for (let i = 0; i < rows.length; i += 2500) await writeAll(rows.slice(i, i + 2500));
    const retried = rows.filter((_, i) => i % 7 === 3);
    const raced = rows.filter((r) => r.event_id.includes('race-')).map((r) => ({ ...r, received_ms: r.received_ms + 40, write_seq: r.write_seq + 7 }));
    await writeAll(retried);
    await writeAll(raced);
    return rows.length + retried.length + raced.length;
  }

  /** What must hold after 0002 on every shard, `before` being each shard's snapshot of the rows under `prefix`. */
  async function expectMigrated(prefix: string, before: Snapshot[]): Promise<void> {
    for (const [i, shard] of store.shards.entries()) {
      const after = await snapshot(shard, prefix);
      expect({ ids: after.ids, content: after.content, whole: after.whole }, `shard ${i + 1}`).toEqual({ ids: before[i]!.ids, content: before[i]!.content, whole: before[i]!.whole });
      // Nothing doubled: no more rows than before (merges only fold them), though ReplacingMergeTree would hide a double after its next merge.
      expect(after.rows, `shard ${i + 1}`).toBeLessThanOrEqual(before[i]!.rows);
      // A raced id keeps one of its copies or both (until a merge), never another row.
      for (const row of after.raced) expect(before[i]!.raced, `shard ${i + 1}`).toContain(row);
      const tables = await selectRows<{ name: string; engine: string; sorting_key: string }>(shard, 'SELECT name, engine, sorting_key FROM system.tables WHERE database = currentDatabase() ORDER BY name');
      expect(tables.map((t) => t.name), `shard ${i + 1}`).toEqual(TABLES);
      expect(tables.find((t) => t.name === 'tp_events'), `shard ${i + 1}`).toMatchObject({ engine: 'ReplacingMergeTree', sorting_key: 'name, unit_id, event_id' });
      const [create] = await selectRows<{ statement: string }>(shard, 'SHOW CREATE TABLE tp_events');
      expect(create!.statement).toMatch(/ENGINE = ReplacingMergeTree ORDER BY \(name, unit_id, event_id\)/);
      const recorded = await selectRows<{ name: string; n: string }>(shard, 'SELECT name, count() AS n FROM touchpoint_migrations GROUP BY name ORDER BY name');
      expect(recorded, `shard ${i + 1}`).toEqual(NAMES.map((name) => ({ name, n: '1' })));
      // Duplicates fold under the new key: one row per id once merged.
      await command(shard, 'OPTIMIZE TABLE tp_events FINAL');
      expect((await snapshot(shard, prefix)).rows, `shard ${i + 1}`).toBe(before[i]!.ids);
    }
    expect(await migrateClickHouse(store, UNTIL_0002)).toEqual([]);
    // The Distributed table follows the swap: writes route to the shards' new tables and read back.
    const more = generate(`${prefix}after-`, 300, 99);
    await writeAll(more);
    const [read] = await selectRows<{ ids: string; purchases: string }>(
      store.shards[1]!,
      chSql`SELECT uniqExact(unit_id, event_id) AS ids, countIf(name = 'purchase') AS purchases FROM tp_events_all WHERE event_id LIKE ${`${prefix}after-%`}`,
    );
    expect(read).toEqual({ ids: '300', purchases: String(more.filter((r) => r.name === 'purchase').length) });
    const perShard = await Promise.all(store.shards.map(async (shard) => (await snapshot(shard, `${prefix}after-`)).ids));
    expect(perShard.every((n) => n > 0) && perShard[0]! + perShard[1]! === 300, `${perShard}`).toBe(true);
  }

  it('copies every row of both shards (40k events and their duplicates) while a writer keeps writing, and records 0002 once', async () => {
    await schema0001();
    const written = await fill('m-', 40_000, 1);
    const before = await Promise.all(store.shards.map((shard) => snapshot(shard, 'm-')));
    // The precondition: rows on both shards, every copy still a row of its own.
    expect(before[0]!.rows + before[1]!.rows).toBe(written);
    expect(before.every((s) => s.ids > 10_000 && s.rows > s.ids && s.raced.length > 0)).toBe(true);

    // A server of the previous version keeps writing (retrying what fails, e.g. while tp_events is renamed).
    let stop = false;
    let acknowledged = 0;
    const writer = (async () => {
      for (let b = 0; !stop; b++) {
        // Numbered as a writer numbers its rows: by its clock (store.ts, nextWriteSeq).
        const rows = generate(`live-${b}-`, 50, 1000 + b).map((r, i) => ({ ...r, write_seq: Date.now() * 1000 + i }));
        for (;;) {
          try {
            await writeAll(rows);
            break;
          } catch {
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
        }
        acknowledged += rows.length;
      }
    })();
    try {
      expect(await migrateClickHouse(store, UNTIL_0002)).toEqual([NAMES[1]]);
    } finally {
      stop = true;
      await writer;
    }
    expect(acknowledged).toBeGreaterThan(0);
    const live = await Promise.all(store.shards.map(async (shard) => (await snapshot(shard, 'live-')).ids));
    expect(live[0]! + live[1]!).toBe(acknowledged);
    await expectMigrated('m-', before);
  }, 300_000);

  /** A shard cut mid-rebuild: `next` created and filled (none, part, all), rows written after the copy, then the renames made and the old table dropped. */
  const cuts: { name: string; copy: 'none' | 'part' | 'all'; late: boolean; renames: 0 | 1 | 2; dropped?: boolean }[] = [
    { name: 'after tp_events_next was created', copy: 'none', late: false, renames: 0 },
    { name: 'after tp_events_next was partly filled, rows written meanwhile', copy: 'part', late: true, renames: 0 },
    { name: 'after the first RENAME (tp_events → tp_events_old), rows written after the copy', copy: 'all', late: true, renames: 1 },
    { name: 'after the second RENAME (tp_events_next → tp_events), before the DROP, rows written after the copy', copy: 'all', late: true, renames: 2 },
    { name: 'after the DROP, before 0002 was recorded', copy: 'all', late: false, renames: 2, dropped: true },
  ];
  for (const [k, cut] of cuts.entries()) {
    it(`ends rebuilt, nothing lost or doubled, when run again after a cut ${cut.name}`, async () => {
      const prefix = `c${k}-`;
      await schema0001();
      await fill(prefix, 6000, 10 + k);
      for (const shard of store.shards) {
        await command(shard, NEXT_TABLE);
        if (cut.copy === 'part') await command(shard, 'INSERT INTO tp_events_next SELECT * FROM tp_events WHERE cityHash64(event_id) % 3 = 0');
        if (cut.copy === 'all') await command(shard, 'INSERT INTO tp_events_next SELECT * FROM tp_events');
      }
      if (cut.late) await writeAll(generate(`${prefix}late-`, 500, 50 + k));
      const before = await Promise.all(store.shards.map((shard) => snapshot(shard, prefix)));
      for (const shard of store.shards) {
        if (cut.renames >= 1) await command(shard, 'RENAME TABLE tp_events TO tp_events_old');
        if (cut.renames >= 2) await command(shard, 'RENAME TABLE tp_events_next TO tp_events');
        if (cut.dropped) await command(shard, 'DROP TABLE tp_events_old');
      }
      expect(await migrateClickHouse(store, UNTIL_0002)).toEqual([NAMES[1]]);
      await expectMigrated(prefix, before);
    }, 300_000);
  }

  it('a write that meets the swap (no tp_events for an instant) counts as "unavailable": retried (503, redelivered), not a 500 or a dead letter', async () => {
    const missing = await selectRows(store.shards[0]!, 'SELECT 1 FROM tp_events_swapped_away').catch((error: unknown) => error);
    expect(String(missing)).toMatch(/Code: 60\b/);
    expect(isClickHouseUnavailable(missing)).toBe(true);
    // A mistake of ours stays an error.
    const typo = await selectRows(store.shards[0]!, 'SELEC 1').catch((error: unknown) => error);
    expect(isClickHouseUnavailable(typo)).toBe(false);
  });
});
