import type { Kysely } from 'kysely';
import type { Database, JsonValue } from '../db/schema.js';

/** Who made a change: the API key and the request, both recorded with every audit entry. */
export interface Actor {
  keyId: string | null;
  requestId: string | null;
}

export interface AuditEntry {
  entityType: 'touchpoint' | 'metric' | 'experiment' | 'api_key' | 'unit' | 'webhook';
  entityKey: string;
  action: string;
  before: unknown;
  after: unknown;
}

export interface AuditRecord extends AuditEntry {
  id: number;
  at: string;
  keyId: string | null;
  requestId: string | null;
}

const json = (value: unknown): string | null => (value === undefined || value === null ? null : JSON.stringify(value));

/** Writes one audit entry; call it inside the transaction that makes the change. */
export async function recordAudit(db: Kysely<Database>, actor: Actor, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      key_id: actor.keyId,
      request_id: actor.requestId,
      entity_type: entry.entityType,
      entity_key: entry.entityKey,
      action: entry.action,
      before: json(entry.before),
      after: json(entry.after),
    })
    .execute();
}

/** Change history of one entity, newest first. */
export async function listAudit(
  db: Kysely<Database>,
  entityType: AuditEntry['entityType'],
  entityKey: string,
  { limit, offset }: { limit: number; offset: number },
): Promise<AuditRecord[]> {
  const rows = await db
    .selectFrom('audit_log')
    .selectAll()
    .where('entity_type', '=', entityType)
    .where('entity_key', '=', entityKey)
    .orderBy('id', 'desc')
    .limit(limit)
    .offset(offset)
    .execute();
  return rows.map((row) => ({
    id: row.id,
    at: row.at.toISOString(),
    keyId: row.key_id,
    requestId: row.request_id,
    entityType: row.entity_type as AuditEntry['entityType'],
    entityKey: row.entity_key,
    action: row.action,
    before: row.before as JsonValue,
    after: row.after as JsonValue,
  }));
}
