/**
 * The results' sufficient statistics computed in ClickHouse (EVENT_STORE=clickhouse): the same rows as
 * results/repository.ts (metricGroupStats), funnel-repository.ts and refresh-repository.ts
 * (exposureDayStats) compute in PostgreSQL, per variant and UTC exposure day, so the pure assembly
 * gives the same document. SQL that runs on ClickHouse 18.16 and current releases: no CTEs, no window
 * functions, no server-side parameters, JOINs on equality only (USING unit_id).
 *
 * Each shard holds whole units (sharded by unit id), so every per-unit step is local: the query runs on
 * each shard's local tables and the per-day rows of the shards are pooled here (counts and sums add,
 * centred moments by Chan et al., addMetricStats). Within a shard the centred moments are computed in
 * two passes over the group's per-unit values (Σ(x − x̄)(y − ȳ) from arrays), not from raw Σy², so a
 * large mean with a small spread keeps its variance; the figures agree with PostgreSQL's exact ones to
 * about 1e-15 relative.
 */
import { CUPED_LOOKBACK_DAYS, type Grouping, type MetricDefinition, type Period, type Phase, eventNamesOf, hasCovariate } from '../results/definitions.js';
import type { EventQueries } from '../results/compute.js';
import type { ExposureDayStats } from '../results/incremental.js';
import { type FunnelRow, type GroupRow, type MetricStats, addMetricStats, emptyMetricStats } from '../results/sufficient-stats.js';
import { type ClickHouseStore, chSql, raw, selectEveryShard } from './connection.js';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** Day number (days since 1970-01-01, UTC) → 'YYYY-MM-DD'. */
const dayText = (day: number | string) => new Date(Number(day) * DAY_MS).toISOString().slice(0, 10);
const dayNumber = (text: string) => Math.round(Date.parse(`${text}T00:00:00Z`) / DAY_MS);

/**
 * Each unit's counted exposure of the experiment: the first stored (lowest write_seq), the earliest of
 * that write; `multiple` when its items name more than one variant (PostgreSQL's multiple_variants).
 */
export function unitsOf(experimentId: number): string {
  return chSql`SELECT unit_id,
      argMin(variant_index, (write_seq, exposed_ms)) AS first_variant,
      argMin(exposed_ms, (write_seq, exposed_ms)) AS first_ms,
      argMin(item_id, (write_seq, exposed_ms)) AS first_item_id,
      uniqExact(variant_index) > 1 AS multiple
    FROM tp_exposure_items WHERE experiment_id = ${experimentId} GROUP BY unit_id`;
}

/** Analysed units (not multiple), restricted to first-exposure days when `days` is given. */
function analysedUnits(experimentId: number, days: readonly string[] | undefined): string {
  const dayFilter = days === undefined ? '' : days.length === 0 ? ' AND 0' : chSql` AND intDiv(first_ms, ${DAY_MS}) IN ${days.map(dayNumber)}`;
  // New names only (first_*): 18.16 loses an alias that repeats a column name of the table below it.
  return `SELECT unit_id, first_variant, first_ms, intDiv(first_ms, ${DAY_MS}) AS first_day FROM (${unitsOf(experimentId)}) WHERE NOT multiple${dayFilter}`;
}

/** occurred_ms within the metric's attribution window and the running period. */
function inWindow(attributionHours: number | null, period: Period): string {
  const from = period.from.getTime();
  const to = period.to.getTime();
  const upper = attributionHours === null ? chSql`${to}` : chSql`least(first_ms + ${attributionHours * HOUR_MS}, ${to})`;
  return chSql`occurred_ms >= greatest(first_ms, ${from}) AND occurred_ms < ${raw(upper)}`;
}
const preWindow = chSql`occurred_ms >= first_ms - ${CUPED_LOOKBACK_DAYS * DAY_MS} AND occurred_ms < first_ms`;

/** Per-unit columns of metric i over the unit's joined events: c (counted), y (value), d (denominator), p (covariate). */
function perUnitColumns(metric: MetricDefinition, i: number, period: Period): string[] {
  const window = inWindow(metric.attributionHours, period);
  const counted = (name: string, w: string) => chSql`toFloat64(countIf(name = ${name} AND ${raw(w)}))`;
  const summed = (name: string, w: string) => chSql`toFloat64(sumIf(ifNull(value, 0), name = ${name} AND ${raw(w)}))`;
  switch (metric.type) {
    case 'conversion': {
      const name = metric.eventName ?? '';
      return [`${counted(name, window)} AS c${i}`, `toFloat64(c${i} > 0) AS y${i}`, `toFloat64(${counted(name, preWindow)} > 0) AS p${i}`];
    }
    case 'revenue': {
      const name = metric.eventName ?? '';
      return [`${counted(name, window)} AS c${i}`, `${summed(name, window)} AS y${i}`, `${summed(name, preWindow)} AS p${i}`];
    }
    case 'ratio': {
      const part = (p: { eventName: string; aggregate: 'sum' | 'count' }) => (p.aggregate === 'sum' ? summed(p.eventName, window) : counted(p.eventName, window));
      const numerator = metric.numerator ?? { eventName: '', aggregate: 'count' as const };
      const denominator = metric.denominator ?? { eventName: '', aggregate: 'count' as const };
      return [`${counted(denominator.eventName, window)} AS c${i}`, `${part(numerator)} AS y${i}`, `${part(denominator)} AS d${i}`];
    }
    default:
      return [];
  }
}

const columnsOf = (metric: MetricDefinition, i: number) => [`c${i}`, `y${i}`, ...(metric.type === 'ratio' ? [`d${i}`] : []), ...(hasCovariate(metric) ? [`p${i}`] : [])];

/**
 * `value` repeated for every element of `array`: how a per-row value reaches a lambda. 18.16's lambdas
 * cannot capture a subquery's column, and when they capture an alias of their own SELECT the columns
 * it reads may be pruned from the subquery ("Unknown identifier"); an argument array has neither problem.
 */
const repeated = (array: string, value: string, type: 'Float64' | 'Int64') => `arrayResize(emptyArray${type}(), length(${array}), to${type}(${value}))`;

/** Per group: arrays of the per-unit values, their sums, and (outer query) the two-pass centred moments. */
function momentColumns(metric: MetricDefinition, i: number): { inner: string[]; outer: string[] } {
  const vars = columnsOf(metric, i).filter((v) => !v.startsWith('c'));
  const inner = [`countIf(c${i} > 0) AS m${i}_converted`, ...vars.flatMap((v) => [`groupArray(${v}) AS ${v}s`, `sum(${v}) AS ${v}_sum`])];
  if (hasCovariate(metric)) inner.push(`countIf(p${i} != 0) AS m${i}_covariateUnits`);
  const mean = (v: string) => `${v}_sum / units AS ${v}_mean`;
  const centred = (x: string, y: string) => `arraySum(arrayMap((a, b, ma, mb) -> (a - ma) * (b - mb), ${x}s, ${y}s, ${repeated(`${x}s`, `${x}_mean`, 'Float64')}, ${repeated(`${y}s`, `${y}_mean`, 'Float64')}))`;
  const outer = [`m${i}_converted`, `y${i}_sum AS m${i}_sum`, ...vars.map(mean), `${centred(`y${i}`, `y${i}`)} AS m${i}_m2`];
  if (metric.type === 'ratio') outer.push(`d${i}_sum AS m${i}_denSum`, `${centred(`d${i}`, `d${i}`)} AS m${i}_denM2`, `${centred(`d${i}`, `y${i}`)} AS m${i}_denComoment`);
  if (hasCovariate(metric)) outer.push(`p${i}_sum AS m${i}_covariateSum`, `${centred(`p${i}`, `p${i}`)} AS m${i}_covariateM2`, `${centred(`p${i}`, `y${i}`)} AS m${i}_covariateComoment`, `m${i}_covariateUnits`);
  return { inner, outer };
}

/** results/repository.ts metricGroupStats, on ClickHouse; day grouping only (segments: PostgreSQL). */
export async function metricGroupStatsClickHouse(
  store: ClickHouseStore,
  input: { experimentId: number; metrics: readonly MetricDefinition[]; period: Period; grouping: Grouping; days?: readonly string[] | undefined },
): Promise<GroupRow[]> {
  const { experimentId, metrics, period } = input;
  if (input.grouping.kind !== 'day') throw new Error('segments are not computed on ClickHouse yet');
  const names = eventNamesOf(metrics);
  const withCovariate = metrics.some(hasCovariate);
  const units = analysedUnits(experimentId, input.days);
  const perUnit = metrics.flatMap((m, i) => perUnitColumns(m, i, period));
  const unitColumns = metrics.flatMap(columnsOf);
  // Events of the analysed units, joined to their exposure (equality on unit_id), aggregated per unit.
  const lowest = withCovariate ? '' : chSql` AND occurred_ms >= ${period.from.getTime()}`;
  const perUnitEvents = names.length && perUnit.length
    ? `SELECT unit_id, ${perUnit.join(', ')} FROM (
         SELECT unit_id, name, value, occurred_ms, first_ms
         FROM (SELECT unit_id, name, value, occurred_ms FROM tp_events
               WHERE name IN ${chSql`${names}`} AND occurred_ms < ${chSql`${period.to.getTime()}`}${lowest})
         ALL INNER JOIN (${units}) USING unit_id
       ) GROUP BY unit_id`
    : undefined;
  // Units without events keep the columns' defaults (0) through the LEFT JOIN (join_use_nulls = 0).
  const unitsWithValues = perUnitEvents
    ? `SELECT first_variant, first_day, ${unitColumns.join(', ')} FROM (${units}) ANY LEFT JOIN (${perUnitEvents}) USING unit_id`
    : `SELECT first_variant, first_day${unitColumns.map((c) => `, toFloat64(0) AS ${c}`).join('')} FROM (${units})`;
  const moments = metrics.map((m, i) => momentColumns(m, i));
  const query = `SELECT first_variant, first_day, units${moments.map((m) => `, ${m.outer.join(', ')}`).join('')}
    FROM (SELECT first_variant, first_day, count() AS units${moments.map((m) => `, ${m.inner.join(', ')}`).join('')}
          FROM (${unitsWithValues}) GROUP BY first_variant, first_day)`;
  const rows = await selectEveryShard<Record<string, number | string>>(store, query);
  const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));
  return poolGroupRows(rows.map((row) => ({
    variantIndex: num(row.first_variant),
    group: dayText(row.first_day!),
    groupKind: 'value' as const,
    units: num(row.units),
    metrics: metrics.map((_, i): MetricStats => {
      const get = (name: string) => num(row[`m${i}_${name}`]);
      return { ...emptyMetricStats(), converted: get('converted'), sum: get('sum'), m2: get('m2'), denSum: get('denSum'), denM2: get('denM2'), denComoment: get('denComoment'), covariateSum: get('covariateSum'), covariateM2: get('covariateM2'), covariateComoment: get('covariateComoment'), covariateUnits: get('covariateUnits') };
    }),
  })));
}

/** Rows of several shards for one (variant, day) pooled into one. */
function poolGroupRows(rows: GroupRow[]): GroupRow[] {
  const byKey = new Map<string, GroupRow>();
  for (const row of rows) {
    const key = `${row.variantIndex}|${row.group}`;
    const seen = byKey.get(key);
    if (!seen) {
      byKey.set(key, row);
      continue;
    }
    const metrics = seen.metrics.map((m, i) => {
      const { n: _n, ...pooled } = addMetricStats({ ...m, n: seen.units }, { ...row.metrics[i]!, n: row.units });
      return pooled;
    });
    byKey.set(key, { ...seen, units: seen.units + row.units, metrics });
  }
  return [...byKey.values()];
}

/** funnel-repository.ts funnelGroupStats, on ClickHouse (day grouping). Step k: the first step-k event at or after step k − 1's. */
export async function funnelGroupStatsClickHouse(
  store: ClickHouseStore,
  input: { experimentId: number; metric: MetricDefinition; period: Period; grouping: Grouping; days?: readonly string[] | undefined },
): Promise<FunnelRow[]> {
  const { experimentId, metric, period } = input;
  if (input.grouping.kind !== 'day') throw new Error('segments are not computed on ClickHouse yet');
  const steps = metric.steps ?? [];
  const units = analysedUnits(experimentId, input.days);
  const to = period.to.getTime();
  const upper = metric.attributionHours === null ? chSql`${to}` : chSql`least(first_ms + ${metric.attributionHours * HOUR_MS}, ${to})`;
  // Per unit: the times of each step's events inside the window's upper bound.
  const times = steps.map((step, k) => chSql`groupArrayIf(occurred_ms, name = ${step} AND occurred_ms < ${raw(upper)}) AS t${k}`);
  const perUnitEvents = steps.length
    ? `SELECT unit_id, ${times.join(', ')} FROM (
         SELECT unit_id, name, occurred_ms, first_ms
         FROM (SELECT unit_id, name, occurred_ms FROM tp_events WHERE name IN ${chSql`${steps}`} AND occurred_ms < ${chSql`${to}`})
         ALL INNER JOIN (${units}) USING unit_id
       ) GROUP BY unit_id`
    : undefined;
  // s_k: the step's time, or -1 when not reached.
  const reachedAt = steps.map((_, k) => {
    const after = k === 0 ? 'lo' : `s${k - 1}`;
    const candidates = `arrayFilter((t, after) -> t >= after, t${k}, ${repeated(`t${k}`, after, 'Int64')})`;
    return `${k === 0 ? '' : `s${k - 1} < 0 ? -1 : `}(empty(${candidates}) ? -1 : arrayReduce('min', ${candidates})) AS s${k}`;
  });
  const query = perUnitEvents
    ? `SELECT first_variant, first_day, count() AS units${steps.map((_, k) => `, countIf(s${k} >= 0) AS r${k}`).join('')}
       FROM (SELECT first_variant, first_day, greatest(first_ms, ${period.from.getTime()}) AS lo, ${reachedAt.join(', ')}
             FROM (SELECT first_variant, first_day, first_ms${steps.map((_, k) => `, t${k}`).join('')} FROM (${units}) ANY LEFT JOIN (${perUnitEvents}) USING unit_id))
       GROUP BY first_variant, first_day`
    : `SELECT first_variant, first_day, count() AS units FROM (${units}) GROUP BY first_variant, first_day`;
  const rows = await selectEveryShard<Record<string, number | string>>(store, query);
  const byKey = new Map<string, FunnelRow>();
  for (const row of rows) {
    const fresh: FunnelRow = { variantIndex: Number(row.first_variant), group: dayText(row.first_day!), groupKind: 'value', units: Number(row.units), reached: steps.map((_, k) => Number(row[`r${k}`] ?? 0)) };
    const key = `${fresh.variantIndex}|${fresh.group}`;
    const seen = byKey.get(key);
    byKey.set(key, seen ? { ...seen, units: seen.units + fresh.units, reached: seen.reached.map((r, k) => r + fresh.reached[k]!) } : fresh);
  }
  return [...byKey.values()];
}

/**
 * refresh-repository.ts exposureDayStats, on ClickHouse: per first-exposure day, variant and phase,
 * analysed and multiple-variant units, and a fingerprint of the analysed units (Σ cityHash64 of unit and
 * first item, mod 2^64). Phases come from the catalog (PostgreSQL): their bounds become a multiIf.
 */
export async function exposureDayStatsClickHouse(store: ClickHouseStore, experimentId: number, phases: readonly Phase[]): Promise<ExposureDayStats[]> {
  const phaseOf = phases.length
    ? `multiIf(${phases.map((p) => chSql`first_ms >= ${p.startedAt.getTime()}${raw(p.endedAt ? chSql` AND first_ms < ${p.endedAt.getTime()}` : '')}, ${p.phase}`).join(', ')}, -1)`
    : '-1';
  const query = `SELECT first_day, first_variant, phase, countIf(NOT multiple) AS units, countIf(multiple) AS multiple_units,
      toString(sumIf(cityHash64(unit_id, first_item_id), NOT multiple)) AS unit_hash
    FROM (SELECT intDiv(first_ms, ${DAY_MS}) AS first_day, first_variant, ${phaseOf} AS phase, multiple, unit_id, first_item_id FROM (${unitsOf(experimentId)}))
    GROUP BY first_day, first_variant, phase`;
  const rows = await selectEveryShard<Record<string, string | number>>(store, query);
  const byKey = new Map<string, ExposureDayStats>();
  for (const row of rows) {
    const fresh: ExposureDayStats = { day: dayText(row.first_day!), variantIndex: Number(row.first_variant), phase: Number(row.phase) < 0 ? null : Number(row.phase), units: Number(row.units), multiple: Number(row.multiple_units), unitHash: String(row.unit_hash) };
    const key = `${fresh.day}|${fresh.variantIndex}|${fresh.phase}`;
    const seen = byKey.get(key);
    byKey.set(key, seen ? { ...seen, units: seen.units + fresh.units, multiple: seen.multiple + fresh.multiple, unitHash: (BigInt(seen.unitHash) + BigInt(fresh.unitHash)).toString() } : fresh);
  }
  return [...byKey.values()];
}

/** The results' event queries on ClickHouse (results/compute.ts EventQueries). */
export const clickhouseEventQueries = (store: ClickHouseStore): EventQueries => ({
  metricGroupStats: (input) => metricGroupStatsClickHouse(store, input),
  funnelGroupStats: (input) => funnelGroupStatsClickHouse(store, input),
  exposureDayStats: (experimentId, phases) => exposureDayStatsClickHouse(store, experimentId, phases),
});
