/**
 * EVENT_STORE=clickhouse (design.md §12): exposures and events in ClickHouse shards (store.ts writes
 * and erases, results-queries.ts and refresh-queries.ts read), behind the same EventStore interface as
 * the PostgreSQL tables. Identity links stay in the catalog's database (events/alias-repository.ts, its
 * one-level rules under its lock), written before the batch's exposures and events; every shard holds a
 * copy, written after the catalog commits and proven equal before each read (links.ts).
 */
import type { Kysely } from 'kysely';
import { isDatabaseUnavailable } from '../db/errors.js';
import type { Database } from '../db/schema.js';
import type { EventReads, EventStore } from '../events/event-store.js';
import { lockAliases, storeAliases } from '../events/alias-repository.js';
import type { BatchPart, StoreResult } from '../events/repository.js';
import type { StoredLink } from '../events/link-hash.js';
import { type ClickHouseStore, openClickHouse, selectRows } from './connection.js';
import { syncLinks, writeLinksClickHouse } from './links.js';
import { singleFlight } from './single-flight.js';
import { migrateClickHouse } from './migrations.js';
import { daysWithReceivedEventsClickHouse, segmentAttributesClickHouse, touchedExposureDayStatsClickHouse } from './refresh-queries.js';
import { clickhouseEventQueries } from './results-queries.js';
import { funnelSegmentStatsClickHouse, metricSegmentStatsClickHouse } from './segment-queries.js';
import { eraseUnitsClickHouse, storeBatchesClickHouse } from './store.js';

/** Failures that mean "ClickHouse cannot take this now": sockets refused or reset, the client's timeout, a table being swapped in. */
export function isClickHouseUnavailable(error: unknown): boolean {
  if (isDatabaseUnavailable(error)) return true;
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  // UNKNOWN_TABLE (60): our tables are made by the migrations every server runs at start, so a missing
  // one is a table being swapped in (migration 0002's RENAME, from another server starting) or a shard
  // not yet migrated: retry (503 to the SDK, the queue writer redelivers) rather than 500 or dead-letter.
  // 18.16's answer is not parsed into a code by the client: "Code: 60, e.displayText() = …".
  if (code === '60' || /^Code: 60\b/.test(error instanceof Error ? error.message : '')) return true;
  if (typeof code === 'string' && ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT'].includes(code)) return true;
  const message = error instanceof Error ? error.message : String(error);
  return /ECONNREFUSED|ECONNRESET|socket hang up|Timeout error|connect ETIMEDOUT/i.test(message);
}

/**
 * Identity links of the parts, in the catalog's database (the PostgreSQL store's rules and lock); counts
 * per part. Then the links stored are written to every shard's copy: best effort (a failure leaves the
 * batch accepted, the catalog has the links, and the next read repairs the copy: links.ts).
 */
async function storeLinks(store: ClickHouseStore, db: Kysely<Database>, parts: readonly BatchPart[]): Promise<StoreResult[]> {
  const results = parts.map(() => ({ accepted: 0, duplicates: 0 }));
  const links = parts.flatMap((part, i) => (part.aliases ?? []).map((row) => ({ row, part: i })));
  if (links.length === 0) return results;
  const seen = new Set<string>();
  const fresh = links.filter(({ row, part }) => {
    if (!seen.has(row.itemId)) return seen.add(row.itemId);
    results[part]!.duplicates++;
    return false;
  });
  const stored: StoredLink[] = await db.transaction().execute(async (trx) => {
    await lockAliases(trx);
    const outcomes = await storeAliases(trx, fresh.map((l) => l.row), fresh.map((l) => parts[l.part]!.receivedAt));
    outcomes.forEach((outcome, i) => void results[fresh[i]!.part]![outcome.duplicate ? 'duplicates' : 'accepted']++);
    return outcomes.flatMap((o) => (o.stored ? [o.stored] : []));
  });
  await writeLinksClickHouse(store, stored).catch(() => {});
  return results;
}

/** The ClickHouse event store, with its connection (tests and benchmarks look at the shards). */
export type ClickHouseEventStore = EventStore & { clickhouse: ClickHouseStore };

export function clickhouseEventStore(store: ClickHouseStore, db: Kysely<Database>): ClickHouseEventStore {
  // Every read first proves the shards' copies of the links equal to the catalog's (links.ts): a late
  // link or an erasure counts at once, and a missed copy write is repaired before it could count. Reads
  // made together (one results computation's) share one check.
  const links = singleFlight(() => syncLinks(store, db));
  const queries = clickhouseEventQueries(store, links);
  const reads: EventReads = {
    ...queries,
    // Segment breakdowns: one day-grouped pass per group (segment-queries.ts).
    metricGroupStats: async (input) => metricSegmentStatsClickHouse(store, input, await links()),
    funnelGroupStats: async (input) => funnelSegmentStatsClickHouse(store, input, await links()),
    daysWithReceivedEvents: async (input) => daysWithReceivedEventsClickHouse(store, input, await links()),
    touchedExposureDayStats: async (input) => touchedExposureDayStatsClickHouse(store, input, await links()),
    segmentAttributes: (experimentId) => segmentAttributesClickHouse(store, experimentId),
  };
  return {
    kind: 'clickhouse',
    clickhouse: store,
    storeBatches: async (parts) => {
      // Links first: a retry after a failed item write finds them stored (duplicates), never lost.
      const links = await storeLinks(store, db, parts);
      const items = await storeBatchesClickHouse(store, parts);
      return items.map((r, i) => ({ accepted: r.accepted + links[i]!.accepted, duplicates: r.duplicates + links[i]!.duplicates }));
    },
    isUnavailable: isClickHouseUnavailable,
    eraseUnits: (_trx, ids, erasedAt) => eraseUnitsClickHouse(store, ids, erasedAt),
    reads: () => reads,
    ping: async () => {
      await Promise.all(store.shards.map((shard) => selectRows(shard, 'SELECT 1 AS ok')));
    },
    close: () => store.close(),
  };
}

/** Opens the shards and brings their schema up to date (migrations.ts); what main.ts and the worker call. */
export async function openClickHouseEventStore(options: { urls: string[]; cluster: string | undefined }, db: Kysely<Database>): Promise<ClickHouseEventStore & { migrationsApplied: string[] }> {
  const store = openClickHouse(options);
  try {
    const migrationsApplied = await migrateClickHouse(store);
    return { ...clickhouseEventStore(store, db), migrationsApplied };
  } catch (error) {
    await store.close().catch(() => {});
    throw error;
  }
}
