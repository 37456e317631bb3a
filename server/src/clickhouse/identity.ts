/**
 * Identity links in the ClickHouse results (results/README.md, "Identity"; results/identity-sql.ts is the
 * PostgreSQL counterpart): an anonymous id linked to an account by `identify` is one unit with it, under
 * the account id; its exposure is the earliest of the ids' first exposures (time, then item id), and the
 * events of every id count. The links live in the catalog (`unit_aliases`, one level deep); every shard
 * holds a copy (`tp_links`) that links.ts proves equal to the catalog before each read, so a late link or
 * an erasure changes the next computation, as on PostgreSQL.
 *
 * The two ids of a link may sit on different shards (rows are routed by cityHash64(unit_id)), so every
 * per-unit pass is split in two parts whose per-group rows add up (counts, sums; moments by Chan et al.):
 * - `local`: on every shard's local tables, every id that takes part in no link (nearly all units): the
 *   fast per-shard path, with `unit_id NOT IN (linked ids of the shard's tp_links)`;
 * - `linked`: once, on the first shard, over the Distributed `*_all` tables (without a cluster all rows
 *   are on that shard), reading only the rows of linked ids: grouped per id first (its first stored
 *   exposure), then per account (an equality JOIN on the copy maps an anonymous id to its account).
 * The links are read from the table, never sent: a query stays small with a million links (an IN
 * subquery's set is built in the query from the shard's copy; each shard of a Distributed read uses its
 * own copy, which is why every shard holds all links).
 */
import { type ClickHouseStore, literal, selectRows } from './connection.js';
import { type Links, noLinks } from './links.js';

export { type Links, noLinks };

/** Which part of a per-unit pass a query computes (see above). */
export type UnitPart = { kind: 'local'; links: Links } | { kind: 'linked'; links: Links; cluster: string | undefined };

/** An array literal of strings, each rendered by the client's formatter (transform needs arrays, not IN tuples). */
export const stringArray = (values: readonly string[]): string => `[${values.map((v) => literal(v)).join(', ')}]`;

/** Every id that takes part in a link (aliases and accounts), as an IN subquery on the shard's copy. */
export const LINKED_IDS = '(SELECT arrayJoin([alias_id, unit_id]) FROM tp_links)';

/** Accounts with a link received at or after `ms` (the incremental refresh's rule c), as an IN subquery. */
export const accountsLinkedSince = (ms: number): string => {
  if (!Number.isSafeInteger(ms)) throw new Error(`not a time in ms: ${ms}`);
  return `(SELECT unit_id FROM tp_links WHERE received_ms >= ${ms})`;
};

/**
 * `rows` (a subquery with the id in column `link_alias`) with the account of each id (`link_account`:
 * '' when the id is no alias): an equality JOIN on the copy (ANY: one account per alias). The id a row
 * counts under is then `canonical`.
 */
export const withAccounts = (rows: string): string =>
  `(${rows}) ANY LEFT JOIN (SELECT alias_id AS link_alias, unit_id AS link_account FROM tp_links) USING link_alias`;
export const canonical = "if(link_account = '', link_alias, link_account)";

/** A table of the pass: the shard's own in the local part, the Distributed one (with a cluster) in the linked part. */
export const tableOf = (part: UnitPart | undefined, name: string): string => (part?.kind === 'linked' && part.cluster ? `${name}_all` : name);

/**
 * `build(part)` run as the local part on every shard and, when links exist, as the linked part on the
 * first shard; rows concatenated (the callers pool them per group as they pool shards).
 */
export async function selectUnitParts<T>(store: ClickHouseStore, links: Links, build: (part: UnitPart) => string): Promise<T[]> {
  const local = build({ kind: 'local', links });
  const reads: Promise<T[]>[] = store.shards.map((shard) => selectRows<T>(shard, local));
  if (links.count > 0) reads.push(selectRows<T>(store.shards[0]!, build({ kind: 'linked', links, cluster: store.cluster })));
  return (await Promise.all(reads)).flat();
}
