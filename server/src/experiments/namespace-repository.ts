import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/schema.js';
import { ProblemError } from '../http/problem.js';
import { type Holder, type Range, conflictDetail, conflictsWith, freeRanges } from './namespaces.js';

type Db = Kysely<Database>;

/**
 * First key of the namespace locks (the second is the namespace id's hash). Two-key advisory locks
 * are a key space apart from the one-key locks (db/leader-lock.ts): they can never meet.
 */
const NAMESPACE_LOCK_CLASS = 1_414_745_939;

/** The running and paused experiments holding a range, per namespace id (all namespaces, or one). */
export async function namespaceHolders(db: Db, namespaceId?: string): Promise<Map<string, Holder[]>> {
  let query = db
    .selectFrom('experiments')
    .select(['key', 'status', 'namespace'])
    .where('status', 'in', ['running', 'paused'])
    .where('namespace', 'is not', null);
  if (namespaceId !== undefined) query = query.where(sql<string>`namespace ->> 'id'`, '=', namespaceId);
  const rows = await query.orderBy('key').execute();
  const byNamespace = new Map<string, Holder[]>();
  for (const row of rows) {
    const ns = row.namespace as { id: string; range: [number, number] };
    const holders = byNamespace.get(ns.id) ?? [];
    holders.push({ key: row.key, status: row.status, range: ns.range });
    byNamespace.set(ns.id, holders);
  }
  return byNamespace;
}

/**
 * Inside the start (or resume) transaction: take the namespace's lock, then refuse the range if a
 * running or paused experiment of the namespace overlaps it (409 `namespace-conflict`, naming them
 * and the free ranges). The lock is a transaction-level advisory lock on the namespace id: two starts
 * in one namespace run this check one after the other, and the second, reading after the first has
 * committed (READ COMMITTED: each statement sees what committed before it), sees the first running.
 * A constraint cannot say "ranges overlap within the running ones of a namespace" on a jsonb column
 * without a second table; the lock is the smaller change.
 */
export async function claimNamespaceRange(trx: Db, experimentKey: string, namespace: { id: string; range: Range }): Promise<void> {
  await sql`select pg_advisory_xact_lock(${NAMESPACE_LOCK_CLASS}::int, hashtext(${namespace.id}::text))`.execute(trx);
  const holders = ((await namespaceHolders(trx, namespace.id)).get(namespace.id) ?? []).filter((h) => h.key !== experimentKey);
  const conflicts = conflictsWith(namespace.range, holders);
  if (conflicts.length === 0) return;
  const free = freeRanges(holders);
  throw new ProblemError('namespace-conflict', conflictDetail(namespace.id, namespace.range, conflicts, free), {
    namespace: namespace.id,
    range: namespace.range,
    conflicts: conflicts.map((c) => ({ key: c.key, status: c.status, range: c.range })),
    freeRanges: free,
  });
}
