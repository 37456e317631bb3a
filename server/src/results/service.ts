/**
 * Results with snapshots: a request is served from the stored computation while it is fresh (at most
 * `maxAge` seconds old and newer than the experiment's last change), otherwise refreshed and stored.
 * The default results refresh incrementally (refresh.ts); segment breakdowns are recomputed whole.
 */
import { performance } from 'node:perf_hooks';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { EventReads } from '../events/event-store.js';
import { getExperiment } from '../experiments/repository.js';
import { refreshDuration } from '../telemetry/metrics.js';
import { type LoadedExperiment, computeResults } from './compute.js';
import type { RefreshReport } from './incremental.js';
import { type RefreshOptions, refreshDefaultResults } from './refresh.js';
import { readSnapshot, writeSnapshot } from './snapshot-repository.js';
import type { ExperimentResults } from './types.js';
import { announceResultTransitions } from '../webhooks/result-transitions.js';
import { fieldError } from '../http/problem.js';
import { validationProblem } from '../http/validate.js';

export interface SnapshotInfo {
  computedAt: string;
  ageSeconds: number;
  durationMs: number;
  source: 'snapshot' | 'computed';
  /** When computed by this request: from scratch (`full`) or only the exposure days that changed. */
  refresh?: RefreshReport;
}

export type ServedResults = ExperimentResults & { snapshot: SnapshotInfo };

export interface ResultsRequest {
  segment?: string | undefined;
  /** The metric broken down by `segment` (default: the primary metric). */
  segmentMetric?: string | undefined;
  top: number;
  /** Seconds; 0 always recomputes. */
  maxAge: number;
}

type Breakdown = Pick<ResultsRequest, 'segment' | 'segmentMetric' | 'top'>;

/**
 * Snapshot row key: '' for the default results, `attribute#top` for a segment breakdown of the
 * primary metric, `attribute#top#metric` for another metric's.
 */
export const snapshotKey = (request: Breakdown): string =>
  request.segment ? `${request.segment}#${request.top}${request.segmentMetric ? `#${request.segmentMetric}` : ''}` : '';

/** `segmentMetric` must name one of the experiment's metrics (422 on the query field otherwise). */
function checkSegmentMetric(experiment: LoadedExperiment, request: Breakdown): void {
  const metric = request.segmentMetric;
  if (metric === undefined) return;
  const own = [experiment.primaryMetric, ...experiment.secondaryMetrics, ...experiment.guardrailMetrics];
  if (!own.includes(metric)) throw validationProblem([fieldError(['segmentMetric'], `"${metric}" is not a metric of this experiment (${own.filter(Boolean).join(', ') || 'it has none'})`)]);
  if (!request.segment) throw validationProblem([fieldError(['segmentMetric'], 'needs a segment: the attribute to break the metric down by')]);
}

/**
 * Computations in progress, by experiment and snapshot key: concurrent cache misses for the same
 * results share one computation instead of each scanning the events (owned by the routes' closure).
 */
export type InFlight = Map<string, Promise<ServedResults>>;

export async function refreshSnapshot(
  db: Kysely<Database>,
  experiment: LoadedExperiment,
  request: Breakdown,
  now: Date,
  inFlight?: InFlight,
  options: RefreshOptions = {},
): Promise<ServedResults> {
  checkSegmentMetric(experiment, request);
  if (!inFlight) return computeAndStore(db, experiment, request, now, options);
  const id = `${experiment.id}:${snapshotKey(request)}`;
  const running = inFlight.get(id);
  if (running) return running;
  const promise = computeAndStore(db, experiment, request, now, options).finally(() => inFlight.delete(id));
  inFlight.set(id, promise);
  return promise;
}

async function computeAndStore(
  db: Kysely<Database>,
  experiment: LoadedExperiment,
  request: Breakdown,
  now: Date,
  options: RefreshOptions,
): Promise<ServedResults> {
  const started = performance.now();
  const { results, state, report } = request.segment
    ? {
        // Segment breakdowns group by attribute values with a top-k cut: not additive by day.
        results: await computeResults(db, experiment, { now, segment: { attribute: request.segment, top: request.top, metric: request.segmentMetric }, events: options.events }),
        state: null,
        report: undefined,
      }
    : await refreshDefaultResults(db, experiment, now, options);
  const durationMs = performance.now() - started;
  refreshDuration.observe({ kind: request.segment ? 'segment' : (report?.mode ?? 'full') }, durationMs / 1000);
  await writeSnapshot(db, experiment.id, snapshotKey(request), { computedAt: now, durationMs, results, state });
  // Webhooks: an SRM appearing, a guardrail harmed, a decision changing (once per transition).
  if (!request.segment) await announceResultTransitions(db, experiment, results, now);
  const snapshot: SnapshotInfo = { computedAt: now.toISOString(), ageSeconds: 0, durationMs: Math.round(durationMs), source: 'computed' };
  if (report) snapshot.refresh = report;
  return { ...results, snapshot };
}

export async function getResults(db: Kysely<Database>, key: string, request: ResultsRequest, now: Date, inFlight?: InFlight, events?: EventReads): Promise<ServedResults> {
  const experiment = await getExperiment(db, key);
  checkSegmentMetric(experiment, request);
  if (request.maxAge > 0) {
    const stored = await readSnapshot(db, experiment.id, snapshotKey(request));
    if (stored) {
      const ageMs = now.getTime() - stored.computedAt.getTime();
      const changedSince = new Date(experiment.updatedAt) > stored.computedAt;
      if (ageMs >= 0 && ageMs <= request.maxAge * 1000 && !changedSince) {
        return {
          ...stored.results,
          snapshot: { computedAt: stored.computedAt.toISOString(), ageSeconds: ageMs / 1000, durationMs: stored.durationMs, source: 'snapshot' },
        };
      }
    }
  }
  return refreshSnapshot(db, experiment, request, now, inFlight, { events });
}
