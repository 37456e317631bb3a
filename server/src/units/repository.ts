import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { type Actor, recordAudit } from '../audit/repository.js';
import type { Database } from '../db/schema.js';

export interface ErasureResult {
  exposuresDeleted: number;
  eventsDeleted: number;
}

/**
 * The audit trail must show that an erasure happened without keeping the identifier it erased:
 * it records a SHA-256 digest, which whoever knows the id can recompute to prove the request was honoured.
 */
export function unitDigest(unitId: string): string {
  return `sha256:${createHash('sha256').update(unitId, 'utf8').digest('hex')}`;
}

/** Right to erasure: every exposure and event of one unit, in one transaction, audited. */
export async function eraseUnit(db: Kysely<Database>, actor: Actor, unitId: string): Promise<ErasureResult> {
  return db.transaction().execute(async (trx) => {
    const exposures = await trx.deleteFrom('exposures').where('unit_id', '=', unitId).executeTakeFirst();
    const events = await trx.deleteFrom('events').where('unit_id', '=', unitId).executeTakeFirst();
    const result = { exposuresDeleted: Number(exposures.numDeletedRows), eventsDeleted: Number(events.numDeletedRows) };
    await recordAudit(trx, actor, { entityType: 'unit', entityKey: unitDigest(unitId), action: 'erase', before: null, after: result });
    return result;
  });
}
