/**
 * The inputs of a results computation, as the repository reads them: the metrics of the experiment
 * with their role, the phases, and the period during which events count.
 */

export type MetricRole = 'primary' | 'secondary' | 'guardrail';
export type MetricType = 'conversion' | 'revenue' | 'ratio' | 'funnel';

export interface RatioPart {
  eventName: string;
  aggregate: 'sum' | 'count';
}

export interface MetricDefinition {
  key: string;
  name: string;
  type: MetricType;
  role: MetricRole;
  eventName: string | null;
  steps: string[] | null;
  numerator: RatioPart | null;
  denominator: RatioPart | null;
  /** Hours after the unit's first exposure during which its events count; null = until the period ends. */
  attributionHours: number | null;
  direction: 'increase' | 'decrease';
  /** Guardrails: the relative harm tolerated by the non-inferiority test; absent or null = DEFAULT_GUARDRAIL_MARGIN (2 %). */
  guardrailMargin?: number | null;
  /** Revenue and ratio metrics: what the values count ("items"), or an ISO 4217 currency; null = neither. */
  unit?: string | null;
  currency?: string | null;
}

export interface Phase {
  phase: number;
  startedAt: Date;
  endedAt: Date | null;
  coverage: number;
  weights: number[];
}

/** Events count when occurred_at ∈ [from, to): the experiment's running period. */
export interface Period {
  from: Date;
  to: Date;
}

/** How per-unit rows are grouped before the per-variant aggregation. */
export type Grouping = { kind: 'day' } | { kind: 'segment'; attribute: string; top: number };

/**
 * CUPED covariate: each unit's value of the same metric in the LOOKBACK before its first exposure,
 * [exposed_at − 14 days, exposed_at). Two weeks covers a weekly cycle twice without reaching back to
 * behaviour too old to predict the experiment period.
 */
export const CUPED_LOOKBACK_DAYS = 14;

/** Whether a metric gets a CUPED covariate (the same metric before exposure). */
export const hasCovariate = (metric: MetricDefinition): boolean => metric.type === 'conversion' || metric.type === 'revenue';

/** The event names a set of metrics reads. */
export function eventNamesOf(metrics: readonly MetricDefinition[]): string[] {
  const names = new Set<string>();
  for (const m of metrics) {
    if (m.eventName) names.add(m.eventName);
    if (m.numerator) names.add(m.numerator.eventName);
    if (m.denominator) names.add(m.denominator.eventName);
    for (const step of m.steps ?? []) names.add(step);
  }
  return [...names];
}
