import type { Kysely } from 'kysely';
import { type Actor, recordAudit } from '../audit/repository.js';
import type { Database } from '../db/schema.js';
import { ProblemError, invalidField } from '../http/problem.js';
import { type ExpectedVersion, staleVersion } from '../http/versioning.js';
import { checkReferences, getExperiment, writeMetricLinks, writeVariants } from './repository.js';
import { claimNamespaceRange } from './namespace-repository.js';
import { type LifecycleAction, auditAction, canArchive, nextStatus, planEdit } from './rules.js';
import type { Experiment, UpdateExperiment } from './schemas.js';
import { announceLifecycle, announceRolloutEnded } from '../webhooks/lifecycle.js';

type Db = Kysely<Database>;
type Loaded = Experiment & { id: number };

const publicView = ({ id: _id, ...experiment }: Loaded): Experiment => experiment;

/**
 * Runs `change` on the experiment locked FOR UPDATE inside one transaction, after checking the
 * version the client edited; bumps the version and writes the audit entry. Two concurrent edits of
 * the same version: the second waits for the lock, then sees the new version and gets 409/412.
 */
async function mutate(
  db: Db,
  actor: Actor,
  key: string,
  expected: ExpectedVersion | null,
  action: string | ((current: Loaded) => string),
  change: (trx: Db, current: Loaded) => Promise<void>,
  now: Date,
): Promise<Experiment> {
  return db.transaction().execute(async (trx) => {
    const current = await getExperiment(trx, key, { forUpdate: true });
    if (expected && current.version !== expected.version) throw staleVersion(expected, current.version);
    const actionName = typeof action === 'function' ? action(current) : action;
    await change(trx, current);
    await trx.updateTable('experiments').set({ version: current.version + 1, updated_at: now }).where('id', '=', current.id).execute();
    const after = await getExperiment(trx, key);
    await recordAudit(trx, actor, { entityType: 'experiment', entityKey: key, action: actionName, before: publicView(current), after: publicView(after) });
    return publicView(after);
  });
}

async function closePhase(trx: Db, experimentId: number, at: Date): Promise<void> {
  await trx.updateTable('experiment_phases').set({ ended_at: at }).where('experiment_id', '=', experimentId).where('ended_at', 'is', null).execute();
}

async function openPhase(trx: Db, experiment: { id: number; phase: number | null }, coverage: number, weights: number[], at: Date): Promise<void> {
  await closePhase(trx, experiment.id, at);
  await trx
    .insertInto('experiment_phases')
    .values({ experiment_id: experiment.id, phase: (experiment.phase ?? -1) + 1, started_at: at, coverage, weights: JSON.stringify(weights) })
    .execute();
}

export async function updateExperiment(db: Db, actor: Actor, key: string, patch: UpdateExperiment, expected: ExpectedVersion, now: Date): Promise<Experiment> {
  return mutate(db, actor, key, expected, 'update', async (trx, current) => {
    const plan = planEdit(current, patch);
    await checkReferences(trx, patch);
    const lists = {
      primaryMetric: patch.primaryMetric !== undefined ? patch.primaryMetric : current.primaryMetric,
      secondaryMetrics: patch.secondaryMetrics ?? current.secondaryMetrics,
      guardrailMetrics: patch.guardrailMetrics ?? current.guardrailMetrics,
    };
    const all = [lists.primaryMetric, ...lists.secondaryMetrics, ...lists.guardrailMetrics].filter(Boolean);
    if (new Set(all).size !== all.length) throw invalidField(['secondaryMetrics'], 'a metric may appear in only one role');
    const changes = {
        ...(patch.name !== undefined && { name: patch.name }),
        ...(patch.hypothesis !== undefined && { hypothesis: patch.hypothesis }),
        ...(patch.touchpointKey !== undefined && { touchpoint_key: patch.touchpointKey }),
        ...(patch.coverage !== undefined && { coverage: patch.coverage }),
        ...(patch.targeting !== undefined && { targeting: patch.targeting === null ? null : JSON.stringify(patch.targeting) }),
        ...(patch.namespace !== undefined && { namespace: patch.namespace === null ? null : JSON.stringify(patch.namespace) }),
        ...(patch.salt !== undefined && { salt: patch.salt }),
        ...(patch.alpha !== undefined && { alpha: patch.alpha }),
        ...(patch.correction !== undefined && { correction: patch.correction }),
        ...(patch.sequential !== undefined && {
          sequential: patch.sequential !== null,
          ...(patch.sequential && { sequential_tuning: patch.sequential.tuningParameter }),
        }),
        ...(patch.minimumDetectableEffect !== undefined && { minimum_detectable_effect: patch.minimumDetectableEffect }),
        ...(patch.minimumDays !== undefined && { minimum_days: patch.minimumDays }),
        ...(patch.stickyBucketing !== undefined && { sticky_bucketing: patch.stickyBucketing }),
    };
    if (Object.keys(changes).length) await trx.updateTable('experiments').set(changes).where('id', '=', current.id).execute();
    if (patch.variants) await writeVariants(trx, current.id, patch.variants);
    if (patch.primaryMetric !== undefined || patch.secondaryMetrics || patch.guardrailMetrics) await writeMetricLinks(trx, current.id, lists);
    if (plan.opensPhase) {
      const weights = (patch.variants ?? current.variants).map((v) => v.weight);
      await openPhase(trx, current, patch.coverage ?? current.coverage, weights, now);
    }
  }, now);
}

export async function transitionExperiment(
  db: Db,
  actor: Actor,
  key: string,
  action: LifecycleAction,
  options: { expected: ExpectedVersion | null; winner?: string | null | undefined; note?: string | null | undefined; ship?: boolean | undefined },
  now: Date,
): Promise<Experiment> {
  return mutate(db, actor, key, options.expected, (current) => auditAction(current.status, action), async (trx, current) => {
    const status = nextStatus(current, action);
    if (action === 'start') {
      // Mutual exclusion: the range must not overlap a running or paused experiment of its namespace.
      if (current.namespace) await claimNamespaceRange(trx, current.key, current.namespace);
      // The first start opens phase 0; resuming from a pause continues the same phase.
      if (current.phase === null) await openPhase(trx, current, current.coverage, current.variants.map((v) => v.weight), now);
      await trx.updateTable('experiments').set({ status, ...(current.startedAt === null && { started_at: now }) }).where('id', '=', current.id).execute();
      await announceLifecycle(trx, action, current, status, now);
      return;
    }
    if (action === 'pause') {
      await trx.updateTable('experiments').set({ status }).where('id', '=', current.id).execute();
      await announceLifecycle(trx, action, current, status, now);
      return;
    }
    const winner = options.winner ?? null;
    if (winner !== null && !current.variants.some((v) => v.key === winner)) {
      throw invalidField(['winner'], `"${winner}" is not a variant of this experiment (${current.variants.map((v) => v.key).join(', ')})`);
    }
    // The schema already refused ship without a winner; the winner is checked against the variants above.
    const rollout = options.ship && winner !== null ? { variantKey: winner, since: now.toISOString() } : null;
    await closePhase(trx, current.id, now);
    await trx
      .updateTable('experiments')
      .set({
        status,
        stopped_at: now,
        decision: JSON.stringify({ winner, note: options.note ?? null }),
        rollout_variant_key: rollout?.variantKey ?? null,
        rollout_since: rollout ? now : null,
      })
      .where('id', '=', current.id)
      .execute();
    await announceLifecycle(trx, action, current, status, now, { winner, note: options.note ?? null, rollout });
  }, now);
}

/**
 * Ends a shipped winner's rollout (design.md §8): /sdk/config stops serving the experiment, so every
 * unit is back to the default experience. 409 when nothing is being served.
 */
export async function endRollout(db: Db, actor: Actor, key: string, expected: ExpectedVersion | null, now: Date): Promise<Experiment> {
  return mutate(db, actor, key, expected, 'end-rollout', async (trx, current) => {
    if (!current.rollout) {
      throw new ProblemError('invalid-transition', `Experiment "${key}" has no rollout to end (only a stopped experiment shipped with ship: true has one).`, {
        currentStatus: current.status,
      });
    }
    await trx.updateTable('experiments').set({ rollout_variant_key: null, rollout_since: null }).where('id', '=', current.id).execute();
    await announceRolloutEnded(trx, current, now);
  }, now);
}

export async function setArchived(db: Db, actor: Actor, key: string, archived: boolean, expected: ExpectedVersion | null, now: Date): Promise<Experiment> {
  return mutate(db, actor, key, expected, archived ? 'archive' : 'unarchive', async (trx, current) => {
    if (archived) canArchive(current);
    if (Boolean(current.archivedAt) === archived) {
      throw new ProblemError('invalid-transition', `Experiment "${key}" is ${archived ? 'already' : 'not'} archived.`);
    }
    await trx.updateTable('experiments').set({ archived_at: archived ? now : null }).where('id', '=', current.id).execute();
  }, now);
}
