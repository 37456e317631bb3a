import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/schema.js';
import { countKeys, insertKey, keyExists } from './repository.js';

export interface BootstrapResult {
  /** Secrets created now, to print once. Empty when the database already had keys. */
  created: { kind: 'admin' | 'sdk'; id: string; secret: string; preset: boolean }[];
}

const SYSTEM = { keyId: null, requestId: 'bootstrap' };
/** Any constant: names the advisory lock that serialises bootstraps across instances. */
const BOOTSTRAP_LOCK = 0x74_70_6b_62;

/**
 * On first start (no key at all) creates one admin key (ADMIN_KEY when given) and one SDK key.
 * A preset ADMIN_KEY that is not yet known is also added later, so an operator can recover access.
 */
export async function bootstrapKeys(db: Kysely<Database>, presetAdminKey: string | undefined): Promise<BootstrapResult> {
  // Instances may start together on one database. The check and the inserts run in one transaction
  // under a transaction-scoped advisory lock; otherwise both see an empty table and both create keys
  // (two admin keys printed), or both insert a preset ADMIN_KEY and the second start dies on the
  // unique digest.
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${sql.lit(BOOTSTRAP_LOCK)})`.execute(trx);
    const created: BootstrapResult['created'] = [];
    if ((await countKeys(trx)) === 0) {
      const admin = await insertKey(trx, SYSTEM, { kind: 'admin', name: 'Bootstrap admin key', ...(presetAdminKey ? { secret: presetAdminKey } : {}) });
      created.push({ kind: 'admin', id: admin.id, secret: admin.secret, preset: presetAdminKey !== undefined });
      const sdk = await insertKey(trx, SYSTEM, { kind: 'sdk', name: 'Bootstrap SDK key' });
      created.push({ kind: 'sdk', id: sdk.id, secret: sdk.secret, preset: false });
    } else if (presetAdminKey && !(await keyExists(trx, presetAdminKey))) {
      const admin = await insertKey(trx, SYSTEM, { kind: 'admin', name: 'ADMIN_KEY from environment', secret: presetAdminKey });
      created.push({ kind: 'admin', id: admin.id, secret: admin.secret, preset: true });
    }
    return { created };
  });
}
