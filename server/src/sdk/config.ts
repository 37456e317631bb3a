import { createHash } from 'node:crypto';
import type { SdkConfig, SdkExperiment } from '@touchpoint/client-sdk';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { listExperiments } from '../experiments/repository.js';
import type { Experiment } from '../experiments/schemas.js';

/** An experiment as the SDK evaluates it (design.md §4): only what assignment needs, nothing internal. */
export function toSdkExperiment(experiment: Experiment): SdkExperiment {
  return {
    key: experiment.key,
    salt: experiment.salt,
    variants: experiment.variants.map((v) => ({ key: v.key, weight: v.weight, ...(v.payload !== null && { payload: v.payload as never }) })),
    coverage: experiment.coverage,
    namespace: experiment.namespace,
    targeting: (experiment.targeting ?? null) as SdkExperiment['targeting'],
    ...(experiment.stickyBucketing && { sticky: true }),
  };
}

/** Running experiments only: a paused or stopped experiment serves the default experience. */
export async function loadRunningExperiments(db: Kysely<Database>): Promise<Experiment[]> {
  return listExperiments(db, { status: 'running', archived: false, limit: 10_000, offset: 0 });
}

export function buildSdkConfig(experiments: Experiment[]): { config: SdkConfig; etag: string } {
  const sdkExperiments = experiments.map(toSdkExperiment).sort((a, b) => a.key.localeCompare(b.key));
  // The ETag depends on content only (not on generatedAt), so unchanged configs answer 304.
  const etag = `"${createHash('sha256').update(JSON.stringify(sdkExperiments)).digest('base64url').slice(0, 27)}"`;
  return { config: { experiments: sdkExperiments }, etag };
}
