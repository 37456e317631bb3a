/**
 * One cold computation of an experiment's results: a handful of aggregated queries (the simple
 * metrics in one scan, one per funnel, the SRM counts), then the pure assembly. The steps are exported
 * for the incremental refresh (refresh.ts), which runs the same ones on fewer exposure days.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { getExperiment } from '../experiments/repository.js';
import { type QueryOutputs, assembleResults } from './assemble.js';
import type { Grouping, MetricDefinition, Period, Phase } from './definitions.js';
import { funnelGroupStats } from './funnel-repository.js';
import { type ExposureDayStats, sortDayRows, unitsByPhaseOf } from './incremental.js';
import { exposureDayStats } from './refresh-repository.js';
import { DEFAULT_SEGMENT_TOP } from './schemas.js';
import { loadMetricDefinitions, loadPhases, metricGroupStats } from './repository.js';
import type { FunnelRow, GroupRow } from './sufficient-stats.js';
import type { ExperimentInfo, ExperimentResults } from './types.js';

export type LoadedExperiment = Awaited<ReturnType<typeof getExperiment>>;

/** Events count from the start to the stop (or now). null before the first start. */
export function runningPeriod(experiment: { startedAt: string | null; stoppedAt: string | null }, now: Date): Period | null {
  if (!experiment.startedAt) return null;
  const from = new Date(experiment.startedAt);
  const to = experiment.stoppedAt ? new Date(experiment.stoppedAt) : now;
  return { from, to: to < from ? from : to };
}

/** The metrics of a computation: all of them, the simple ones (one scan) and the funnels (one query each). */
export interface MetricSet {
  metrics: MetricDefinition[];
  simpleMetrics: MetricDefinition[];
  funnels: MetricDefinition[];
}

export function metricSet(metrics: MetricDefinition[]): MetricSet {
  return { metrics, simpleMetrics: metrics.filter((m) => m.type !== 'funnel'), funnels: metrics.filter((m) => m.type === 'funnel') };
}

/**
 * The queries that read exposures and events, by event store: PostgreSQL/PGlite (the default) or
 * ClickHouse (clickhouse/results-queries.ts). Everything else (catalog, phases, assembly) is shared.
 */
export interface EventQueries {
  metricGroupStats(input: Parameters<typeof metricGroupStats>[1]): Promise<GroupRow[]>;
  funnelGroupStats(input: Parameters<typeof funnelGroupStats>[1]): Promise<FunnelRow[]>;
  exposureDayStats(experimentId: number, phases: readonly Phase[]): Promise<ExposureDayStats[]>;
}

export const postgresEventQueries = (db: Kysely<Database>): EventQueries => ({
  metricGroupStats: (input) => metricGroupStats(db, input),
  funnelGroupStats: (input) => funnelGroupStats(db, input),
  exposureDayStats: (experimentId) => exposureDayStats(db, experimentId),
});

export interface DayRows {
  dayRows: GroupRow[];
  funnelDayRows: Map<string, FunnelRow[]>;
}

/**
 * Rows per variant and UTC exposure day of every simple metric and funnel, in one order (sortDayRows);
 * `days` restricts them to units first exposed on those days.
 */
export async function dayRowsOf(db: Kysely<Database>, experimentId: number, set: MetricSet, period: Period, days?: readonly string[], events = postgresEventQueries(db)): Promise<DayRows> {
  const day: Grouping = { kind: 'day' };
  const [dayRows, funnelRows] = await Promise.all([
    events.metricGroupStats({ experimentId, metrics: set.simpleMetrics, period, grouping: day, days }),
    Promise.all(set.funnels.map((metric) => events.funnelGroupStats({ experimentId, metric, period, grouping: day, days }))),
  ]);
  return {
    dayRows: sortDayRows(dayRows),
    funnelDayRows: new Map(set.funnels.map((m, i) => [m.key, sortDayRows(funnelRows[i] ?? [])])),
  };
}

/** Phases and units per phase: one scan of the exposures, read whole on every refresh (cheap). */
export interface ExposureCounts {
  phases: Phase[];
  byPhase: ReturnType<typeof unitsByPhaseOf>;
}

/** The same exposure scan as the refresh's fingerprints (refresh-repository.ts), summed over days. */
async function exposureCounts(db: Kysely<Database>, experimentId: number, events: EventQueries): Promise<ExposureCounts> {
  const phases = await loadPhases(db, experimentId);
  return { phases, byPhase: unitsByPhaseOf(await events.exposureDayStats(experimentId, phases)) };
}

/** What `assembleResults` takes, from the rows and counts. */
export function queryOutputs(set: MetricSet, rows: DayRows, counts: ExposureCounts, period: Period | null, now: Date): QueryOutputs {
  const analysed = counts.byPhase.reduce((s, r) => s + r.units, 0);
  const multiple = counts.byPhase.reduce((s, r) => s + r.multiple, 0);
  return {
    metrics: set.metrics,
    simpleMetrics: set.simpleMetrics,
    dayRows: rows.dayRows,
    funnelDayRows: rows.funnelDayRows,
    phases: counts.phases,
    unitsByPhase: counts.byPhase,
    exposures: { units: analysed + multiple, multiple },
    period,
    end: (period ?? { to: now }).to,
    computedAt: now,
  };
}

/** Before the start nothing counts: an empty period [now, now). */
export const queryPeriod = (period: Period | null, now: Date): Period => period ?? { from: now, to: now };

export async function computeResults(
  db: Kysely<Database>,
  experiment: LoadedExperiment,
  options: { now: Date; segment?: { attribute: string; top?: number; metric?: string | undefined } | undefined; events?: EventQueries | undefined },
): Promise<ExperimentResults> {
  const events = options.events ?? postgresEventQueries(db);
  const period = runningPeriod(experiment, options.now);
  const window = queryPeriod(period, options.now);
  const set = metricSet(await loadMetricDefinitions(db, experiment.id));
  const [rows, counts] = await Promise.all([dayRowsOf(db, experiment.id, set, window, undefined, events), exposureCounts(db, experiment.id, events)]);
  const outputs = queryOutputs(set, rows, counts, period, options.now);
  const segment = options.segment;
  // The metric broken down: the one asked for (checked by the service), else the primary metric.
  const segmented = segment && set.metrics.find((m) => (segment.metric === undefined ? m.role === 'primary' : m.key === segment.metric));
  if (segment && segmented) {
    const top = segment.top ?? DEFAULT_SEGMENT_TOP;
    outputs.segment = { attribute: segment.attribute, top, metric: segmented, rows: await segmentRows(events, experiment.id, segmented, set.simpleMetrics, window, segment.attribute, top) };
  }
  return assembleResults(experimentInfo(experiment), outputs);
}

/** Segment rows of one metric; simple-metric rows keep the positions of `simpleMetrics`. */
async function segmentRows(events: EventQueries, experimentId: number, metric: MetricDefinition, simpleMetrics: MetricDefinition[], period: Period, attribute: string, top: number) {
  const grouping: Grouping = { kind: 'segment', attribute, top };
  if (metric.type === 'funnel') return events.funnelGroupStats({ experimentId, metric, period, grouping });
  // Only this metric is aggregated: the metrics before it are left out of the query (and its
  // position kept) by aggregating a prefix that ends with it.
  const prefix = simpleMetrics.slice(0, simpleMetrics.indexOf(metric) + 1);
  return events.metricGroupStats({ experimentId, metrics: prefix, period, grouping });
}

export function experimentInfo(experiment: LoadedExperiment): ExperimentInfo {
  return {
    key: experiment.key,
    name: experiment.name,
    status: experiment.status,
    startedAt: experiment.startedAt,
    stoppedAt: experiment.stoppedAt,
    alpha: experiment.alpha,
    correction: experiment.correction,
    sequential: experiment.sequential,
    phase: experiment.phase,
    minimumDetectableEffect: experiment.minimumDetectableEffect,
    minimumDays: experiment.minimumDays,
    variants: experiment.variants.map((v) => ({ key: v.key, name: v.name, weight: v.weight })),
  };
}
