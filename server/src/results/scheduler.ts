/**
 * Periodic refresh of running experiments' snapshots, so that the results page reads a stored row.
 * Each refresh is incremental (refresh.ts: the exposure days that changed since the last tick; a full
 * recompute at most hourly). One experiment at a time (every refresh still scans the experiment's
 * exposures; running them in parallel would only compete for the same disk), stalest first, at most
 * `batch` per tick.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { getExperiment } from '../experiments/repository.js';
import type { Logger } from '../http/logger.js';
import { DEFAULT_SEGMENT_TOP } from './schemas.js';
import { refreshSnapshot } from './service.js';
import { staleRunningExperiments } from './snapshot-repository.js';

export interface SchedulerOptions {
  /** Milliseconds between ticks; default 60 s. */
  intervalMs?: number;
  /** Refresh snapshots older than this; default the interval. */
  maxAgeMs?: number;
  /** Experiments per tick; default 20. */
  batch?: number;
}

/** One pass: refresh every stale running experiment (up to `batch`); returns the keys refreshed. */
export async function refreshStaleResults(
  deps: { db: Kysely<Database>; logger: Logger; now: () => Date },
  options: { maxAgeMs: number; batch: number },
): Promise<string[]> {
  const keys = await staleRunningExperiments(deps.db, new Date(deps.now().getTime() - options.maxAgeMs), options.batch);
  const done: string[] = [];
  for (const key of keys) {
    try {
      const experiment = await getExperiment(deps.db, key);
      await refreshSnapshot(deps.db, experiment, { top: DEFAULT_SEGMENT_TOP }, deps.now());
      done.push(key);
    } catch (error) {
      deps.logger.warn('results refresh failed', { experiment: key, error: String(error) });
    }
  }
  return done;
}

/** Starts the timer; returns `stop`. Ticks never overlap, and the timer does not keep the process alive. */
export function startResultsScheduler(deps: { db: Kysely<Database>; logger: Logger; now: () => Date }, options: SchedulerOptions = {}): () => void {
  const intervalMs = options.intervalMs ?? 60_000;
  const settings = { maxAgeMs: options.maxAgeMs ?? intervalMs, batch: options.batch ?? 20 };
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    refreshStaleResults(deps, settings)
      .catch((error: unknown) => deps.logger.warn('results scheduler tick failed', { error: String(error) }))
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
