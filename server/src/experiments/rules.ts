import { ProblemError } from '../http/problem.js';
import type { Experiment, ExperimentStatus, UpdateExperiment } from './schemas.js';

/**
 * The lifecycle and edit rules, as pure functions so they can be read and tested in one place.
 *
 *   draft ──start──▶ running ◀──start── paused
 *                      │  └────pause────▶ │
 *                      └──────stop──────▶ stopped ◀──stop── (paused)
 */
export type LifecycleAction = 'start' | 'pause' | 'stop';

const TRANSITIONS: Record<LifecycleAction, { from: ExperimentStatus[]; to: ExperimentStatus }> = {
  start: { from: ['draft', 'paused'], to: 'running' },
  pause: { from: ['running'], to: 'paused' },
  stop: { from: ['running', 'paused'], to: 'stopped' },
};

/** The status an action leads to, or a 409 naming what is possible instead. */
export function nextStatus(current: Experiment, action: LifecycleAction): ExperimentStatus {
  const rule = TRANSITIONS[action];
  if (current.archivedAt) throw new ProblemError('invalid-transition', `Experiment "${current.key}" is archived; unarchive it first.`);
  if (!rule.from.includes(current.status)) {
    throw new ProblemError('invalid-transition', `Cannot ${action} an experiment that is ${current.status} (allowed from: ${rule.from.join(', ')}).`, {
      currentStatus: current.status,
    });
  }
  if (action === 'start' && !current.primaryMetric) {
    throw new ProblemError('invalid-transition', 'Set a primary metric before starting: results need one to decide.', { currentStatus: current.status });
  }
  return rule.to;
}

/** The audit action name: starting a paused experiment is a resume. */
export function auditAction(current: ExperimentStatus, action: LifecycleAction): string {
  return action === 'start' && current === 'paused' ? 'resume' : action;
}

export function canArchive(current: Experiment): void {
  if (current.status === 'running' || current.status === 'paused') {
    throw new ProblemError('invalid-transition', `Stop experiment "${current.key}" before archiving it.`, { currentStatus: current.status });
  }
  // An archived experiment is out of every list: it must not go on serving its winner unseen.
  if (current.rollout) {
    throw new ProblemError('invalid-transition', `Experiment "${current.key}" is serving "${current.rollout.variantKey}" to everyone; end the rollout before archiving it.`, {
      currentStatus: current.status,
    });
  }
}

export interface EditPlan {
  /** The allocation (coverage or weights) changes while live: a new phase opens. */
  opensPhase: boolean;
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * Which edits a live experiment accepts. Draft: anything. Running or paused: analysis settings and
 * names freely; raising coverage; weights, payloads, script-tag changes and redirects, targeting or lowering coverage only with
 * `newPhase: true`; never the variant set, the salt or the namespace (they would reshuffle units
 * already exposed). Stopped: names only.
 */
export function planEdit(current: Experiment, patch: UpdateExperiment): EditPlan {
  const locked = (field: string, detail: string) =>
    new ProblemError('experiment-locked', detail, { errors: [{ field, pointer: `/${field}`, detail }] });
  if (current.archivedAt) throw new ProblemError('experiment-locked', `Experiment "${current.key}" is archived; unarchive it to edit.`);
  if (current.status === 'draft') {
    if (patch.newPhase) throw locked('newPhase', 'newPhase applies only to a running or paused experiment');
    return { opensPhase: false };
  }
  if (current.status === 'stopped') {
    const allowed = new Set(['name', 'hypothesis', 'version']);
    const field = Object.keys(patch).find((k) => !allowed.has(k) && patch[k as keyof UpdateExperiment] !== undefined);
    if (field) throw locked(field, 'a stopped experiment is read-only except its name and hypothesis');
    return { opensPhase: false };
  }
  // running or paused
  if (patch.salt !== undefined && patch.salt !== current.salt) throw locked('salt', 'the salt cannot change while the experiment is live: every unit would be reshuffled');
  if (patch.namespace !== undefined && !sameJson(patch.namespace, current.namespace)) {
    throw locked('namespace', 'the namespace cannot change while the experiment is live');
  }
  if (patch.touchpointKey !== undefined && patch.touchpointKey !== current.touchpointKey) {
    throw locked('touchpointKey', 'the touchpoint cannot change while the experiment is live');
  }
  let allocationChanges = false;
  let needsPhase: string | null = null;
  if (patch.variants) {
    const keys = patch.variants.map((v) => v.key);
    if (!sameJson(keys, current.variants.map((v) => v.key))) {
      throw locked('variants', 'variants cannot be added, removed or reordered while the experiment is live');
    }
    patch.variants.forEach((variant, i) => {
      const before = current.variants[i]!;
      if (variant.weight !== before.weight) {
        allocationChanges = true;
        needsPhase ??= `variants.${i}.weight`;
      }
      if (!sameJson(variant.payload, before.payload)) needsPhase ??= `variants.${i}.payload`;
      // What the script tag does to the page is the variant as much as its payload.
      if (!sameJson(variant.changes ?? [], before.changes ?? [])) needsPhase ??= `variants.${i}.changes`;
      if ((variant.redirect ?? null) !== (before.redirect ?? null)) needsPhase ??= `variants.${i}.redirect`;
    });
  }
  if (patch.targeting !== undefined && !sameJson(patch.targeting, current.targeting)) needsPhase ??= 'targeting';
  if (patch.coverage !== undefined && patch.coverage !== current.coverage) {
    allocationChanges = true;
    if (patch.coverage < current.coverage) needsPhase ??= 'coverage';
  }
  if (needsPhase && !patch.newPhase) {
    throw locked(needsPhase, `changing ${needsPhase} while the experiment is live needs "newPhase": true (raising coverage does not)`);
  }
  return { opensPhase: allocationChanges || Boolean(patch.newPhase && needsPhase) };
}
