import { performance } from 'node:perf_hooks';
import type { ExperimentRef } from './classify.js';

/** The experiments that exist among `keys`, by key, as the ingestion paths look them up. */
export type ExperimentLookup = (keys: readonly string[]) => Promise<Map<string, ExperimentRef>>;

export interface ExperimentCacheOptions {
  /** How long a running experiment is trusted without asking the database again. */
  ttlMs?: number;
  /** Monotonic milliseconds; injected by tests. */
  clock?: () => number;
}

/**
 * Remembers the experiments that exposures name, so that a busy ingestion path does not look them up
 * for every batch. Only running experiments are served from memory, for `ttlMs` (1 s by default); a
 * key that is unknown, not running or expired is looked up again (one query for all such keys of a
 * batch), so an experiment that was just created or started is never refused. The price: exposures
 * may still be accepted for up to `ttlMs` after an experiment is paused or stopped — less than the
 * SDK's own batching delay, and results only count exposures inside the running period anyway.
 * The map holds only experiments that exist, so hostile unknown keys cannot grow it.
 */
export function createExperimentCache(
  load: ExperimentLookup,
  { ttlMs = 1000, clock = () => performance.now() }: ExperimentCacheOptions = {},
): ExperimentLookup {
  const entries = new Map<string, { ref: ExperimentRef; at: number }>();
  return async function lookupExperiments(keys: readonly string[]): Promise<Map<string, ExperimentRef>> {
    const now = clock();
    const refs = new Map<string, ExperimentRef>();
    const stale: string[] = [];
    for (const key of new Set(keys)) {
      const entry = entries.get(key);
      if (entry && now - entry.at < ttlMs && entry.ref.status === 'running' && !entry.ref.archived) refs.set(key, entry.ref);
      else stale.push(key);
    }
    if (stale.length > 0) {
      const loaded = await load(stale);
      for (const key of stale) {
        const ref = loaded.get(key);
        if (ref) {
          entries.set(key, { ref, at: now });
          refs.set(key, ref);
        } else entries.delete(key);
      }
    }
    return refs;
  };
}
