import { createHash } from 'node:crypto';
import type { SdkConfig, SdkExperiment, SdkVariant } from '@touchpoint/client-sdk';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { listServedExperiments } from '../experiments/repository.js';
import type { Experiment } from '../experiments/schemas.js';

/** An experiment with its touchpoint's URL pattern, which the script tag matches pages against. */
export type RunningExperiment = Experiment & { urlPattern?: string | null };

/** A variant as the SDK sees it: key, weight and what the page renders (payload, script-tag changes, redirect). */
function toSdkVariant(v: Experiment['variants'][number]): SdkVariant {
  return {
    key: v.key,
    weight: v.weight,
    ...(v.payload !== null && { payload: v.payload as never }),
    // The script tag's part (design.md §10); absent when unused, so code-only configs stay as they were.
    ...(v.changes?.length && { changes: v.changes }),
    ...(v.redirect && { redirect: v.redirect }),
  };
}

/** An experiment as the SDK evaluates it (design.md §4): only what assignment needs, nothing internal. */
export function toSdkExperiment(experiment: RunningExperiment): SdkExperiment & Required<Pick<SdkExperiment, 'variants'>> {
  return {
    key: experiment.key,
    salt: experiment.salt,
    variants: experiment.variants.map(toSdkVariant),
    coverage: experiment.coverage,
    namespace: experiment.namespace,
    targeting: (experiment.targeting ?? null) as SdkExperiment['targeting'],
    ...(experiment.stickyBucketing && { sticky: true }),
    ...(experiment.urlPattern && { urlPattern: experiment.urlPattern }),
  };
}

/**
 * A shipped winner in rollout form (design.md §8): the key, the targeting (and the script tag's URL
 * pattern) and the winner, nothing to hash with. Without `variants`, an SDK that predates rollouts shows
 * the default experience and logs nothing, as it did for a stopped experiment.
 */
export function toRolloutExperiment(experiment: RunningExperiment, rollout: NonNullable<Experiment['rollout']>): SdkExperiment {
  const variantIndex = experiment.variants.findIndex((v) => v.key === rollout.variantKey);
  const { key: variantKey, weight: _weight, ...shown } = toSdkVariant(experiment.variants[variantIndex]!);
  return {
    key: experiment.key,
    targeting: (experiment.targeting ?? null) as SdkExperiment['targeting'],
    ...(experiment.urlPattern && { urlPattern: experiment.urlPattern }),
    rollout: { variantKey, variantIndex, ...shown },
  };
}

/** What /sdk/config serves for an experiment: its rollout when a winner was shipped, else the split. */
export const toServedExperiment = (experiment: RunningExperiment): SdkExperiment =>
  experiment.rollout ? toRolloutExperiment(experiment, experiment.rollout) : toSdkExperiment(experiment);

/** Running experiments and shipped winners: a paused, stopped-without-ship or archived experiment serves the default experience. */
export async function loadServedExperiments(db: Kysely<Database>): Promise<RunningExperiment[]> {
  return withUrlPatterns(db, await listServedExperiments(db));
}

/** Adds each experiment's touchpoint URL pattern (one query). */
export async function withUrlPatterns(db: Kysely<Database>, experiments: Experiment[]): Promise<RunningExperiment[]> {
  const keys = [...new Set(experiments.map((e) => e.touchpointKey))];
  if (keys.length === 0) return experiments;
  const rows = await db.selectFrom('touchpoints').select(['key', 'url_pattern']).where('key', 'in', keys).execute();
  const patterns = new Map(rows.map((r) => [r.key, r.url_pattern]));
  return experiments.map((e) => ({ ...e, urlPattern: patterns.get(e.touchpointKey) ?? null }));
}

export function buildSdkConfig(experiments: RunningExperiment[]): { config: SdkConfig; etag: string } {
  const sdkExperiments = experiments.map(toServedExperiment).sort((a, b) => a.key.localeCompare(b.key));
  // The ETag depends on content only (not on generatedAt), so unchanged configs answer 304.
  const etag = `"${createHash('sha256').update(JSON.stringify(sdkExperiments)).digest('base64url').slice(0, 27)}"`;
  return { config: { experiments: sdkExperiments }, etag };
}
