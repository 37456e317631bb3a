import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { type Actor, recordAudit } from '../audit/repository.js';
import type { Database } from '../db/schema.js';
import { type EventStore, postgresEventStore } from '../events/event-store.js';
import { deleteLinksOf, linkedIds, lockAliases } from '../events/alias-repository.js';

export interface ErasureResult {
  exposuresDeleted: number;
  eventsDeleted: number;
  /** Identity links removed (identify): the erased person's other ids are erased with it. */
  aliasesDeleted: number;
}

/**
 * The audit trail must show that an erasure happened without keeping the identifier it erased:
 * it records a SHA-256 digest, which whoever knows the id can recompute to prove the request was honoured.
 */
export function unitDigest(unitId: string): string {
  return `sha256:${createHash('sha256').update(unitId, 'utf8').digest('hex')}`;
}

/**
 * Right to erasure: every exposure and event of one person, in one transaction, audited. A person is
 * the unit and the ids `identify` linked to it (its anonymous ids, or its account and that account's
 * other anonymous ids): they are one visitor, so erasing one id erases them all, and the links go too.
 */
export async function eraseUnit(db: Kysely<Database>, actor: Actor, unitId: string, store: EventStore = postgresEventStore(db), now: Date = new Date()): Promise<ErasureResult> {
  return db.transaction().execute(async (trx) => {
    // The lock keeps a concurrent identify from linking a new id to the person being erased.
    await lockAliases(trx);
    const { person, ids } = await linkedIds(trx, unitId);
    // The event store's items first (EVENT_STORE: in this transaction, or ClickHouse before it commits).
    const { exposuresDeleted, eventsDeleted } = await store.eraseUnits(trx, ids, now);
    const aliasesDeleted = await deleteLinksOf(trx, person);
    const result = { exposuresDeleted, eventsDeleted, aliasesDeleted };
    await recordAudit(trx, actor, { entityType: 'unit', entityKey: unitDigest(unitId), action: 'erase', before: null, after: result });
    return result;
  });
}
