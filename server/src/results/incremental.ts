/**
 * Incremental refresh of the default results snapshot: the pure part (no I/O, no clock). What to
 * recompute, and how stored per-day rows and freshly computed ones merge. See README.md, "Snapshots".
 *
 * The simple-metric and funnel rows are per (variant, UTC day of first exposure) and additive, so a
 * refresh recomputes only the days that can have changed since the last one and keeps the others:
 * - days whose exposure side changed (a per-day fingerprint: late first exposures, `multiple_variants`
 *   flips, erasures);
 * - days of units that have a metric event received since the last refresh (minus RECEIVE_MARGIN_MS).
 * The rows depend on the refresh time `now` only through `period.to` (running experiments), and an
 * event that newly falls before `now` occurred after the last refresh, so it was received at most
 * MAX_FUTURE_SKEW_MS before it: the second rule catches it. Anything else that changes the rows —
 * metric or experiment edits, start and stop — changes the definitions fingerprint: full recompute.
 */
import { createHash } from 'node:crypto';
import { CUPED_LOOKBACK_DAYS, type MetricDefinition, hasCovariate } from './definitions.js';
import type { FunnelRow, GroupRow } from './sufficient-stats.js';

/**
 * How far before the last refresh's `now` a received event is still read as new. Ingestion accepts
 * timestamps up to 5 minutes in the future (events/classify.ts MAX_FUTURE_SKEW_MS): an event that
 * had not yet `occurred` at the last refresh was excluded by `period.to` and must be read again. The
 * other 5 minutes cover ingestion writes that commit a little after their receive time (and small
 * clock differences between server instances): `received_at` is the time the request came in.
 */
export const RECEIVE_MARGIN_MS = 10 * 60_000;

/**
 * A refresh recomputes everything when the last full computation is older than this. It bounds how
 * long anything the incremental rules cannot see stays wrong: a write committed more than
 * RECEIVE_MARGIN_MS after its receive time; between two refreshes, an erased unit whose very same
 * exposure item is retried without its events (identical exposure fingerprint); on ClickHouse, an
 * erasure whose delete finishes more than the margin after its time (clickhouse/refresh-queries.ts).
 */
export const RECONCILE_INTERVAL_MS = 60 * 60_000;

/**
 * Bump when the stored state, the SQL that produces the rows or the document's rules change meaning:
 * forces a full recompute, and the results summary ignores snapshots of another version.
 * 2: rows carry exact centred moments instead of raw Σy².
 */
export const REFRESH_STATE_VERSION = 2;

/** The exposure side of one (UTC day, variant, phase), as the fingerprint scan returns it. */
export interface ExposureDayStats {
  day: string;
  variantIndex: number;
  /** The phase the exposures fall in; null = outside every phase. */
  phase: number | null;
  /** Analysed units (not `multiple_variants`). */
  units: number;
  multiple: number;
  /** Σ hash(unit_id, first_item_id) over the analysed units (a bigint, as text): changes when units are swapped. */
  unitHash: string;
}

/** Per UTC day 'YYYY-MM-DD': a string that changes whenever the day's exposures change. */
export type DayFingerprints = Record<string, string>;

/** What a refresh stores next to the document to refresh it incrementally next time. */
export interface RefreshState {
  version: number;
  /** `definitionsFingerprint` of the computation. */
  definitions: string;
  /** The refresh's `now` (ISO): events received from `watermark − RECEIVE_MARGIN_MS` on are read as new. */
  watermark: string;
  /** When the rows were last computed from scratch (ISO). */
  fullAt: string;
  exposureDays: DayFingerprints;
  dayRows: GroupRow[];
  /** Per funnel metric key. */
  funnelDayRows: Record<string, FunnelRow[]>;
}

export type RefreshPlan = { mode: 'full'; reason: string } | { mode: 'incremental'; receivedSince: Date };

export interface RefreshReport {
  mode: 'full' | 'incremental';
  /** Exposure days whose rows were computed by this refresh (all of them when full). */
  daysRecomputed: number;
}

/**
 * Everything the per-day rows depend on besides the data and `now`: the metrics as loaded (role and
 * order included), the experiment's last change, its period bounds and variants, and the state version.
 */
export function definitionsFingerprint(input: {
  metrics: readonly MetricDefinition[];
  updatedAt: string;
  startedAt: string | null;
  stoppedAt: string | null;
  variants: readonly { key: string; weight: number }[];
}): string {
  const canonical = JSON.stringify([
    REFRESH_STATE_VERSION,
    CUPED_LOOKBACK_DAYS,
    input.updatedAt,
    input.startedAt,
    input.stoppedAt,
    input.variants.map((v) => [v.key, v.weight]),
    input.metrics.map((m) => [m.key, m.type, m.role, m.eventName, m.steps, m.numerator, m.denominator, m.attributionHours, m.direction]),
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

/** One fingerprint per day: analysed and multiple counts and unit hashes of its variants (and phases). */
export function dayFingerprints(rows: readonly ExposureDayStats[]): DayFingerprints {
  const byDay = new Map<string, ExposureDayStats[]>();
  for (const row of rows) byDay.set(row.day, [...(byDay.get(row.day) ?? []), row]);
  const out: DayFingerprints = {};
  for (const day of [...byDay.keys()].sort()) {
    const parts = byDay.get(day)!.sort((a, b) => a.variantIndex - b.variantIndex || (a.phase ?? -1) - (b.phase ?? -1));
    out[day] = parts.map((v) => `${v.variantIndex}:${v.phase ?? '-'}:${v.units}:${v.multiple}:${v.unitHash}`).join('|');
  }
  return out;
}

/**
 * The rows a fingerprint was made of (dayFingerprints writes every field of each row, so this is its
 * inverse): the stored exposure side of the days an engine does not read again (refresh.ts).
 */
export function exposureRowsOf(fingerprints: DayFingerprints): ExposureDayStats[] {
  return Object.entries(fingerprints).flatMap(([day, fingerprint]) =>
    fingerprint.split('|').map((part) => {
      const [variantIndex, phase, units, multiple, unitHash] = part.split(':') as [string, string, string, string, string];
      return { day, variantIndex: Number(variantIndex), phase: phase === '-' ? null : Number(phase), units: Number(units), multiple: Number(multiple), unitHash };
    }),
  );
}

/** The stored exposure rows of the days not read again, plus the fresh rows of the days read (`touched`). */
export function mergeExposureRows(stored: readonly ExposureDayStats[], fresh: readonly ExposureDayStats[], touched: ReadonlySet<string>): ExposureDayStats[] {
  return [...stored.filter((r) => !touched.has(r.day)), ...fresh];
}

/** Units per phase and variant (the SRM input), summed over the days of the fingerprint scan. */
export function unitsByPhaseOf(rows: readonly ExposureDayStats[]): { phase: number | null; variantIndex: number; units: number; multiple: number }[] {
  const totals = new Map<string, { phase: number | null; variantIndex: number; units: number; multiple: number }>();
  for (const row of rows) {
    const id = `${row.phase ?? '-'}:${row.variantIndex}`;
    const total = totals.get(id) ?? { phase: row.phase, variantIndex: row.variantIndex, units: 0, multiple: 0 };
    total.units += row.units;
    total.multiple += row.multiple;
    totals.set(id, total);
  }
  return [...totals.values()];
}

/** Days whose fingerprint differs, including days present on one side only; sorted. */
export function changedDays(before: DayFingerprints, after: DayFingerprints): string[] {
  const days = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...days].filter((day) => before[day] !== after[day]).sort();
}

/** Full or incremental, and why. */
export function planRefresh(
  state: RefreshState | null,
  input: { definitions: string; now: Date; started: boolean; reconcileMs: number },
): RefreshPlan {
  if (!state) return { mode: 'full', reason: 'no stored refresh state' };
  if (state.version !== REFRESH_STATE_VERSION) return { mode: 'full', reason: 'refresh state from another version' };
  if (!input.started) return { mode: 'full', reason: 'not started' };
  if (state.definitions !== input.definitions) return { mode: 'full', reason: 'metric or experiment definitions changed' };
  const watermark = Date.parse(state.watermark);
  // A clock behind the last refresh (another instance's clock, a test clock) would let events slip
  // between the two: start again.
  if (!(watermark <= input.now.getTime())) return { mode: 'full', reason: 'now is before the last refresh' };
  if (!(input.now.getTime() - Date.parse(state.fullAt) < input.reconcileMs)) return { mode: 'full', reason: 'reconciliation due' };
  return { mode: 'incremental', receivedSince: new Date(watermark - RECEIVE_MARGIN_MS) };
}

/**
 * Which events can change a unit's per-metric values, relative to its first exposure: from
 * `lookbackDays` before it (CUPED covariates; 0 when no metric has one) to `horizonHours` after it
 * (the longest attribution window; null when a metric counts until the end). Events outside never
 * count, so they cannot make a day dirty.
 */
export function eventRelevance(metrics: readonly MetricDefinition[]): { lookbackDays: number; horizonHours: number | null } {
  const hours = metrics.map((m) => m.attributionHours);
  return {
    lookbackDays: metrics.some(hasCovariate) ? CUPED_LOOKBACK_DAYS : 0,
    horizonHours: hours.includes(null) ? null : Math.max(0, ...(hours as number[])),
  };
}

type DayRow = { group: string | null; variantIndex: number; groupKind: string };

/** Rows in one order (day, then variant): sums over them then do not depend on the SQL plan's order. */
export function sortDayRows<R extends DayRow>(rows: readonly R[]): R[] {
  const key = (r: R) => r.group ?? '';
  return [...rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.variantIndex - b.variantIndex || (a.groupKind < b.groupKind ? -1 : 1)));
}

/** The stored rows of the days not recomputed, plus the fresh rows of the recomputed days. */
export function mergeDayRows<R extends DayRow>(stored: readonly R[], fresh: readonly R[], recomputed: ReadonlySet<string>): R[] {
  return sortDayRows([...stored.filter((r) => !recomputed.has(r.group ?? '')), ...fresh]);
}

/** The same merge for each funnel metric (by key). */
export function mergeFunnelRows(
  keys: readonly string[],
  stored: Readonly<Record<string, FunnelRow[]>>,
  fresh: ReadonlyMap<string, FunnelRow[]>,
  recomputed: ReadonlySet<string>,
): Map<string, FunnelRow[]> {
  return new Map(keys.map((key) => [key, mergeDayRows(stored[key] ?? [], fresh.get(key) ?? [], recomputed)]));
}

/** The stored state, or null when it is missing or not of this version (then the refresh is full). */
export function parseRefreshState(value: unknown): RefreshState | null {
  const state = (typeof value === 'string' ? JSON.parse(value) : value) as Partial<RefreshState> | null;
  if (!state || typeof state !== 'object' || state.version !== REFRESH_STATE_VERSION) return null;
  const complete =
    typeof state.definitions === 'string' && typeof state.watermark === 'string' && typeof state.fullAt === 'string' &&
    typeof state.exposureDays === 'object' && state.exposureDays !== null && Array.isArray(state.dayRows) &&
    typeof state.funnelDayRows === 'object' && state.funnelDayRows !== null;
  return complete ? (state as RefreshState) : null;
}
