import { createHash } from 'node:crypto';
import type { SdkConfig, SdkExperiment } from '@touchpoint/client-sdk';
import { type Kysely, sql } from 'kysely';
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

export interface RunningSnapshot {
  config: SdkConfig;
  etag: string;
}

/**
 * Every page load of every shop asks for /sdk/config, so the running set is rebuilt only when it
 * changed. One small query fingerprints it (ids and versions of running experiments: any edit bumps
 * a version, any start/pause/stop changes the set); the hydration (three more queries), the SDK
 * form and its hash are reused while the fingerprint stays the same. No staleness: the fingerprint
 * is read on every request.
 */
export function createRunningExperimentsSource(db: Kysely<Database>): () => Promise<RunningSnapshot> {
  let cached: { fingerprint: string; snapshot: RunningSnapshot } | undefined;
  return async () => {
    const { rows } = await sql<{ fingerprint: string | null }>`
      select string_agg(id::text || ':' || version::text, ',' order by id) as fingerprint
      from experiments where status = 'running' and archived_at is null`.execute(db);
    const fingerprint = rows[0]?.fingerprint ?? '';
    if (cached?.fingerprint !== fingerprint) {
      cached = { fingerprint, snapshot: buildSdkConfig(await loadRunningExperiments(db)) };
    }
    return cached.snapshot;
  };
}
