import { createHash } from 'node:crypto';
import type { SdkConfig, SdkExperiment } from '@touchpoint/client-sdk';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { listExperiments } from '../experiments/repository.js';
import type { Experiment } from '../experiments/schemas.js';

/** An experiment with its touchpoint's URL pattern, which the script tag matches pages against. */
export type RunningExperiment = Experiment & { urlPattern?: string | null };

/** An experiment as the SDK evaluates it (design.md §4): only what assignment needs, nothing internal. */
export function toSdkExperiment(experiment: RunningExperiment): SdkExperiment {
  return {
    key: experiment.key,
    salt: experiment.salt,
    variants: experiment.variants.map((v) => ({
      key: v.key,
      weight: v.weight,
      ...(v.payload !== null && { payload: v.payload as never }),
      // The script tag's part (design.md §10); absent when unused, so code-only configs stay as they were.
      ...(v.changes?.length && { changes: v.changes }),
      ...(v.redirect && { redirect: v.redirect }),
    })),
    coverage: experiment.coverage,
    namespace: experiment.namespace,
    targeting: (experiment.targeting ?? null) as SdkExperiment['targeting'],
    ...(experiment.stickyBucketing && { sticky: true }),
    ...(experiment.urlPattern && { urlPattern: experiment.urlPattern }),
  };
}

/** Running experiments only: a paused or stopped experiment serves the default experience. */
export async function loadRunningExperiments(db: Kysely<Database>): Promise<RunningExperiment[]> {
  const experiments = await listExperiments(db, { status: 'running', archived: false, limit: 10_000, offset: 0 });
  return withUrlPatterns(db, experiments);
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
  const sdkExperiments = experiments.map(toSdkExperiment).sort((a, b) => a.key.localeCompare(b.key));
  // The ETag depends on content only (not on generatedAt), so unchanged configs answer 304.
  const etag = `"${createHash('sha256').update(JSON.stringify(sdkExperiments)).digest('base64url').slice(0, 27)}"`;
  return { config: { experiments: sdkExperiments }, etag };
}
