/**
 * The ClickHouse event store's schema, managed by migrations of its own (the catalog's stay in
 * migrations/ for PostgreSQL/PGlite). Each migration runs on every shard (no ON CLUSTER: that needs
 * ZooKeeper) and is recorded in `touchpoint_migrations` there, so a shard added later catches up.
 *
 * Timestamps are Int64 milliseconds since the epoch: 18.16 has no DateTime64, and the results compare
 * event and exposure times to the millisecond as PostgreSQL does.
 * - tp_events: one row per event id (the writer skips ids already stored); ReplacingMergeTree on
 *   (name, unit_id, event_id) (0002; (unit_id, event_id) before) folds a copy written by two writers
 *   racing on one id at the next merge.
 * - tp_exposure_items: every exposure item kept; a unit's counted exposure is derived when read
 *   (the first stored, earliest of its write: `write_seq`, then time) with the multiple-variants flag.
 * - tp_erased_exposure_days (0003): the days whose exposure items an erasure removed, for the refresh.
 * With CLICKHOUSE_CLUSTER, `*_all` Distributed tables route inserts to the shard of cityHash64(unit_id),
 * so each unit's exposures and events sit on one shard and every per-unit aggregation is local.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { type ClickHouseStore, chSql, raw, selectRows } from './connection.js';

interface Migration {
  name: string;
  /** Idempotent statements, run in order on each shard. */
  statements?: (cluster: string | undefined) => string[];
  /** Or steps that look at the shard first (a table rebuilt: each step safe to run again). */
  run?: (shard: ClickHouseClient) => Promise<void>;
}

const tableExists = async (shard: ClickHouseClient, name: string) =>
  (await selectRows<{ n: string }>(shard, chSql`SELECT count() AS n FROM system.tables WHERE database = currentDatabase() AND name = ${name}`))[0]?.n !== '0';

/**
 * `table` rebuilt with another definition (`create`, with the placeholder {table} for its name) and its
 * rows copied: into `table`_next, then swapped by RENAME, the old one dropped. Safe to run again after
 * a cut at any step: a copy is redone from scratch while the old table has not been renamed away, a
 * swap half done is finished, and the old table is dropped last.
 * Servers still running write to `table` while it is copied (every server migrates at start: a rolling
 * upgrade): the rows that reached the old table after the copy are copied over after the swap, those
 * whose `key` the new table lacks (nothing doubled), before the old table is dropped. Looked for among
 * the rows numbered (`write_seq`, the writers' clocks) since an hour before the copy began; after a cut
 * that moment is unknown and every row is compared (a set of the table's keys in memory, once).
 */
async function rebuildTable(shard: ClickHouseClient, table: string, create: string, key: string): Promise<void> {
  const next = `${table}_next`;
  const old = `${table}_old`;
  let since = 0;
  if (!(await tableExists(shard, old))) {
    if (!(await tableExists(shard, table)) && (await tableExists(shard, next))) {
      await shard.command({ query: `RENAME TABLE ${next} TO ${table}` }); // the table gone, its copy left
    } else {
      since = (Date.now() - 3_600_000) * 1000;
      await shard.command({ query: `DROP TABLE IF EXISTS ${next}` });
      await shard.command({ query: create.replace('{table}', next) });
      await shard.command({ query: `INSERT INTO ${next} SELECT * FROM ${table}` });
      // One statement: writers find no `table` for the shortest time.
      await shard.command({ query: `RENAME TABLE ${table} TO ${old}, ${next} TO ${table}` });
    }
  } else if (!(await tableExists(shard, table))) {
    await shard.command({ query: `RENAME TABLE ${next} TO ${table}` }); // cut between the two renames
  }
  if (await tableExists(shard, old)) {
    await shard.command({
      query: chSql`INSERT INTO ${raw(table)} SELECT * FROM ${raw(old)}
        WHERE write_seq >= ${since} AND (${raw(key)}) NOT IN (SELECT ${raw(key)} FROM ${raw(table)} WHERE write_seq >= ${since})`,
    });
  }
  await shard.command({ query: `DROP TABLE IF EXISTS ${old}` });
}

const distributed = (cluster: string | undefined, table: string) =>
  cluster ? [chSql`CREATE TABLE IF NOT EXISTS ${raw(`${table}_all`)} AS ${raw(table)} ENGINE = Distributed(${cluster}, currentDatabase(), ${raw(table)}, cityHash64(unit_id))`] : [];

export const CLICKHOUSE_MIGRATIONS: Migration[] = [
  {
    name: '0001_events_and_exposures',
    statements: (cluster) => [
      `CREATE TABLE IF NOT EXISTS tp_events (
         unit_id String, event_id String, name String, value Nullable(Float64),
         occurred_ms Int64, received_ms Int64, attributes String, write_seq UInt64
       ) ENGINE = ReplacingMergeTree ORDER BY (unit_id, event_id)`,
      `CREATE TABLE IF NOT EXISTS tp_exposure_items (
         experiment_id UInt32, unit_id String, item_id String, variant_index UInt16,
         exposed_ms Int64, received_ms Int64, attributes String, write_seq UInt64
       ) ENGINE = MergeTree ORDER BY (experiment_id, unit_id, write_seq, exposed_ms)`,
      ...distributed(cluster, 'tp_events'),
      ...distributed(cluster, 'tp_exposure_items'),
    ],
  },
  {
    // Events sorted by name first: the results read the events of a few names (a conversion metric one
    // in ten events), and ClickHouse then reads only their granules (5x faster on the metrics' pass at
    // 10M events). Duplicates still fold: an event id keeps its name and unit. The lookup of stored ids
    // (store.ts, by unit and event id) still skips granules: within one name the key is ordered by unit.
    // The Distributed table resolves `tp_events` by name, so it follows the swap.
    name: '0002_events_sorted_by_name',
    run: (shard) =>
      rebuildTable(
        shard,
        'tp_events',
        `CREATE TABLE {table} (
           unit_id String, event_id String, name String, value Nullable(Float64),
           occurred_ms Int64, received_ms Int64, attributes String, write_seq UInt64
         ) ENGINE = ReplacingMergeTree ORDER BY (name, unit_id, event_id)`,
        'unit_id, event_id',
      ),
  },
  {
    // Where erasures removed exposure items: per experiment and UTC day of each erased item, and when
    // (the erasure's request time). No unit id is kept: the days are all the incremental refresh needs
    // to see that an erasure changed a day's exposures (refresh-queries.ts exposureDaysTouchedClickHouse),
    // and an erased person must not stay identifiable. Local to each shard, like the items it describes.
    name: '0003_erased_exposure_days',
    statements: () => [
      `CREATE TABLE IF NOT EXISTS tp_erased_exposure_days (
         experiment_id UInt32, day Int64, erased_ms Int64
       ) ENGINE = MergeTree ORDER BY (experiment_id, erased_ms)`,
    ],
  },
  {
    // Every shard's own copy of the catalog's identity links (clickhouse/links.ts keeps it equal to
    // `unit_aliases`, identity.ts reads it): local on each shard, never Distributed, because a query on a
    // shard needs the whole mapping (an alias and its account may sit on different shards). `h` is the
    // link's hash (events/link-hash.ts); rows written twice (two writers of one link) are equal in every
    // column and fold into one at a merge, or with FINAL when the copy is checked.
    name: '0004_identity_links',
    statements: () => [
      `CREATE TABLE IF NOT EXISTS tp_links (
         alias_id String, unit_id String, received_ms Int64, h UInt64
       ) ENGINE = ReplacingMergeTree ORDER BY (alias_id, h)`,
    ],
  },
];

/** Applies what each shard lacks (of `migrations`: a test stops at an earlier schema); returns the names applied (on any shard). */
export async function migrateClickHouse(store: ClickHouseStore, migrations: readonly Migration[] = CLICKHOUSE_MIGRATIONS): Promise<string[]> {
  const applied = new Set<string>();
  for (const shard of store.shards) {
    await shard.command({ query: 'CREATE TABLE IF NOT EXISTS touchpoint_migrations (name String, applied_ms Int64) ENGINE = TinyLog' });
    const done = new Set((await selectRows<{ name: string }>(shard, 'SELECT name FROM touchpoint_migrations')).map((r) => r.name));
    for (const migration of migrations) {
      if (done.has(migration.name)) continue;
      // Every statement is idempotent (IF NOT EXISTS): a migration cut short is simply run again.
      for (const query of migration.statements?.(store.cluster) ?? []) await shard.command({ query });
      await migration.run?.(shard);
      await shard.command({ query: chSql`INSERT INTO touchpoint_migrations VALUES (${migration.name}, ${Date.now()})` });
      applied.add(migration.name);
    }
  }
  return [...applied];
}
