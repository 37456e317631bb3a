/**
 * Identity links in the ClickHouse results (results/README.md, "Identity"; results/identity-sql.ts is the
 * PostgreSQL counterpart): an anonymous id linked to an account by `identify` is one unit with it, under
 * the account id; its exposure is the earliest of the ids' first exposures (time, then item id), and the
 * events of every id count. The links live in the catalog (`unit_aliases`, one level deep) and are read
 * at analysis time, so a late link or an erasure changes the next computation, as on PostgreSQL.
 *
 * The two ids of a link may sit on different shards (rows are routed by cityHash64(unit_id)), so every
 * per-unit pass is split in two parts whose per-group rows add up (counts, sums; moments by Chan et al.):
 * - `local`: on every shard's local tables, every id that takes part in no link (nearly all units): the
 *   fast per-shard path, with `unit_id NOT IN (linked ids)`;
 * - `linked`: once, on the first shard, over the Distributed `*_all` tables (without a cluster all rows
 *   are on that shard), reading only the rows of linked ids: grouped per id first (its first stored
 *   exposure), then per account (`transform` maps an anonymous id to its account).
 * The mapping is sent as literals rendered by the client's formatter (`literal`), like every value.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { type ClickHouseStore, literal, selectRows } from './connection.js';

export interface Links {
  /** Anonymous ids, each with its account at the same index. */
  aliases: readonly string[];
  accounts: readonly string[];
  /** Received times (ms) of the links, same index (the incremental refresh's rule c). */
  receivedMs: readonly number[];
}

export const noLinks: Links = { aliases: [], accounts: [], receivedMs: [] };

/** Every identify link of the catalog (small against the events: one per sign-in). */
export async function loadLinks(db: Kysely<Database>): Promise<Links> {
  const rows = await db.selectFrom('unit_aliases').select(['alias_id', 'unit_id', 'received_at']).orderBy('alias_id').execute();
  return {
    aliases: rows.map((r) => r.alias_id),
    accounts: rows.map((r) => r.unit_id),
    receivedMs: rows.map((r) => new Date(r.received_at as unknown as string | Date).getTime()),
  };
}

/** Which part of a per-unit pass a query computes (see above). */
export type UnitPart = { kind: 'local'; links: Links } | { kind: 'linked'; links: Links; cluster: string | undefined };

export const linkedIds = (links: Links): string[] => [...new Set([...links.aliases, ...links.accounts])];

/** An array literal of strings, each rendered by the client's formatter (transform needs arrays, not IN tuples). */
export const stringArray = (values: readonly string[]): string => `[${values.map((v) => literal(v)).join(', ')}]`;

/** The id a row counts under: its account for a linked anonymous id, else itself. */
export const canonicalId = (links: Links, column = 'unit_id'): string =>
  `transform(${column}, ${stringArray(links.aliases)}, ${stringArray(links.accounts)}, ${column})`;

/** A table of the pass: the shard's own in the local part, the Distributed one (with a cluster) in the linked part. */
export const tableOf = (part: UnitPart | undefined, name: string): string => (part?.kind === 'linked' && part.cluster ? `${name}_all` : name);

/**
 * `build(part)` run as the local part on every shard and, when links exist, as the linked part on the
 * first shard; rows concatenated (the callers pool them per group as they pool shards).
 */
export async function selectUnitParts<T>(store: ClickHouseStore, links: Links, build: (part: UnitPart) => string): Promise<T[]> {
  const local = build({ kind: 'local', links });
  const reads: Promise<T[]>[] = store.shards.map((shard) => selectRows<T>(shard, local));
  if (links.aliases.length > 0) reads.push(selectRows<T>(store.shards[0]!, build({ kind: 'linked', links, cluster: store.cluster })));
  return (await Promise.all(reads)).flat();
}
