import type { Kysely } from 'kysely';
import type { ChangeFeed } from '../db/change-feed.js';
import type { Database } from '../db/schema.js';
import { loadExperimentRefs } from '../events/repository.js';
import type { Logger } from '../http/logger.js';
import { listActiveSdkKeys } from '../keys/repository.js';
import { loadServedExperiments } from '../sdk/config.js';
import { liveReloadDuration, liveReloadFailures } from '../telemetry/metrics.js';
import { type CatalogState, experimentsPart, keysPart } from './state.js';

/** The parts of the state a change reloads: experiments (with their variants) or SDK keys. */
type Part = 'experiments' | 'keys';
const ALL: readonly Part[] = ['experiments', 'keys'];
// touchpoints: their URL patterns are served with the experiments (the script tag matches pages on them).
const PARTS_BY_TABLE: Record<string, readonly Part[]> = { experiments: ['experiments'], variants: ['experiments'], touchpoints: ['experiments'], api_keys: ['keys'] };

/**
 * One in-process view of what the hot paths need (issue 16): running experiments and shipped winners in SDK form with
 * their ETag, active SDK keys by digest, every experiment's status for ingestion. /sdk/config,
 * /sdk/assign and /sdk/events read it without a query.
 *
 * Freshness:
 * - every committed write to experiments, variants or api_keys is announced by a trigger
 *   (migrations/0013) on the change feed (db/change-feed.ts), on every instance; the part it touches
 *   is reloaded, and reads wait for that reload, so a change is never served stale once it is known;
 * - this instance's own writes through the API call `invalidate()` when they answer (app.ts), so a
 *   client reads its own writes even before the notification arrives;
 * - when the listener (re)connects everything is reloaded (notifications sent while it was away are
 *   lost), and a slow periodic full reload (`reconcileMs`) is the safety net for anything else.
 * Reloads run one at a time, so an older read can never replace a newer one. When a reload fails
 * (database unreachable) the last state keeps being served and the reload is retried; only before
 * the first load can a read fail (503).
 */
export interface LiveCatalog {
  /** The current state; waits only for the first load or for a reload of a change already announced. */
  current(): Promise<CatalogState>;
  /**
   * What `current()` would answer at once, without a promise: the state when it is loaded and reflects
   * every change announced so far, else undefined (then wait for `current()`). The hot paths' fast way.
   */
  ready(): CatalogState | undefined;
  /** A write was just committed on this instance: the next read waits for a fresh load. */
  invalidate(parts?: readonly Part[]): void;
  /** Called with every state loaded (server-sent events on /sdk/config), changed or not; returns the unsubscribe. */
  onUpdate(listener: (state: CatalogState) => void): () => void;
  /** Reloads completed (full ones among them) and failed, for tests; GET /metrics has their durations. */
  readonly stats: { reloads: number; fullReloads: number; failures: number };
  close(): void;
}

export interface LiveCatalogOptions {
  db: Kysely<Database>;
  /** Change notifications; without one the view reloads on every `reconcileMs` and on `invalidate()` only. */
  feed: ChangeFeed | undefined;
  logger: Logger;
  /** Full reload this often whatever the notifications said (safety net), in ms. */
  reconcileMs?: number;
  /** First retry delay after a failed reload; doubles up to 30 s. */
  retryMs?: number;
}

export function createLiveCatalog({ db, feed, logger, reconcileMs = 60_000, retryMs = 500 }: LiveCatalogOptions): LiveCatalog {
  let state: CatalogState | undefined;
  const pending = new Set<Part>();
  /** Changes announced so far, and how many of them the state reflects (reads wait for `awaited`). */
  let announced = 0;
  let awaited = 0;
  let reflected = 0;
  let running: Promise<void> | undefined;
  let failing = false;
  let failures = 0;
  let retry: NodeJS.Timeout | undefined;
  let started = false;
  let closed = false;
  let unsubscribe = () => {};
  let reconcile: NodeJS.Timeout | undefined;
  const listeners = new Set<(state: CatalogState) => void>();
  const stats = { reloads: 0, fullReloads: 0, failures: 0 };

  async function load(parts: ReadonlySet<Part>): Promise<CatalogState> {
    const experiments = parts.has('experiments') || !state
      ? experimentsPart(await loadServedExperiments(db), await loadExperimentRefs(db))
      : state;
    const keys = parts.has('keys') || !state ? keysPart(await listActiveSdkKeys(db)) : state;
    return {
      config: experiments.config,
      etag: experiments.etag,
      experimentsJson: experiments.experimentsJson,
      served: experiments.served,
      experiments: experiments.experiments,
      sdkKeys: keys.sdkKeys,
    };
  }

  async function drain(): Promise<void> {
    while (pending.size > 0 && !closed) {
      const parts = new Set(pending);
      pending.clear();
      const upTo = announced;
      const started = performance.now();
      try {
        const next = await load(parts);
        liveReloadDuration.observe({ parts: parts.size === ALL.length ? 'all' : [...parts][0]! }, (performance.now() - started) / 1000);
        if (closed) return;
        state = next;
        reflected = upTo;
        failing = false;
        failures = 0;
        stats.reloads++;
        if (parts.size === ALL.length) stats.fullReloads++;
        for (const listener of listeners) listener(next);
      } catch (error) {
        for (const part of parts) pending.add(part);
        failing = true;
        stats.failures++;
        liveReloadFailures.inc();
        logger.warn('live catalog: reload failed; serving the last state and retrying', { error: String(error) });
        clearTimeout(retry);
        retry = setTimeout(() => mark([], false), Math.min(30_000, retryMs * 2 ** failures++));
        retry.unref();
        throw error;
      }
    }
  }

  function startDrain(): Promise<void> {
    running ??= drain().finally(() => {
      running = undefined;
      // A change announced while the last reload was finishing.
      if (pending.size > 0 && !failing && !closed) void startDrain().catch(() => {});
    });
    return running;
  }

  /** A change is known (`blocking`: reads wait for it) — or, with no parts, a retry of what is pending. */
  function mark(parts: readonly Part[], blocking: boolean): void {
    if (closed) return;
    for (const part of parts) pending.add(part);
    announced++;
    if (blocking) awaited = announced;
    void startDrain().catch(() => {});
  }

  function start(): void {
    started = true;
    if (feed) {
      unsubscribe = feed.subscribe({
        onChange: (table) => mark(PARTS_BY_TABLE[table] ?? ALL, true),
        onResync: () => mark(ALL, true),
        onLost: (error) => logger.warn('live catalog: change listener lost; reconnecting, then reloading everything', { error: String(error) }),
      });
    }
    reconcile = setInterval(() => mark(ALL, false), reconcileMs);
    reconcile.unref();
    mark(ALL, true);
  }

  return {
    ready() {
      return state && reflected >= awaited ? state : undefined;
    },
    async current() {
      if (state && reflected >= awaited) return state;
      if (!started) start();
      const target = awaited;
      for (;;) {
        // The database is unreachable: the last known state rather than an error.
        if (state && failing) return state;
        try {
          await (running ?? startDrain());
        } catch (error) {
          if (state) return state;
          throw error;
        }
        if (state && reflected >= target) return state;
        if (closed) throw new Error('live catalog closed');
        // Nothing left to load (cannot happen while a marked change is pending): never spin.
        if (state && !running && pending.size === 0) return state;
      }
    },
    invalidate(parts = ALL) {
      if (started) mark(parts, true);
    },
    onUpdate(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    stats,
    close() {
      closed = true;
      unsubscribe();
      clearInterval(reconcile);
      clearTimeout(retry);
      listeners.clear();
    },
  };
}
