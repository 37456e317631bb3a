/**
 * Pure assembly of the results document from what the queries returned. No I/O, no clock.
 */
import { summarizeMoments } from '../stats/index.js';
import { type AnalysisSettings, compareVariants } from './compare.js';
import { dailySeries } from './daily.js';
import { decide, verdictHold } from './decision.js';
import { adjustSecondaryFamily, fixedHorizonHold, holdVerdicts, unadjustGuardrail } from './families.js';
import { CUPED_LOOKBACK_DAYS, type MetricDefinition, type Period, type Phase } from './definitions.js';
import { funnelSteps } from './funnel.js';
import { progressToward } from './progress.js';
import { phaseAwareSrm } from './srm.js';
import { type FunnelRow, type GroupRow, type MetricStats, emptyMetricStats, funnelTotalsByVariant, totalsByVariant } from './sufficient-stats.js';
import type { ExperimentInfo, ExperimentResults, MetricResult, SegmentResults } from './types.js';

export interface QueryOutputs {
  metrics: MetricDefinition[];
  /** Rows of the simple (conversion, revenue, ratio) metrics, in the order of `simpleMetrics`. */
  simpleMetrics: MetricDefinition[];
  dayRows: GroupRow[];
  /** Per funnel metric key. */
  funnelDayRows: Map<string, FunnelRow[]>;
  phases: Phase[];
  unitsByPhase: { phase: number | null; variantIndex: number; units: number }[];
  exposures: { units: number; multiple: number };
  period: Period | null;
  end: Date;
  computedAt: Date;
  /** A breakdown of one metric (the primary unless another was asked for) by an exposure attribute. */
  segment?: { attribute: string; top: number; metric?: MetricDefinition; rows: GroupRow[] | FunnelRow[] };
}

type Stats = MetricStats & { n: number };

/** A funnel's headline as a conversion: units reaching the last step. */
function funnelAsStats(units: number, reached: number[]): Stats {
  const last = reached[reached.length - 1] ?? 0;
  // M2 of 0/1 values: Σ(y − ȳ)² = last·(units − last)/units.
  return { ...emptyMetricStats(), n: units, converted: last, sum: last, m2: units > 0 ? (last * (units - last)) / units : 0 };
}

/** Per-variant stats of one metric over some rows (simple or funnel). */
function variantStats(metric: MetricDefinition, simpleIndex: number, rows: readonly (GroupRow | FunnelRow)[], k: number): Stats[] {
  if (metric.type === 'funnel') {
    return funnelTotalsByVariant(rows as FunnelRow[], k, metric.steps?.length ?? 0).map((t) => funnelAsStats(t.units, t.reached));
  }
  return totalsByVariant(rows as GroupRow[], k, simpleIndex + 1).map((t) => ({ ...t.metrics[simpleIndex]!, n: t.units }));
}

function metricRows(metric: MetricDefinition, q: QueryOutputs): (GroupRow | FunnelRow)[] {
  return metric.type === 'funnel' ? (q.funnelDayRows.get(metric.key) ?? []) : q.dayRows;
}

export function assembleResults(experiment: ExperimentInfo, q: QueryOutputs): ExperimentResults {
  const settings: AnalysisSettings = { alpha: experiment.alpha, correction: experiment.correction, sequential: experiment.sequential };
  const k = experiment.variants.length;
  const keys = experiment.variants.map((v) => v.key);
  const reasons: string[] = [];
  const unitsPerVariant = totalsByVariant(q.dayRows, k, 0).map((t) => t.units);
  const analysedUnits = unitsPerVariant.reduce((s, n) => s + n, 0);

  if (!q.period) reasons.push('the experiment has not started: no event counts yet');
  if (q.exposures.units === 0) reasons.push('no exposures yet');
  else if (analysedUnits === 0) reasons.push('every exposed unit was seen in more than one variant: nothing to analyse');
  unitsPerVariant.forEach((n, i) => {
    if (n === 0 && analysedUnits > 0) reasons.push(`variant "${keys[i]}" has no units: its comparisons are undefined`);
  });
  if (q.exposures.multiple > 0) reasons.push(`${q.exposures.multiple} unit(s) seen in more than one variant are excluded from the analysis`);

  const metrics: MetricResult[] = q.metrics.map((metric) => {
    const simpleIndex = q.simpleMetrics.indexOf(metric);
    const rows = metricRows(metric, q);
    const stats = variantStats(metric, simpleIndex, rows, k);
    const result: MetricResult = {
      key: metric.key,
      name: metric.name,
      type: metric.type,
      role: metric.role,
      direction: metric.direction,
      attributionHours: metric.attributionHours,
      unit: metric.unit ?? null,
      currency: metric.currency ?? null,
      family: metric.role,
      ...(metric.role === 'secondary' && { exploratory: true as const }),
      variants: compareVariants(metric, keys.map((key, i) => ({ key, stats: stats[i]! })), settings),
    };
    if (metric.type === 'funnel') {
      const totals = funnelTotalsByVariant(rows as FunnelRow[], k, metric.steps?.length ?? 0);
      result.steps = funnelSteps(metric.steps ?? [], totals.map((t, i) => ({ key: keys[i]!, ...t })), settings, { inference: metric.role === 'primary' });
    }
    return result;
  });
  adjustSecondaryFamily(metrics.filter((m) => m.role === 'secondary'), settings);
  for (const m of metrics) if (m.role === 'guardrail') unadjustGuardrail(m, settings);
  if (!q.metrics.length) reasons.push('the experiment has no metrics');
  const srm = phaseAwareSrm(q.phases, q.unitsByPhase, experiment.variants.map((v) => v.weight));
  if (srm.mismatch) reasons.push('sample ratio mismatch: the split differs from the weights; do not trust these results before finding the cause');

  const primary = q.metrics.find((m) => m.role === 'primary') ?? null;
  const primaryStats = primary ? variantStats(primary, q.simpleMetrics.indexOf(primary), metricRows(primary, q), k) : [];
  const control = primaryStats[0];
  const controlSummary = control && control.n > 1 ? summarizeMoments(control) : null;
  const progress = progressToward({
    metric: primary,
    minimumDetectableEffect: experiment.minimumDetectableEffect,
    alpha: experiment.alpha,
    units: unitsPerVariant,
    controlMean: control && control.n > 0 ? (primary?.type === 'ratio' ? null : control.sum / control.n) : null,
    controlVariance: controlSummary?.variance ?? null,
    startedAt: q.period?.from ?? null,
    end: q.end,
  });

  const hold = fixedHorizonHold(settings, progress);
  if (hold !== null) {
    // Guardrails keep their status: harm is worth flagging before the planned sample.
    for (const m of metrics) {
      if (m.role === 'guardrail') continue;
      holdVerdicts(m.variants, hold);
      for (const step of m.steps ?? []) holdVerdicts(step.variants, hold);
    }
    reasons.push(`${hold}: no verdict before it (turn sequential testing on to look at any time)`);
  }

  const primaryResult = metrics.find((m) => m.role === 'primary') ?? null;
  const decision = decide({
    primary: primaryResult,
    guardrails: metrics.filter((m) => m.role === 'guardrail'),
    srm,
    exposures: { units: q.exposures.units, multipleExposures: q.exposures.multiple, multipleExposureShare: q.exposures.units > 0 ? q.exposures.multiple / q.exposures.units : null },
    daysElapsed: progress.daysElapsed,
    minimumDays: experiment.minimumDays,
    sequential: settings.sequential !== null,
    plannedSampleHold: hold,
    minimumDetectableEffect: experiment.minimumDetectableEffect,
  });
  // Computed from the verdicts above, then withheld: nothing says significant while collecting. The
  // planned-sample hold is already on the primary and secondary metrics; a guardrail keeps its
  // significance when it is the reason for an early roll-back.
  const collecting = verdictHold(decision, ['planned-sample']);
  const guardrailHold = decision.status === 'collecting' ? verdictHold(decision) : null;
  for (const m of metrics) {
    const reason = m.role === 'guardrail' ? guardrailHold : collecting;
    if (reason === null) continue;
    holdVerdicts(m.variants, reason);
    for (const step of m.steps ?? []) holdVerdicts(step.variants, reason);
  }

  const perDay = new Map<string, Stats[]>();
  if (primary) {
    const rows = metricRows(primary, q);
    for (const day of new Set(rows.map((r) => r.group ?? ''))) {
      perDay.set(day, variantStats(primary, q.simpleMetrics.indexOf(primary), rows.filter((r) => (r.group ?? '') === day), k));
    }
  }
  // The settings that shape the figures; the planning input and the variants are reported elsewhere.
  const { minimumDetectableEffect: _planning, variants: _variants, ...shown } = experiment;
  const results: ExperimentResults = {
    experiment: shown,
    computedAt: q.computedAt.toISOString(),
    period: { from: q.period?.from.toISOString() ?? null, to: (q.period?.to ?? q.end).toISOString() },
    cupedLookbackDays: CUPED_LOOKBACK_DAYS,
    variants: experiment.variants.map((v, i) => ({ key: v.key, name: v.name, weight: v.weight, units: unitsPerVariant[i] ?? 0 })),
    exposures: {
      units: q.exposures.units,
      analysedUnits,
      multipleExposures: q.exposures.multiple,
      multipleExposureShare: q.exposures.units > 0 ? q.exposures.multiple / q.exposures.units : null,
    },
    srm,
    metrics,
    progress,
    daily: { metric: primary?.key ?? null, days: primary ? dailySeries(primary, keys, perDay, settings) : [] },
    decision,
    reasons,
  };
  const segmented = q.segment?.metric ?? primary;
  if (q.segment && segmented) {
    results.segments = segmentResults(segmented, q.simpleMetrics.indexOf(segmented), keys, q.segment, settings);
    // The same holds as the metric's own table: a guardrail keeps its status unless collecting.
    const holds = segmented.role === 'guardrail' ? [guardrailHold] : [hold, collecting];
    for (const reason of holds) if (reason !== null) for (const value of results.segments.values) holdVerdicts(value.variants, reason);
  }
  return results;
}

const KIND_ORDER = { value: 0, other: 1, none: 2 } as const;

function segmentResults(
  metric: MetricDefinition,
  simpleIndex: number,
  keys: string[],
  segment: NonNullable<QueryOutputs['segment']>,
  settings: AnalysisSettings,
): SegmentResults {
  const rows = segment.rows as (GroupRow | FunnelRow)[];
  const groups = new Map<string, { value: string | null; kind: 'value' | 'other' | 'none'; rows: (GroupRow | FunnelRow)[] }>();
  for (const row of rows) {
    const id = `${row.groupKind}:${row.group ?? ''}`;
    const entry = groups.get(id) ?? { value: row.group, kind: row.groupKind, rows: [] };
    entry.rows.push(row);
    groups.set(id, entry);
  }
  const values = [...groups.values()].map((g) => {
    const stats = variantStats(metric, simpleIndex, g.rows, keys.length);
    return {
      value: g.value,
      kind: g.kind,
      units: stats.reduce((s, v) => s + v.n, 0),
      variants: compareVariants(metric, keys.map((key, i) => ({ key, stats: stats[i]! })), settings),
    };
  });
  values.sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || b.units - a.units || String(a.value).localeCompare(String(b.value)));
  return { attribute: segment.attribute, metric: metric.key, top: segment.top, values };
}
