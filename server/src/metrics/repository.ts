import type { Kysely, Selectable } from 'kysely';
import { type Actor, recordAudit } from '../audit/repository.js';
import { containsPattern } from '../db/like.js';
import type { Database, MetricTable } from '../db/schema.js';
import { ProblemError, fieldError } from '../http/problem.js';
import { validationProblem } from '../http/validate.js';
import { type ExpectedVersion, staleVersion } from '../http/versioning.js';
import { type CreateMetric, type Metric, type UpdateMetric, definitionIssues } from './schemas.js';
import { unitIssues } from './units.js';

export function toMetric(row: Selectable<MetricTable>): Metric {
  return {
    key: row.key,
    name: row.name,
    type: row.type as Metric['type'],
    eventName: row.event_name,
    steps: row.steps,
    numerator: row.numerator,
    denominator: row.denominator,
    attributionHours: row.attribution_hours,
    direction: row.direction as Metric['direction'],
    description: row.description,
    guardrailMargin: row.guardrail_margin,
    unit: row.unit,
    currency: row.currency,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

const jsonOrNull = (value: unknown) => (value == null ? null : JSON.stringify(value));
const notFound = (key: string) => new ProblemError('not-found', `No metric "${key}".`);

export async function createMetric(db: Kysely<Database>, actor: Actor, input: CreateMetric, now: Date): Promise<Metric> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('metrics')
      .values({
        key: input.key,
        name: input.name,
        type: input.type,
        event_name: input.eventName ?? null,
        steps: jsonOrNull(input.steps),
        numerator: jsonOrNull(input.numerator),
        denominator: jsonOrNull(input.denominator),
        attribution_hours: input.attributionHours,
        direction: input.direction,
        description: input.description ?? null,
        guardrail_margin: input.guardrailMargin ?? null,
        unit: input.unit ?? null,
        currency: input.currency ?? null,
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) => oc.column('key').doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!row) throw new ProblemError('already-exists', `A metric "${input.key}" already exists.`, { errors: [fieldError(['key'], 'already exists')] });
    const metric = toMetric(row);
    await recordAudit(trx, actor, { entityType: 'metric', entityKey: input.key, action: 'create', before: null, after: metric });
    return metric;
  });
}

export async function getMetric(db: Kysely<Database>, key: string): Promise<Metric> {
  const row = await db.selectFrom('metrics').selectAll().where('key', '=', key).executeTakeFirst();
  if (!row) throw notFound(key);
  return toMetric(row);
}

export async function listMetrics(
  db: Kysely<Database>,
  filter: { type?: string | undefined; q?: string | undefined; limit: number; offset: number },
): Promise<Metric[]> {
  let query = db.selectFrom('metrics').selectAll();
  if (filter.type) query = query.where('type', '=', filter.type);
  if (filter.q) {
    const pattern = containsPattern(filter.q);
    query = query.where((eb) => eb.or([eb('key', 'ilike', pattern), eb('name', 'ilike', pattern)]));
  }
  return (await query.orderBy('key').limit(filter.limit).offset(filter.offset).execute()).map(toMetric);
}

export async function updateMetric(
  db: Kysely<Database>,
  actor: Actor,
  key: string,
  patch: UpdateMetric,
  expected: ExpectedVersion,
  now: Date,
): Promise<Metric> {
  return db.transaction().execute(async (trx) => {
    const current = await trx.selectFrom('metrics').selectAll().where('key', '=', key).forUpdate().executeTakeFirst();
    if (!current) throw notFound(key);
    if (current.version !== expected.version) throw staleVersion(expected, current.version);
    const before = toMetric(current);
    // The definition must stay coherent for the (fixed) type once the patch is applied.
    const merged = {
      type: before.type,
      eventName: patch.eventName !== undefined ? patch.eventName : before.eventName,
      steps: patch.steps !== undefined ? patch.steps : before.steps,
      numerator: patch.numerator !== undefined ? patch.numerator : before.numerator,
      denominator: patch.denominator !== undefined ? patch.denominator : before.denominator,
    };
    const units = {
      unit: patch.unit !== undefined ? patch.unit : before.unit,
      currency: patch.currency !== undefined ? patch.currency : before.currency,
    };
    const issues = [...definitionIssues(merged), ...unitIssues({ type: before.type, ...units })];
    if (issues.length) throw validationProblem(issues.map((i) => fieldError([i.path], i.message)));
    const row = await trx
      .updateTable('metrics')
      .set({
        event_name: merged.eventName ?? null,
        steps: jsonOrNull(merged.steps),
        numerator: jsonOrNull(merged.numerator),
        denominator: jsonOrNull(merged.denominator),
        ...(patch.name !== undefined && { name: patch.name }),
        ...(patch.attributionHours !== undefined && { attribution_hours: patch.attributionHours }),
        ...(patch.direction !== undefined && { direction: patch.direction }),
        ...(patch.description !== undefined && { description: patch.description }),
        ...(patch.guardrailMargin !== undefined && { guardrail_margin: patch.guardrailMargin }),
        unit: units.unit,
        currency: units.currency,
        version: current.version + 1,
        updated_at: now,
      })
      .where('key', '=', key)
      .returningAll()
      .executeTakeFirstOrThrow();
    const after = toMetric(row);
    await recordAudit(trx, actor, { entityType: 'metric', entityKey: key, action: 'update', before, after });
    return after;
  });
}
