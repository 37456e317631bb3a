/**
 * One cold computation of an experiment's results: a handful of aggregated queries (the simple
 * metrics in one scan, one per funnel, the SRM counts), then the pure assembly.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { getExperiment } from '../experiments/repository.js';
import { type ExperimentInfo, type QueryOutputs, assembleResults } from './assemble.js';
import type { Grouping, MetricDefinition, Period } from './definitions.js';
import { funnelGroupStats } from './funnel-repository.js';
import { loadMetricDefinitions, loadPhases, metricGroupStats, unitsByPhase } from './repository.js';
import type { FunnelRow } from './sufficient-stats.js';
import type { ExperimentResults } from './types.js';

export type LoadedExperiment = Awaited<ReturnType<typeof getExperiment>>;

export const DEFAULT_SEGMENT_TOP = 10;

/** Events count from the start to the stop (or now). null before the first start. */
export function runningPeriod(experiment: { startedAt: string | null; stoppedAt: string | null }, now: Date): Period | null {
  if (!experiment.startedAt) return null;
  const from = new Date(experiment.startedAt);
  const to = experiment.stoppedAt ? new Date(experiment.stoppedAt) : now;
  return { from, to: to < from ? from : to };
}

export async function computeResults(
  db: Kysely<Database>,
  experiment: LoadedExperiment,
  options: { now: Date; segment?: { attribute: string; top?: number } | undefined },
): Promise<ExperimentResults> {
  const period = runningPeriod(experiment, options.now);
  // Before the start nothing counts: an empty period [now, now).
  const window: Period = period ?? { from: options.now, to: options.now };
  const metrics = await loadMetricDefinitions(db, experiment.id);
  const simpleMetrics = metrics.filter((m) => m.type !== 'funnel');
  const funnels = metrics.filter((m) => m.type === 'funnel');
  const day: Grouping = { kind: 'day' };

  const [dayRows, funnelRows, phases, byPhase] = await Promise.all([
    metricGroupStats(db, { experimentId: experiment.id, metrics: simpleMetrics, period: window, grouping: day }),
    Promise.all(funnels.map((metric) => funnelGroupStats(db, { experimentId: experiment.id, metric, period: window, grouping: day }))),
    loadPhases(db, experiment.id),
    unitsByPhase(db, experiment.id),
  ]);
  const analysed = byPhase.reduce((s, r) => s + r.units, 0);
  const multiple = byPhase.reduce((s, r) => s + r.multiple, 0);
  const outputs: QueryOutputs = {
    metrics,
    simpleMetrics,
    dayRows,
    funnelDayRows: new Map<string, FunnelRow[]>(funnels.map((m, i) => [m.key, funnelRows[i] ?? []])),
    phases,
    unitsByPhase: byPhase,
    exposures: { units: analysed + multiple, multiple },
    period,
    end: window.to,
    computedAt: options.now,
  };
  const primary = metrics.find((m) => m.role === 'primary');
  if (options.segment && primary) {
    const top = options.segment.top ?? DEFAULT_SEGMENT_TOP;
    outputs.segment = { attribute: options.segment.attribute, top, rows: await segmentRows(db, experiment.id, primary, simpleMetrics, window, options.segment.attribute, top) };
  }
  return assembleResults(experimentInfo(experiment), outputs);
}

/** Segment rows of the primary metric; simple-metric rows keep the positions of `simpleMetrics`. */
async function segmentRows(db: Kysely<Database>, experimentId: number, primary: MetricDefinition, simpleMetrics: MetricDefinition[], period: Period, attribute: string, top: number) {
  const grouping: Grouping = { kind: 'segment', attribute, top };
  if (primary.type === 'funnel') return funnelGroupStats(db, { experimentId, metric: primary, period, grouping });
  // Only the primary metric is aggregated: the metrics before it are left out of the query (and its
  // position kept) by aggregating a prefix that ends with it.
  const prefix = simpleMetrics.slice(0, simpleMetrics.indexOf(primary) + 1);
  return metricGroupStats(db, { experimentId, metrics: prefix, period, grouping });
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
    variants: experiment.variants.map((v) => ({ key: v.key, name: v.name, weight: v.weight })),
  };
}
