import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Database } from '../db/schema.js';
import { CUPED_LOOKBACK_DAYS, type Grouping, type MetricDefinition, type Period, type Phase, eventNamesOf, hasCovariate } from './definitions.js';
import { experimentHasLinks, linkedExposures, unitEvents, unitExposures, unlinked } from './identity-sql.js';
import type { GroupRow, MetricStats } from './sufficient-stats.js';

type Db = Kysely<Database>;

/**
 * Sort and hash memory for one results aggregation (per plan node). Grouping a million exposed units
 * would spill to disk at PostgreSQL's 4 MB default; the setting is
 * local to the query's transaction.
 */
export const RESULTS_WORK_MEM = '64MB';

/**
 * Runs `fn` in a transaction with RESULTS_WORK_MEM, and float8 text output in its shortest exact
 * form (extra_float_digits 1, PostgreSQL's default, which a session may have lowered): the exact
 * numeric moments read doubles through their text form.
 */
export async function withResultsWorkMem<T>(db: Db, fn: (trx: Db) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await sql`select set_config('work_mem', ${RESULTS_WORK_MEM}, true), set_config('extra_float_digits', '1', true)`.execute(trx);
    return fn(trx);
  });
}

/** The experiment's metrics in role order (primary, secondary, guardrail), as defined now. */
export async function loadMetricDefinitions(db: Db, experimentId: number): Promise<MetricDefinition[]> {
  const rows = await db
    .selectFrom('experiment_metrics as l')
    .innerJoin('metrics as m', 'm.key', 'l.metric_key')
    .select(['m.key', 'm.name', 'm.type', 'm.event_name', 'm.steps', 'm.numerator', 'm.denominator', 'm.attribution_hours', 'm.direction', 'm.guardrail_margin', 'm.unit', 'm.currency', 'l.role'])
    .where('l.experiment_id', '=', experimentId)
    .orderBy('l.position')
    .execute();
  return rows.map((r) => ({
    key: r.key,
    name: r.name,
    type: r.type as MetricDefinition['type'],
    role: r.role,
    eventName: r.event_name,
    steps: r.steps,
    numerator: r.numerator,
    denominator: r.denominator,
    attributionHours: r.attribution_hours,
    direction: r.direction as MetricDefinition['direction'],
    guardrailMargin: r.guardrail_margin,
    unit: r.unit,
    currency: r.currency,
  }));
}

export async function loadPhases(db: Db, experimentId: number): Promise<Phase[]> {
  const rows = await db.selectFrom('experiment_phases').selectAll().where('experiment_id', '=', experimentId).orderBy('phase').execute();
  return rows.map((r) => ({ phase: r.phase, startedAt: r.started_at, endedAt: r.ended_at, coverage: r.coverage, weights: r.weights }));
}

/**
 * The grouping key of a per-unit row: the UTC day of the first exposure, or the value of one exposure
 * attribute, keeping the `top` most frequent values and folding the rest into 'other'.
 * `attribute` is validated by the route (a safe name) and bound as a parameter anyway.
 */
export function groupingSql(experimentId: number, grouping: Grouping, linked: boolean): { cte: RawBuilder<unknown>; key: RawBuilder<unknown>; kind: RawBuilder<unknown> } {
  if (grouping.kind === 'day') {
    return {
      cte: sql``,
      key: sql`to_char(x.exposed_at at time zone 'UTC', 'YYYY-MM-DD')`,
      kind: sql`'value'`,
    };
  }
  const value = sql`(x.attributes ->> ${grouping.attribute}::text)`;
  return {
    cte: sql`with top_values as (
      select x.attributes ->> ${grouping.attribute}::text as value
      from ${unitExposures(experimentId, linked)} x
      where not x.multiple_variants and x.attributes ->> ${grouping.attribute}::text is not null
      group by 1 order by count(*) desc, 1 limit ${grouping.top}::int
    )`,
    key: sql`case when ${value} in (select value from top_values) then ${value} end`,
    kind: sql`case when ${value} is null then 'none' when ${value} in (select value from top_values) then 'value' else 'other' end`,
  };
}

/**
 * Restricts `x` (exposures) to units first exposed on the given UTC days ('YYYY-MM-DD'); undefined =
 * every day. The min/max range comes first so that `exposures_variant_idx (experiment_id,
 * variant_index, exposed_at)` bounds the scan; the day list then drops the days in between.
 */
export function exposureDaysFilter(days: readonly string[] | undefined): RawBuilder<unknown> {
  if (days === undefined) return sql``;
  if (days.length === 0) return sql`and false`;
  const sorted = [...days].sort();
  const from = new Date(`${sorted[0]}T00:00:00Z`);
  const to = new Date(Date.parse(`${sorted[sorted.length - 1]}T00:00:00Z`) + 86_400_000);
  return sql`and x.exposed_at >= ${from}::timestamptz and x.exposed_at < ${to}::timestamptz
    and (x.exposed_at at time zone 'UTC')::date = any(${sorted}::date[])`;
}

/** occurred_at inside the attribution window of a metric and inside the running period. */
function inWindow(metric: MetricDefinition, period: Period): RawBuilder<unknown> {
  const lower = sql`e.occurred_at >= greatest(x.exposed_at, ${period.from}::timestamptz)`;
  const upper = metric.attributionHours === null
    ? sql`e.occurred_at < ${period.to}::timestamptz`
    : sql`e.occurred_at < least(x.exposed_at + make_interval(hours => ${metric.attributionHours}::int), ${period.to}::timestamptz)`;
  return sql`${lower} and ${upper}`;
}

const preWindow = sql`e.occurred_at >= x.exposed_at - make_interval(days => ${CUPED_LOOKBACK_DAYS}::int) and e.occurred_at < x.exposed_at`;

/**
 * Per-unit expressions of metric i: c = events counted (conversion test), y = value, d = denominator,
 * p = covariate. Counts and 0/1 values stay integers (their sums are exact bigints); real values become
 * exact numerics. Either way the row moments are exact.
 */
function perUnitColumns(metric: MetricDefinition, i: number, period: Period): RawBuilder<unknown>[] {
  const alias = (name: string) => sql.raw(`${name}${i}`);
  // count(occurred_at), not count(id): every column read is in events_unit_name_time_idx, so when the
  // planner probes the index per unit (an incremental refresh's few days) the probe is index-only.
  const counted = (eventName: string, window: RawBuilder<unknown>) => sql`count(e.occurred_at) filter (where e.name = ${eventName}::text and ${window})`;
  const summed = (eventName: string, window: RawBuilder<unknown>) =>
    sql`coalesce(sum(e.value) filter (where e.name = ${eventName}::text and ${window}), 0)::float8`;
  const window = inWindow(metric, period);
  switch (metric.type) {
    case 'conversion': {
      const name = metric.eventName ?? '';
      return [
        sql`${counted(name, window)} as ${alias('c')}`,
        sql`(${counted(name, window)} > 0)::int as ${alias('y')}`,
        sql`(${counted(name, preWindow)} > 0)::int as ${alias('p')}`,
      ];
    }
    case 'revenue': {
      const name = metric.eventName ?? '';
      return [
        sql`${counted(name, window)} as ${alias('c')}`,
        sql`${exact(summed(name, window))} as ${alias('y')}`,
        sql`${exact(summed(name, preWindow))} as ${alias('p')}`,
      ];
    }
    case 'ratio': {
      const part = (p: { eventName: string; aggregate: 'sum' | 'count' }) =>
        p.aggregate === 'sum' ? exact(summed(p.eventName, window)) : counted(p.eventName, window);
      const numerator = metric.numerator ?? { eventName: '', aggregate: 'count' as const };
      const denominator = metric.denominator ?? { eventName: '', aggregate: 'count' as const };
      return [
        sql`${counted(denominator.eventName, window)} as ${alias('c')}`,
        sql`${part(numerator)} as ${alias('y')}`,
        sql`${part(denominator)} as ${alias('d')}`,
      ];
    }
    default:
      return [];
  }
}

/**
 * The per-unit value as an exact numeric. float8 → numeric casts round to 15 significant digits;
 * the text form of a float8 is its shortest exact round trip (extra_float_digits ≥ 1, set by
 * withResultsWorkMem), so ::text::numeric keeps the double's value.
 */
const exact = (column: RawBuilder<unknown>) => sql`${column}::text::numeric`;

/**
 * Centred moment of one row, computed exactly: sums and products of integers and numerics are exact,
 * so n·Σxy − Σx·Σy has no cancellation error (and no order dependence: any plan gives the same bits),
 * and Σ(x − x̄)(y − ȳ) = (n·Σxy − Σx·Σy)/n is rounded once, to at least 16 significant digits (numeric
 * division), then to float8.
 */
function centred(x: RawBuilder<unknown>, y: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`((count(*) * sum(${x} * ${y}) - sum(${x}) * sum(${y}))::numeric / count(*))::float8`;
}

function aggregateColumns(metric: MetricDefinition, i: number): RawBuilder<unknown>[] {
  const col = (name: string) => sql.ref(`u.${name}${i}`);
  const as = (name: string) => sql.raw(`"m${i}_${name}"`);
  const y = col('y');
  const columns = [
    sql`count(*) filter (where ${col('c')} > 0) as ${as('converted')}`,
    sql`sum(${y})::float8 as ${as('sum')}`,
    sql`${centred(y, y)} as ${as('m2')}`,
  ];
  if (metric.type === 'ratio') {
    const d = col('d');
    columns.push(sql`sum(${d})::float8 as ${as('denSum')}`, sql`${centred(d, d)} as ${as('denM2')}`, sql`${centred(d, y)} as ${as('denComoment')}`);
  }
  if (hasCovariate(metric)) {
    const p = col('p');
    columns.push(
      sql`sum(${p})::float8 as ${as('covariateSum')}`,
      sql`${centred(p, p)} as ${as('covariateM2')}`,
      sql`${centred(p, y)} as ${as('covariateComoment')}`,
      sql`count(*) filter (where ${p} <> 0) as ${as('covariateUnits')}`,
    );
  }
  return columns;
}

/**
 * Sufficient statistics of every conversion, revenue and ratio metric, per variant and group, in ONE
 * scan: each analysed exposure is joined to that unit's events of the metrics' names (the
 * (unit_id, name, occurred_at) index serves the join), grouped per unit (exposures' primary key, so
 * PostgreSQL streams the groups), then aggregated per variant and group. An event counts for a metric
 * when it falls in [max(exposed_at, period.from), min(exposed_at + window, period.to)); the CUPED
 * covariate reads [exposed_at − 14 d, exposed_at). `days` restricts the units to those first exposed
 * on these UTC days (an incremental refresh recomputes only them; rows are per day, so the others
 * are unchanged).
 */
export async function metricGroupStats(
  db: Db,
  input: { experimentId: number; metrics: readonly MetricDefinition[]; period: Period; grouping: Grouping; days?: readonly string[] | undefined },
): Promise<GroupRow[]> {
  const { experimentId, metrics, period, grouping } = input;
  const names = eventNamesOf(metrics);
  const withCovariate = metrics.some(hasCovariate);
  const lowest = withCovariate
    ? sql`x.exposed_at - make_interval(days => ${CUPED_LOOKBACK_DAYS}::int)`
    : sql`greatest(x.exposed_at, ${period.from}::timestamptz)`;
  const linked = await experimentHasLinks(db, experimentId);
  const group = groupingSql(experimentId, grouping, linked);
  const perUnit = metrics.flatMap((m, i) => perUnitColumns(m, i, period));
  const aggregates = metrics.flatMap((m, i) => aggregateColumns(m, i));
  const join = (events: RawBuilder<unknown>) => names.length
    ? sql`left join ${events} e on e.unit_id = x.unit_id and e.name in (${sql.join(names.map((n) => sql`${n}::text`))})
          and e.occurred_at >= ${lowest} and e.occurred_at < ${period.to}::timestamptz`
    : sql`left join events e on false`;
  const columns = sql`x.variant_index, ${group.key} as grp, ${group.kind} as grp_kind ${perUnit.length ? sql`, ${sql.join(perUnit)}` : sql``}`;
  const days = exposureDaysFilter(input.days);
  // Per unit: the units no identify link touches straight from the tables (grouped by the exposures'
  // primary key, streamed), then, when links touch the experiment, the linked ones merged
  // (identity-sql.ts) with their ids' events.
  const linkedUnits = linked
    ? sql`union all
      select ${columns}
      from ${linkedExposures(experimentId)} x
      ${join(unitEvents(true))}
      where not x.multiple_variants ${days}
      group by x.unit_id, x.variant_index, x.exposed_at, x.attributes`
    : sql``;
  const query = sql<Record<string, number | string | null>>`
    ${group.cte}
    select u.variant_index as "variantIndex", u.grp as "group", u.grp_kind as "groupKind", count(*) as units
      ${aggregates.length ? sql`, ${sql.join(aggregates)}` : sql``}
    from (
      select ${columns}
      from exposures x
      ${join(sql`events`)}
      where x.experiment_id = ${experimentId} and not x.multiple_variants ${days} ${linked ? sql`and ${unlinked}` : sql``}
      group by x.experiment_id, x.unit_id
      ${linkedUnits}
    ) u
    group by u.variant_index, u.grp, u.grp_kind`;
  const { rows } = await withResultsWorkMem(db, (trx) => query.execute(trx));
  const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));
  return rows.map((row) => ({
    variantIndex: num(row.variantIndex),
    group: row.group === null ? null : String(row.group),
    groupKind: row.groupKind as GroupRow['groupKind'],
    units: num(row.units),
    metrics: metrics.map((_, i): MetricStats => {
      const get = (name: string) => num(row[`m${i}_${name}`]);
      return {
        converted: get('converted'),
        sum: get('sum'),
        m2: get('m2'),
        denSum: get('denSum'),
        denM2: get('denM2'),
        denComoment: get('denComoment'),
        covariateSum: get('covariateSum'),
        covariateM2: get('covariateM2'),
        covariateComoment: get('covariateComoment'),
        covariateUnits: get('covariateUnits'),
      };
    }),
  }));
}
