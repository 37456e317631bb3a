import type { Kysely } from 'kysely';
import type { Database, JsonValue } from '../db/schema.js';

/** Who did something, as every audit entry names it (design.md §9). */
export interface ActorRef {
  type: 'user' | 'key';
  id: string;
  name: string;
}

/**
 * Who made a change and in which request, recorded with every audit entry. `who` names the person or
 * key (http/versioning.ts actorOf sets it from the request); without it, an entry made with `keyId`
 * names that key (its name read in the same statement), and one with neither was made by the server
 * itself (first start, demo seeding).
 */
export interface Actor {
  keyId: string | null;
  requestId: string | null;
  who?: ActorRef | null;
}

export interface AuditEntry {
  entityType: 'touchpoint' | 'metric' | 'experiment' | 'api_key' | 'unit' | 'webhook' | 'user';
  entityKey: string;
  action: string;
  before: unknown;
  after: unknown;
}

export interface AuditRecord extends AuditEntry {
  id: number;
  at: string;
  /** The key that made the change, when a key did (kept for clients older than `actor`). */
  keyId: string | null;
  requestId: string | null;
  /** Who made the change; null for the server itself (first start, demo seeding). */
  actor: ActorRef | null;
}

const json = (value: unknown): string | null => (value === undefined || value === null ? null : JSON.stringify(value));

/** Writes one audit entry; call it inside the transaction that makes the change. */
export async function recordAudit(db: Kysely<Database>, actor: Actor, entry: AuditEntry): Promise<void> {
  const who = actor.who ?? null;
  const keyId = who?.type === 'key' ? who.id : who ? null : actor.keyId;
  await db
    .insertInto('audit_log')
    .values((eb) => ({
      key_id: keyId,
      request_id: actor.requestId,
      actor_type: who?.type ?? (keyId ? 'key' : null),
      actor_id: who?.id ?? keyId,
      actor_name: who ? who.name : keyId ? eb.selectFrom('api_keys').select('name').where('id', '=', keyId) : null,
      entity_type: entry.entityType,
      entity_key: entry.entityKey,
      action: entry.action,
      before: json(entry.before),
      after: json(entry.after),
    }))
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
    actor: row.actor_type && row.actor_id ? { type: row.actor_type, id: row.actor_id, name: row.actor_name ?? row.actor_id } : null,
    entityType: row.entity_type as AuditEntry['entityType'],
    entityKey: row.entity_key,
    action: row.action,
    before: row.before as JsonValue,
    after: row.after as JsonValue,
  }));
}
