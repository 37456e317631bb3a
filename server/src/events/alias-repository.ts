import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/schema.js';
import type { AliasRow } from './classify.js';
import { type LinkFingerprint, type StoredLink, adjustFingerprint, emptyFingerprint } from './link-hash.js';

type Db = Kysely<Database>;

/**
 * The rules of an identity link, kept in this one place (results/README.md, "Identity"):
 * - an anonymous id belongs to the FIRST account it signed into: a later `identify` of the same
 *   anonymous id is accepted and changes nothing (a retry of the same item is a duplicate);
 * - links stay one level deep, so analysis maps any id with one lookup: an account that is itself
 *   linked passes its own account on (a → b with b → c stores a → c), and an id that already has
 *   ids linked to it is an account, which is never linked again (two accounts are two people, e.g.
 *   a shared computer); a link back to itself through its account is dropped the same way.
 * Writers of links serialize on a table lock taken inside the ingest transaction (identify items are
 * rare: one per sign-in), so two concurrent links cannot build a chain; erasure takes the same lock.
 */
export async function lockAliases(trx: Db): Promise<void> {
  await sql`lock table unit_aliases in share row exclusive mode`.execute(trx);
}

export interface AliasOutcome {
  /** Item already stored (its link exists with this very item id). */
  duplicate: boolean;
  /** The link stored by this item (its account after following the account's own link); none when a rule dropped it. */
  stored?: StoredLink;
}

type LinkRow = { alias_id: string; unit_id: string; received_at: unknown };
const storedLink = (row: LinkRow): StoredLink => ({ aliasId: row.alias_id, unitId: row.unit_id, receivedMs: new Date(row.received_at as string | Date).getTime() });

/**
 * The links' fingerprint (migration 0021) moved by links added or removed, in the caller's transaction
 * (which holds `lockAliases`: the read-modify-write cannot race another writer of links). Every write
 * and deletion of `unit_aliases` goes through here, so the row always describes the committed links.
 */
async function moveFingerprint(trx: Db, links: readonly StoredLink[], sign: 1 | -1): Promise<void> {
  if (links.length === 0) return;
  const row = await trx.selectFrom('link_fingerprint').select(['links', 'hash_sum']).where('id', '=', 1).executeTakeFirst();
  // Unknown (links older than the fingerprint): left unknown, linkFingerprint computes it from the rows.
  if (!row || row.links === null || row.hash_sum === null) return;
  const next = adjustFingerprint({ links: Number(row.links), hashSum: row.hash_sum }, links, sign);
  await trx.updateTable('link_fingerprint').set({ links: next.links, hash_sum: next.hashSum }).where('id', '=', 1).execute();
}

/** Writes links in order, inside the caller's transaction (which must hold `lockAliases`). */
export async function storeAliases(trx: Db, rows: readonly AliasRow[], receivedAt: readonly Date[]): Promise<AliasOutcome[]> {
  const outcomes: AliasOutcome[] = [];
  for (const [i, row] of rows.entries()) {
    const existing = await trx.selectFrom('unit_aliases').select('item_id').where('alias_id', '=', row.aliasId).executeTakeFirst();
    if (existing) {
      outcomes.push({ duplicate: existing.item_id === row.itemId });
      continue;
    }
    // One statement: follow the account's own link, skip accounts and loops (the rules above).
    const inserted = await sql<LinkRow>`
      insert into unit_aliases (alias_id, unit_id, item_id, linked_at, received_at)
      select ${row.aliasId}::text, t.target, ${row.itemId}::text, ${row.linkedAt}::timestamptz, ${receivedAt[i]}::timestamptz
      from (select coalesce((select l.unit_id from unit_aliases l where l.alias_id = ${row.unitId}::text), ${row.unitId}::text) as target) t
      where t.target <> ${row.aliasId}::text
        and not exists (select 1 from unit_aliases l where l.unit_id = ${row.aliasId}::text)
      on conflict (alias_id) do nothing
      returning alias_id, unit_id, received_at`.execute(trx);
    const link = inserted.rows[0];
    outcomes.push(link ? { duplicate: false, stored: storedLink(link) } : { duplicate: false });
  }
  await moveFingerprint(trx, outcomes.flatMap((o) => (o.stored ? [o.stored] : [])), 1);
  return outcomes;
}

/** Erasure: deletes the links of a person (an account), inside the caller's transaction (which must hold `lockAliases`). */
export async function deleteLinksOf(trx: Db, person: string): Promise<number> {
  const deleted = await trx.deleteFrom('unit_aliases').where('unit_id', '=', person).returning(['alias_id', 'unit_id', 'received_at']).execute();
  await moveFingerprint(trx, deleted.map(storedLink), -1);
  return deleted.length;
}

/**
 * The fingerprint of the committed links (O(1): one row). Unknown after the migration on a catalog
 * that had links: computed once from the rows, under the links' lock so no write slips between.
 */
export async function linkFingerprint(db: Db): Promise<LinkFingerprint> {
  const row = await db.selectFrom('link_fingerprint').select(['links', 'hash_sum']).where('id', '=', 1).executeTakeFirst();
  if (row && row.links !== null && row.hash_sum !== null) return { links: Number(row.links), hashSum: row.hash_sum };
  return db.transaction().execute(async (trx) => {
    await lockAliases(trx);
    const rows = await trx.selectFrom('unit_aliases').select(['alias_id', 'unit_id', 'received_at']).execute();
    const fingerprint = adjustFingerprint(emptyFingerprint, rows.map(storedLink), 1);
    await trx.insertInto('link_fingerprint').values({ id: 1, links: fingerprint.links, hash_sum: fingerprint.hashSum })
      .onConflict((c) => c.column('id').doUpdateSet({ links: fingerprint.links, hash_sum: fingerprint.hashSum })).execute();
    return fingerprint;
  });
}

/**
 * Committed links, in pages by alias id (a copy rebuilt from them: clickhouse/links.ts); `receivedFrom`
 * (ms) limits them to those received since (index unit_aliases_received_idx).
 */
export async function readLinks(db: Db, options: { after?: string; limit: number; receivedFrom?: number }): Promise<StoredLink[]> {
  let query = db.selectFrom('unit_aliases').select(['alias_id', 'unit_id', 'received_at']).orderBy('alias_id').limit(options.limit);
  if (options.after !== undefined) query = query.where('alias_id', '>', options.after);
  if (options.receivedFrom !== undefined) query = query.where('received_at', '>=', new Date(options.receivedFrom) as never);
  return (await query.execute()).map(storedLink);
}

/** The person an id belongs to (its account, or itself) and every id linked to that person. */
export async function linkedIds(trx: Db, unitId: string): Promise<{ person: string; ids: string[] }> {
  const link = await trx.selectFrom('unit_aliases').select('unit_id').where('alias_id', '=', unitId).executeTakeFirst();
  const person = link?.unit_id ?? unitId;
  const aliases = await trx.selectFrom('unit_aliases').select('alias_id').where('unit_id', '=', person).execute();
  return { person, ids: [person, ...aliases.map((a) => a.alias_id)] };
}
