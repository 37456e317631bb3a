import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/schema.js';
import type { AliasRow } from './classify.js';

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
    await sql`
      insert into unit_aliases (alias_id, unit_id, item_id, linked_at, received_at)
      select ${row.aliasId}::text, t.target, ${row.itemId}::text, ${row.linkedAt}::timestamptz, ${receivedAt[i]}::timestamptz
      from (select coalesce((select l.unit_id from unit_aliases l where l.alias_id = ${row.unitId}::text), ${row.unitId}::text) as target) t
      where t.target <> ${row.aliasId}::text
        and not exists (select 1 from unit_aliases l where l.unit_id = ${row.aliasId}::text)
      on conflict (alias_id) do nothing`.execute(trx);
    outcomes.push({ duplicate: false });
  }
  return outcomes;
}

/** The person an id belongs to (its account, or itself) and every id linked to that person. */
export async function linkedIds(trx: Db, unitId: string): Promise<{ person: string; ids: string[] }> {
  const link = await trx.selectFrom('unit_aliases').select('unit_id').where('alias_id', '=', unitId).executeTakeFirst();
  const person = link?.unit_id ?? unitId;
  const aliases = await trx.selectFrom('unit_aliases').select('alias_id').where('unit_id', '=', person).execute();
  return { person, ids: [person, ...aliases.map((a) => a.alias_id)] };
}
