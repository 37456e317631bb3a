import type { Kysely, Selectable } from 'kysely';
import { type Actor, recordAudit } from '../audit/repository.js';
import { containsPattern } from '../db/like.js';
import type { Database, TouchpointTable } from '../db/schema.js';
import { ProblemError, fieldError } from '../http/problem.js';
import { type ExpectedVersion, staleVersion } from '../http/versioning.js';
import type { CreateTouchpoint, Touchpoint, UpdateTouchpoint } from './schemas.js';

function toTouchpoint(row: Selectable<TouchpointTable>): Touchpoint {
  return {
    key: row.key,
    name: row.name,
    kind: row.kind as Touchpoint['kind'],
    funnelStage: row.funnel_stage as Touchpoint['funnelStage'],
    urlPattern: row.url_pattern,
    description: row.description,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

const notFound = (key: string) => new ProblemError('not-found', `No touchpoint "${key}".`);

export async function createTouchpoint(db: Kysely<Database>, actor: Actor, input: CreateTouchpoint, now: Date): Promise<Touchpoint> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('touchpoints')
      .values({
        key: input.key,
        name: input.name,
        kind: input.kind,
        funnel_stage: input.funnelStage,
        url_pattern: input.urlPattern ?? null,
        description: input.description ?? null,
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) => oc.column('key').doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!row) throw new ProblemError('already-exists', `A touchpoint "${input.key}" already exists.`, { errors: [fieldError(['key'], 'already exists')] });
    const touchpoint = toTouchpoint(row);
    await recordAudit(trx, actor, { entityType: 'touchpoint', entityKey: input.key, action: 'create', before: null, after: touchpoint });
    return touchpoint;
  });
}

export async function getTouchpoint(db: Kysely<Database>, key: string): Promise<Touchpoint> {
  const row = await db.selectFrom('touchpoints').selectAll().where('key', '=', key).executeTakeFirst();
  if (!row) throw notFound(key);
  return toTouchpoint(row);
}

export async function listTouchpoints(
  db: Kysely<Database>,
  filter: { funnelStage?: string | undefined; kind?: string | undefined; q?: string | undefined; limit: number; offset: number },
): Promise<Touchpoint[]> {
  let query = db.selectFrom('touchpoints').selectAll();
  if (filter.funnelStage) query = query.where('funnel_stage', '=', filter.funnelStage);
  if (filter.kind) query = query.where('kind', '=', filter.kind);
  if (filter.q) {
    const pattern = containsPattern(filter.q);
    query = query.where((eb) => eb.or([eb('key', 'ilike', pattern), eb('name', 'ilike', pattern)]));
  }
  const rows = await query.orderBy('key').limit(filter.limit).offset(filter.offset).execute();
  return rows.map(toTouchpoint);
}

export async function updateTouchpoint(
  db: Kysely<Database>,
  actor: Actor,
  key: string,
  patch: UpdateTouchpoint,
  expected: ExpectedVersion,
  now: Date,
): Promise<Touchpoint> {
  return db.transaction().execute(async (trx) => {
    const current = await trx.selectFrom('touchpoints').selectAll().where('key', '=', key).forUpdate().executeTakeFirst();
    if (!current) throw notFound(key);
    if (current.version !== expected.version) throw staleVersion(expected, current.version);
    const row = await trx
      .updateTable('touchpoints')
      .set({
        ...(patch.name !== undefined && { name: patch.name }),
        ...(patch.kind !== undefined && { kind: patch.kind }),
        ...(patch.funnelStage !== undefined && { funnel_stage: patch.funnelStage }),
        ...(patch.urlPattern !== undefined && { url_pattern: patch.urlPattern }),
        ...(patch.description !== undefined && { description: patch.description }),
        version: current.version + 1,
        updated_at: now,
      })
      .where('key', '=', key)
      .returningAll()
      .executeTakeFirstOrThrow();
    const before = toTouchpoint(current);
    const after = toTouchpoint(row);
    await recordAudit(trx, actor, { entityType: 'touchpoint', entityKey: key, action: 'update', before, after });
    return after;
  });
}

/** Deletes a touchpoint that no experiment uses; experiments keep their history, so in-use is refused. */
export async function deleteTouchpoint(db: Kysely<Database>, actor: Actor, key: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const current = await trx.selectFrom('touchpoints').selectAll().where('key', '=', key).forUpdate().executeTakeFirst();
    if (!current) throw notFound(key);
    const used = await trx
      .selectFrom('experiments')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('touchpoint_key', '=', key)
      .executeTakeFirstOrThrow();
    if (Number(used.n) > 0) {
      throw new ProblemError('in-use', `Touchpoint "${key}" is used by ${used.n} experiment(s); archive or move them first.`);
    }
    await trx.deleteFrom('touchpoints').where('key', '=', key).execute();
    await recordAudit(trx, actor, { entityType: 'touchpoint', entityKey: key, action: 'delete', before: toTouchpoint(current), after: null });
  });
}
