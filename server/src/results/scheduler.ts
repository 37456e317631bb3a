/**
 * Periodic refresh of running experiments' snapshots, so that the results page reads a stored row.
 * Each refresh is incremental (refresh.ts: the exposure days that changed since the last tick; a full
 * recompute at most hourly). One experiment at a time (every refresh still scans the experiment's
 * exposures; running them in parallel would only compete for the same disk), stalest first, at most
 * `batch` per tick. With several instances on one PostgreSQL, only the one holding the background-jobs
 * lock refreshes (db/leader-lock.ts); the others' ticks only check whether the lock became free.
 */
import type { Kysely } from 'kysely';
import type { Leadership } from '../db/leader-lock.js';
import type { Database } from '../db/schema.js';
import type { EventStore } from '../events/event-store.js';
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
  /** Who may run the refresh; default: this instance always (a single process). */
  leadership?: Leadership;
}

/** One pass: refresh every stale running experiment (up to `batch`); returns the keys refreshed. */
export async function refreshStaleResults(
  deps: { db: Kysely<Database>; logger: Logger; now: () => Date; events?: EventStore | undefined },
  options: { maxAgeMs: number; batch: number },
): Promise<string[]> {
  const keys = await staleRunningExperiments(deps.db, new Date(deps.now().getTime() - options.maxAgeMs), options.batch);
  const done: string[] = [];
  for (const key of keys) {
    try {
      const experiment = await getExperiment(deps.db, key);
      await refreshSnapshot(deps.db, experiment, { top: DEFAULT_SEGMENT_TOP }, deps.now(), undefined, { events: deps.events?.reads(deps.db) });
      done.push(key);
    } catch (error) {
      deps.logger.warn('results refresh failed', { experiment: key, error: String(error) });
    }
  }
  return done;
}

/**
 * Starts the timer; returns `stop`, which resolves once a tick in progress has finished and the
 * leader lock is given up. Ticks never overlap, and the timer does not keep the process alive.
 */
export function startResultsScheduler(deps: { db: Kysely<Database>; logger: Logger; now: () => Date; events?: EventStore | undefined }, options: SchedulerOptions = {}): () => Promise<void> {
  const intervalMs = options.intervalMs ?? 60_000;
  const settings = { maxAgeMs: options.maxAgeMs ?? intervalMs, batch: options.batch ?? 20 };
  const leadership = options.leadership;
  let tick: Promise<void> | undefined;
  const timer = setInterval(() => {
    if (tick) return;
    tick = (async () => {
      if (leadership && !(await leadership.acquire())) return;
      const refreshed = await refreshStaleResults(deps, settings);
      if (refreshed.length > 0) deps.logger.debug('results refreshed', { experiments: refreshed });
    })()
      .catch((error: unknown) => deps.logger.warn('results scheduler tick failed', { error: String(error) }))
      .finally(() => {
        tick = undefined;
      });
  }, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await tick;
    await leadership?.release();
  };
}
