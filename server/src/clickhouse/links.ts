/**
 * The ClickHouse copy of the identity links (`tp_links`, on every shard: migration 0004), read by the
 * results instead of sending the links as literals (identity.ts). The catalog (`unit_aliases`) stays the
 * source of truth: identify writes there under its lock, erasure deletes there. The copy is kept equal to
 * it in two ways, and only the second is trusted:
 * - writes: the links an identify stored are written to every shard once the catalog has committed them
 *   (writeLinksClickHouse), and an erasure deletes the person's links on every shard with its rows
 *   (store.ts). Best effort: a crash between the catalog's commit and this write, a shard that was down,
 *   an erasure whose catalog transaction rolled back after ClickHouse deleted, leave a shard different.
 * - every read first proves each shard's copy equal to the catalog (syncLinks): the catalog keeps a
 *   fingerprint of its links in one row (count and hash sum, migration 0021, moved by every write and
 *   deletion in the same transaction); each shard computes the same of its rows (FINAL folds a link
 *   written twice). A shard that differs is repaired — first with the links received lately (what a
 *   missed write lacks), else by a full comparison (missing links inserted, extra ones deleted) — and
 *   checked again; a read runs only on shards whose fingerprint equals the catalog's, or fails.
 * Hence a results document never comes from a copy other than the catalog's links at the moment of the
 * check (but for a 2^-64 hash collision). Two server instances may check and repair at once: inserts of
 * one link twice fold (equal rows), deletions are of links no longer in the catalog and are idempotent,
 * and each instance reads only after its own check passed.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { linkFingerprint, readLinks } from '../events/alias-repository.js';
import { type LinkFingerprint, type StoredLink, linkHash, sameFingerprint } from '../events/link-hash.js';
import { type ClickHouseStore, chSql, raw, selectRows } from './connection.js';

/** What a read learns from the check: the catalog's link count (no linked part when 0). */
export interface Links {
  count: number;
}

export const noLinks: Links = { count: 0 };

/** Links received this recently are re-sent first to a shard that lacks some (a write missed after a crash or outage). */
const RECENT_MS = 15 * 60_000;
/** Links per page read from the catalog and per insert. */
const PAGE = 50_000;
/** Hashes per deletion (a mutation each). */
const DELETE_CHUNK = 10_000;
/** Checks before a read gives up (each after a repair): links written meanwhile can move the catalog on. */
const CHECKS = 4;

const rowsOf = (links: readonly StoredLink[]) => links.map((l) => ({ alias_id: l.aliasId, unit_id: l.unitId, received_ms: l.receivedMs, h: linkHash(l) }));

async function insertLinks(shard: ClickHouseClient, links: readonly StoredLink[]): Promise<void> {
  for (let i = 0; i < links.length; i += PAGE) {
    await shard.insert({ table: 'tp_links', values: rowsOf(links.slice(i, i + PAGE)), format: 'JSONEachRow' });
  }
}

/** Links the catalog has just committed, to every shard (best effort: syncLinks repairs what this misses). */
export async function writeLinksClickHouse(store: ClickHouseStore, links: readonly StoredLink[]): Promise<void> {
  if (links.length === 0) return;
  await Promise.all(store.shards.map((shard) => insertLinks(shard, links)));
}

/** A shard's copy's fingerprint: count and hash sum of its distinct rows. */
export async function shardLinkFingerprint(shard: ClickHouseClient): Promise<LinkFingerprint> {
  const [row] = await selectRows<{ links: string; hash_sum: string }>(shard, 'SELECT count() AS links, toString(sum(h)) AS hash_sum FROM tp_links FINAL');
  return { links: Number(row?.links ?? 0), hashSum: row?.hash_sum ?? '0' };
}

async function waitForMutations(shard: ClickHouseClient): Promise<void> {
  for (;;) {
    const [pending] = await selectRows<{ n: string }>(shard, `SELECT count() AS n FROM system.mutations WHERE database = currentDatabase() AND table = 'tp_links' AND is_done = 0`);
    if (Number(pending?.n ?? 0) === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * The whole comparison: the shard's hashes are read BEFORE the catalog's links, so a link the shard
 * holds that the catalog no longer lists was deleted (erased) before that read, never one committed
 * meanwhile (a link reaches ClickHouse only after its commit): deleting it is right.
 */
async function repairFully(shard: ClickHouseClient, db: Kysely<Database>): Promise<void> {
  const present = new Set((await selectRows<{ h: string }>(shard, 'SELECT toString(h) AS h FROM tp_links GROUP BY h')).map((r) => r.h));
  const wanted = new Set<string>();
  for (let after: string | undefined; ; ) {
    const page = await readLinks(db, { limit: PAGE, ...(after !== undefined && { after }) });
    if (page.length === 0) break;
    const missing = page.filter((link) => {
      const h = linkHash(link);
      wanted.add(h);
      return !present.has(h);
    });
    await insertLinks(shard, missing);
    after = page[page.length - 1]!.aliasId;
  }
  // Hashes are decimal UInt64 of our own (linkHash, or read back from the column), never input.
  const extra = [...present].filter((h) => !wanted.has(h) && /^\d+$/.test(h));
  for (let i = 0; i < extra.length; i += DELETE_CHUNK) {
    await shard.command({ query: chSql`ALTER TABLE tp_links DELETE WHERE h IN (${raw(extra.slice(i, i + DELETE_CHUNK).join(', '))})` });
  }
  if (extra.length) await waitForMutations(shard);
}

/**
 * Proves every shard's copy equal to the catalog's links (repairing those that differ) and returns what
 * the reads need; throws when a shard cannot be brought equal (a read must not run on a wrong copy).
 */
export async function syncLinks(store: ClickHouseStore, db: Kysely<Database>): Promise<Links> {
  for (let check = 1; ; check++) {
    const catalog = await linkFingerprint(db);
    const shards = await Promise.all(store.shards.map(shardLinkFingerprint));
    const differing = store.shards.flatMap((shard, i) => (sameFingerprint(shards[i]!, catalog) ? [] : [{ shard, fingerprint: shards[i]! }]));
    if (differing.length === 0) return { count: catalog.links };
    if (check === CHECKS) throw new Error(`identity links: ${differing.length} ClickHouse shard(s) still differ from the catalog after ${CHECKS - 1} repairs`);
    await Promise.all(
      differing.map(async ({ shard, fingerprint }) => {
        // Fewer links than the catalog, first check: most likely a missed write of recent links; re-send
        // them (a link it has already folds away). Otherwise, or if that was not it, compare everything.
        if (check === 1 && fingerprint.links < catalog.links) {
          const recent: StoredLink[] = [];
          for (let after: string | undefined; ; ) {
            const page = await readLinks(db, { limit: PAGE, receivedFrom: Date.now() - RECENT_MS, ...(after !== undefined && { after }) });
            if (page.length === 0) break;
            recent.push(...page);
            after = page[page.length - 1]!.aliasId;
          }
          await insertLinks(shard, recent);
        } else {
          await repairFully(shard, db);
        }
      }),
    );
  }
}
