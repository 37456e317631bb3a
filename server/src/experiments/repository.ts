import type { Kysely, Selectable } from 'kysely';
import { type Actor, recordAudit } from '../audit/repository.js';
import { containsPattern } from '../db/like.js';
import type { Database, ExperimentTable } from '../db/schema.js';
import { type FieldError, ProblemError, fieldError } from '../http/problem.js';
import { validationProblem } from '../http/validate.js';
import { DEFAULT_TUNING_PARAMETER } from '../stats/index.js';
import type { CreateExperiment, Experiment } from './schemas.js';

type ExperimentRow = Selectable<ExperimentTable>;
type Db = Kysely<Database>;

export const experimentNotFound = (key: string) => new ProblemError('not-found', `No experiment "${key}".`);

/** Loads variants, metric links and the current phase for a set of experiment rows (three queries in all). */
async function hydrate(db: Db, rows: ExperimentRow[]): Promise<Experiment[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const [variants, links, phases] = await Promise.all([
    db.selectFrom('variants').selectAll().where('experiment_id', 'in', ids).orderBy('experiment_id').orderBy('position').execute(),
    db.selectFrom('experiment_metrics').selectAll().where('experiment_id', 'in', ids).orderBy('experiment_id').orderBy('position').execute(),
    db
      .selectFrom('experiment_phases')
      .select(['experiment_id', (eb) => eb.fn.max('phase').as('phase')])
      .where('experiment_id', 'in', ids)
      .groupBy('experiment_id')
      .execute(),
  ]);
  return rows.map((row) => {
    const own = links.filter((l) => l.experiment_id === row.id);
    return {
      key: row.key,
      name: row.name,
      hypothesis: row.hypothesis,
      touchpointKey: row.touchpoint_key,
      status: row.status as Experiment['status'],
      variants: variants
        .filter((v) => v.experiment_id === row.id)
        .map((v) => ({ key: v.key, name: v.name, weight: v.weight, payload: v.payload ?? null, changes: (v.changes ?? []) as Experiment['variants'][number]['changes'], redirect: v.redirect })),
      coverage: row.coverage,
      targeting: row.targeting ?? null,
      namespace: row.namespace,
      salt: row.salt,
      primaryMetric: own.find((l) => l.role === 'primary')?.metric_key ?? null,
      secondaryMetrics: own.filter((l) => l.role === 'secondary').map((l) => l.metric_key),
      guardrailMetrics: own.filter((l) => l.role === 'guardrail').map((l) => l.metric_key),
      alpha: row.alpha,
      correction: row.correction as Experiment['correction'],
      sequential: row.sequential ? { tuningParameter: row.sequential_tuning } : null,
      minimumDetectableEffect: row.minimum_detectable_effect,
      minimumDays: row.minimum_days,
      stickyBucketing: row.sticky_bucketing,
      decision: row.decision,
      rollout: row.rollout_variant_key && row.rollout_since ? { variantKey: row.rollout_variant_key, since: row.rollout_since.toISOString() } : null,
      phase: phases.find((p) => p.experiment_id === row.id)?.phase ?? null,
      startedAt: row.started_at?.toISOString() ?? null,
      stoppedAt: row.stopped_at?.toISOString() ?? null,
      archivedAt: row.archived_at?.toISOString() ?? null,
      version: row.version,
      createdAt: row.created_at.toISOString(),
      updatedAt: row.updated_at.toISOString(),
    };
  });
}

export async function getExperiment(db: Db, key: string, { forUpdate = false } = {}): Promise<Experiment & { id: number }> {
  let query = db.selectFrom('experiments').selectAll().where('key', '=', key);
  if (forUpdate) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  if (!row) throw experimentNotFound(key);
  const [experiment] = await hydrate(db, [row]);
  return { ...experiment!, id: row.id };
}

export interface ExperimentFilter {
  status?: string | undefined;
  touchpointKey?: string | undefined;
  q?: string | undefined;
  archived: boolean;
  limit: number;
  offset: number;
}

export async function listExperiments(db: Db, filter: ExperimentFilter): Promise<Experiment[]> {
  let query = db.selectFrom('experiments').selectAll();
  query = query.where('archived_at', filter.archived ? 'is not' : 'is', null);
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.touchpointKey) query = query.where('touchpoint_key', '=', filter.touchpointKey);
  if (filter.q) {
    const pattern = containsPattern(filter.q);
    query = query.where((eb) => eb.or([eb('key', 'ilike', pattern), eb('name', 'ilike', pattern), eb('hypothesis', 'ilike', pattern)]));
  }
  const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(filter.limit).offset(filter.offset).execute();
  return hydrate(db, rows);
}

/**
 * What /sdk/config serves (design.md §8): running experiments, and stopped ones whose winner was
 * shipped (a rollout), archived ones excepted (archiving is refused while a rollout runs).
 */
export async function listServedExperiments(db: Db): Promise<Experiment[]> {
  const rows = await db
    .selectFrom('experiments')
    .selectAll()
    .where('archived_at', 'is', null)
    .where((eb) => eb.or([eb('status', '=', 'running'), eb('rollout_variant_key', 'is not', null)]))
    .orderBy('key')
    .execute();
  return hydrate(db, rows);
}

/** References must exist: the touchpoint and every metric, each reported on its own field. */
export async function checkReferences(
  db: Db,
  refs: { touchpointKey?: string | undefined; primaryMetric?: string | null | undefined; secondaryMetrics?: string[] | undefined; guardrailMetrics?: string[] | undefined },
): Promise<void> {
  const errors: FieldError[] = [];
  if (refs.touchpointKey !== undefined) {
    const found = await db.selectFrom('touchpoints').select('key').where('key', '=', refs.touchpointKey).executeTakeFirst();
    if (!found) errors.push(fieldError(['touchpointKey'], `no touchpoint "${refs.touchpointKey}"`));
  }
  const wanted = [
    ...(refs.primaryMetric ? [{ path: ['primaryMetric'], key: refs.primaryMetric }] : []),
    ...(refs.secondaryMetrics ?? []).map((key, i) => ({ path: ['secondaryMetrics', i], key })),
    ...(refs.guardrailMetrics ?? []).map((key, i) => ({ path: ['guardrailMetrics', i], key })),
  ];
  if (wanted.length) {
    const existing = new Set(
      (await db.selectFrom('metrics').select('key').where('key', 'in', wanted.map((w) => w.key)).execute()).map((r) => r.key),
    );
    for (const w of wanted) if (!existing.has(w.key)) errors.push(fieldError(w.path, `no metric "${w.key}"`));
  }
  if (errors.length) throw validationProblem(errors);
}

export async function writeMetricLinks(
  db: Db,
  experimentId: number,
  lists: { primaryMetric: string | null; secondaryMetrics: string[]; guardrailMetrics: string[] },
): Promise<void> {
  await db.deleteFrom('experiment_metrics').where('experiment_id', '=', experimentId).execute();
  const rows = [
    ...(lists.primaryMetric ? [{ metric_key: lists.primaryMetric, role: 'primary' as const }] : []),
    ...lists.secondaryMetrics.map((metric_key) => ({ metric_key, role: 'secondary' as const })),
    ...lists.guardrailMetrics.map((metric_key) => ({ metric_key, role: 'guardrail' as const })),
  ].map((r, position) => ({ ...r, experiment_id: experimentId, position }));
  if (rows.length) await db.insertInto('experiment_metrics').values(rows).execute();
}

export async function writeVariants(db: Db, experimentId: number, variants: CreateExperiment['variants']): Promise<void> {
  await db.deleteFrom('variants').where('experiment_id', '=', experimentId).execute();
  await db
    .insertInto('variants')
    .values(
      variants.map((v, position) => ({
        experiment_id: experimentId,
        position,
        key: v.key,
        name: v.name,
        weight: v.weight,
        payload: v.payload === undefined ? null : JSON.stringify(v.payload),
        changes: v.changes?.length ? JSON.stringify(v.changes) : null,
        redirect: v.redirect ?? null,
      })),
    )
    .execute();
}

export async function createExperiment(db: Db, actor: Actor, input: CreateExperiment, now: Date): Promise<Experiment> {
  return db.transaction().execute(async (trx) => {
    await checkReferences(trx, input);
    const row = await trx
      .insertInto('experiments')
      .values({
        key: input.key,
        name: input.name,
        hypothesis: input.hypothesis ?? null,
        touchpoint_key: input.touchpointKey,
        status: 'draft',
        coverage: input.coverage,
        targeting: input.targeting == null ? null : JSON.stringify(input.targeting),
        namespace: input.namespace == null ? null : JSON.stringify(input.namespace),
        salt: input.salt ?? input.key,
        alpha: input.alpha,
        correction: input.correction,
        // Absent = on (design.md §5: peeking-safe by default), with N* as given or 5,000; null = fixed horizon.
        sequential: input.sequential !== null,
        sequential_tuning: input.sequential?.tuningParameter ?? DEFAULT_TUNING_PARAMETER,
        minimum_detectable_effect: input.minimumDetectableEffect ?? null,
        minimum_days: input.minimumDays,
        sticky_bucketing: input.stickyBucketing,
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) => oc.column('key').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!row) throw new ProblemError('already-exists', `An experiment "${input.key}" already exists.`, { errors: [fieldError(['key'], 'already exists')] });
    await writeVariants(trx, row.id, input.variants);
    await writeMetricLinks(trx, row.id, {
      primaryMetric: input.primaryMetric ?? null,
      secondaryMetrics: input.secondaryMetrics,
      guardrailMetrics: input.guardrailMetrics,
    });
    const { id: _id, ...experiment } = await getExperiment(trx, input.key);
    await recordAudit(trx, actor, { entityType: 'experiment', entityKey: input.key, action: 'create', before: null, after: experiment });
    return experiment;
  });
}
