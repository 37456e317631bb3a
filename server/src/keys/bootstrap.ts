import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { countKeys, createKey, keyExists } from './repository.js';

export interface BootstrapResult {
  /** Secrets created now, to print once. Empty when the database already had keys. */
  created: { kind: 'admin' | 'sdk'; id: string; secret: string; preset: boolean }[];
}

const SYSTEM = { keyId: null, requestId: 'bootstrap' };

/**
 * On first start (no key at all) creates one admin key (ADMIN_KEY when given) and one SDK key.
 * A preset ADMIN_KEY that is not yet known is also added later, so an operator can recover access.
 */
export async function bootstrapKeys(db: Kysely<Database>, presetAdminKey: string | undefined): Promise<BootstrapResult> {
  const created: BootstrapResult['created'] = [];
  if ((await countKeys(db)) === 0) {
    const admin = await createKey(db, SYSTEM, { kind: 'admin', name: 'Bootstrap admin key', ...(presetAdminKey ? { secret: presetAdminKey } : {}) });
    created.push({ kind: 'admin', id: admin.id, secret: admin.secret, preset: presetAdminKey !== undefined });
    const sdk = await createKey(db, SYSTEM, { kind: 'sdk', name: 'Bootstrap SDK key' });
    created.push({ kind: 'sdk', id: sdk.id, secret: sdk.secret, preset: false });
  } else if (presetAdminKey && !(await keyExists(db, presetAdminKey))) {
    const admin = await createKey(db, SYSTEM, { kind: 'admin', name: 'ADMIN_KEY from environment', secret: presetAdminKey });
    created.push({ kind: 'admin', id: admin.id, secret: admin.secret, preset: true });
  }
  return { created };
}
