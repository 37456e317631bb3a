/**
 * The results' sufficient statistics computed in ClickHouse (EVENT_STORE=clickhouse): the same rows as
 * results/repository.ts (metricGroupStats) and funnel-repository.ts compute in PostgreSQL, per variant and
 * UTC exposure day (refresh-repository.ts exposureDayStats: refresh-queries.ts),
 * so the pure assembly gives the same document. SQL that runs on ClickHouse 18.16 and current
 * releases: no CTEs, no window functions, no server-side parameters, equality JOINs only.
 *
 * Per unit, two sides joined on the unit (unitPass): the experiment's exposure items grouped by unit
 * (the counted exposure: argMin over write_seq, unique per item: store.ts numbers a write's items in
 * PostgreSQL's order; the multiple-variants flag) and the events the metrics read grouped by unit (one
 * array of times, the name's index folded in). The windows relative to the exposure are then array
 * functions on the unit's row. Each side is one plain GROUP BY over one table, and the join is of one
 * row per unit on each side. Measured at 1M units / 10M events while making the change (CPU of one
 * shard's server process, funnel pass; README "Sizing"):
 * 2.2 s as one UNION ALL of both tables grouped once (-If on every row, one array per name), 1.4 s
 * as two sides grouped by a 64-bit unit hash (UnitKey) and joined; a JOIN of raw events to units was
 * slower than either. Events are sorted by name first (migration 0002), so a metric's event name reads
 * its own granules.
 *
 * Each shard holds whole ids (sharded by unit id), so every per-unit step is local for ids in no
 * identify link: the query runs on each shard's local tables; ids in a link (whose account may sit on
 * another shard) are the linked part, one more run over the Distributed tables (identity.ts). The per-day
 * rows of the shards and of the linked part are pooled here (counts and sums add,
 * centred moments by Chan et al., addMetricStats). Within a shard the centred moments are computed in
 * two passes over the group's per-unit values (Σ(x − x̄)(y − ȳ) from arrays), not from raw Σy², so a
 * large mean with a small spread keeps its variance; the figures agree with PostgreSQL's exact ones to
 * about 1e-15 relative.
 */
import { CUPED_LOOKBACK_DAYS, type Grouping, type MetricDefinition, type Period, eventNamesOf, hasCovariate } from '../results/definitions.js';
import type { EventQueries } from '../results/compute.js';
import { type FunnelRow, type GroupRow, type MetricStats, addMetricStats, emptyMetricStats } from '../results/sufficient-stats.js';
import { type ClickHouseStore, chSql, raw } from './connection.js';
import { LINKED_IDS, type Links, type UnitPart, canonical, noLinks, selectUnitParts, stringArray, tableOf, withAccounts } from './identity.js';
import { exposureDayStatsClickHouse } from './refresh-queries.js';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** Day number (days since 1970-01-01, UTC) → 'YYYY-MM-DD'. */
const dayText = (day: number | string) => new Date(Number(day) * DAY_MS).toISOString().slice(0, 10);
const dayNumber = (text: string) => Math.round(Date.parse(`${text}T00:00:00Z`) / DAY_MS);

/**
 * `value` repeated for every element of `array`: how a per-row value reaches a lambda. 18.16's lambdas
 * cannot capture a subquery's column, and when they capture an alias of their own SELECT the columns
 * it reads may be pruned from the subquery ("Unknown identifier"); an argument array has neither problem.
 */
const repeated = (array: string, value: string, type: 'Float64' | 'Int64') => `arrayResize(emptyArray${type}(), length(${array}), to${type}(${value}))`;

/** What one pass reads besides the exposures: the events of `names` (one array of times per name, and of values where asked). */
interface EventArrays {
  names: readonly string[];
  /** Names whose values are summed (an array `v<k>` next to `t<k>`). */
  valued: ReadonlySet<string>;
  /** occurred_ms bounds of the events read: [from, to). */
  from: number | null;
  to: number;
}

/**
 * Units restricted to those exposed on `days` (the incremental refresh): a unit whose counted exposure
 * falls on one of them has an item exposed that day, so both sides of the pass can skip the others early.
 */
function unitsOnDays(experimentId: number, days: readonly string[] | undefined): string {
  if (days === undefined) return '';
  if (days.length === 0) return ' AND 0';
  return chSql` AND unit_id IN (SELECT unit_id FROM tp_exposure_items WHERE experiment_id = ${experimentId} AND intDiv(exposed_ms, ${DAY_MS}) IN ${days.map(dayNumber)})`;
}

/**
 * One row per unit of the experiment, in one GROUP BY over its exposure items and `events`:
 * first_variant, first_ms, first_item_id (the first stored item: lowest write_seq), multiple (its items
 * name more than one variant: PostgreSQL's multiple_variants), and per event name k the unit's event
 * times `t<k>` (values `v<k>`). Only exposed units come out; `analysed` also drops the multiple ones and
 * restricts to first-exposure `days`.
 */
interface PassOptions {
  analysed: boolean;
  days?: readonly string[] | undefined;
  itemId?: boolean;
  /** first_attributes: the attributes of the counted exposure (segments). */
  attributes?: boolean;
  /** Local part: ` AND unit_id IN (…)` of ours, limiting the units read. */
  unitFilter?: string;
  /** A segment's group: a condition on the unit id `column` of the part (the local part's ids, the linked part's accounts). */
  group?: ((part: UnitPart, column: string) => string) | undefined;
  /** Local or linked part (identity.ts); none = every id its own unit. */
  part?: UnitPart | undefined;
  /** Local part: group by a 64-bit hash of the unit id instead of the id (UnitKey). */
  key?: UnitKey;
}

/**
 * How the local pass groups rows into units. By the id ('id'), or by a 64-bit hash of it
 * ({ hash }): a fixed-width key makes ClickHouse's GROUP BY a third cheaper than string keys
 * (1.25 → 0.87 s CPU per shard for the funnel's 5M rows at 1M units / 10M events), but two ids may
 * share a hash (odds n²/2^65 for n ids on a shard: ~3e-8 at a million). The pass then also returns
 * `collided`: whether a group's ids differ by a second, independent hash (min ≠ max of
 * murmurHash2_64: missed only if both hashes collide, ~2^-128), and lets such groups through every
 * HAVING so the flag reaches the caller, who recomputes by id (selectByUnitKey): results stay exact.
 */
export type UnitKey = 'id' | { hash: string };
/** The hash of the fast path; tests pass a deliberately weak one to force collisions. */
export const UNIT_HASH = 'cityHash64(unit_id)';

function unitPass(experimentId: number, events: EventArrays | undefined, options: PassOptions): string {
  if (options.part?.kind === 'linked') return linkedUnitPass(experimentId, events, options, options.part);
  // Ids that take part in a link are left to the linked part (a set built from the shard's copy of the links).
  const unlinked = options.part && options.part.links.count > 0 ? ` AND unit_id NOT IN ${LINKED_IDS}` : '';
  const group = options.group ? ` AND ${options.group(options.part ?? { kind: 'local', links: noLinks }, 'unit_id')}` : '';
  // Linked ids are left out of the exposure side only: their events then meet no exposure in the
  // join below and drop out (with a hashed key, an event group joining another unit's key is a
  // collision, caught), so ClickHouse builds the set of linked ids once per pass, not twice.
  const restrict = unitsOnDays(experimentId, options.days) + (options.unitFilter ?? '') + group;
  const key = options.key ?? 'id';
  const hashed = key !== 'id';
  const having: string[] = [];
  if (options.analysed) {
    having.push('NOT multiple');
    if (options.days) having.push(options.days.length ? chSql`intDiv(first_ms, ${DAY_MS}) IN ${options.days.map(dayNumber)}` : '0');
  }
  // A group whose ids differ is let through every condition, flagged (UnitKey).
  const conditions = having.length && hashed ? [`(${having.join(' AND ')}) OR exposure_collided`] : having;
  // The second hash of the collision check: computed once per row (same expression, one column).
  const check = 'murmurHash2_64(unit_id)';
  // New names only (first_*, t<k>): 18.16 loses an alias that repeats a column name of the table below it.
  const exposureSide = `SELECT ${[
    hashed ? `${key.hash} AS unit_key` : 'unit_id',
    ...(hashed ? [`min(${check}) AS check_min`, `max(${check}) != check_min AS exposure_collided`] : []),
    'argMin(variant_index, write_seq) AS first_variant',
    'argMin(exposed_ms, write_seq) AS first_ms',
    ...(options.itemId ? ['argMin(item_id, write_seq) AS first_item_id'] : []),
    ...(options.attributes ? ['argMin(attributes, write_seq) AS first_attributes'] : []),
    'min(variant_index) != max(variant_index) AS multiple',
  ].join(', ')}
    ${chSql`FROM tp_exposure_items WHERE experiment_id = ${experimentId}${raw(restrict + unlinked)}`}
    GROUP BY ${hashed ? 'unit_key' : 'unit_id'}${conditions.length ? ` HAVING ${conditions.join(' AND ')}` : ''}`;
  if (events === undefined || events.names.length === 0) return exposureSide;
  // The events side: per unit, every event of `names` in one array `te` (encodedEvents) and its
  // values `ve` at the same positions when a metric sums them. The check of its ids is one sum of
  // their second hashes (cheaper than min and max over every event): n rows of the exposed unit's id
  // sum to n × its hash; another id among them changes the sum unless c·(h' − h) ≡ 0 mod 2^64 for its
  // c rows, odds below 2^-44 for fewer than 2^20 events, on top of the 64-bit key collision.
  const eventSide = `SELECT ${[
    hashed ? `${key.hash} AS unit_key` : 'unit_id',
    ...(hashed ? [`sum(${check}) AS event_check`] : []),
    chSql`groupArray(${raw(encodedEvent(events.names, 'name', 'occurred_ms'))}) AS te`,
    ...(events.valued.size ? ['groupArray(ifNull(value, 0)) AS ve'] : []),
  ].join(', ')}
    ${chSql`FROM tp_events WHERE name IN ${events.names} AND occurred_ms < ${events.to}${raw(events.from === null ? '' : chSql` AND occurred_ms >= ${events.from}`)}${raw(restrict)}`}
    GROUP BY ${hashed ? 'unit_key' : 'unit_id'}`;
  const columns = [
    // Without events the join gives 0 and an empty te: 0 = 0 × check_min.
    hashed ? 'exposure_collided OR event_check != length(te) * check_min AS collided' : 'unit_id',
    'first_variant',
    'first_ms',
    ...(options.itemId ? ['first_item_id'] : []),
    ...(options.attributes ? ['first_attributes'] : []),
    'multiple',
    'te',
    ...(events.valued.size ? ['ve'] : []),
  ];
  // Two per-unit sides joined on the unit: each GROUP BY reads one table with plain aggregates (a
  // UNION of both grouped once needed -If on every row and one array state per name), and the join
  // is of one row per unit on each side (keys unique: ANY and ALL agree). The exposure side is the
  // right one, held in memory (a few numbers per unit, no arrays); RIGHT: an exposed unit without
  // events comes out with empty arrays, events of units never exposed are dropped.
  return `SELECT ${columns.join(', ')}
    FROM (${eventSide})
    ANY RIGHT JOIN (${exposureSide}) USING ${hashed ? 'unit_key' : 'unit_id'}`;
}

/**
 * The linked part of a pass (identity.ts): the rows of linked ids only, read through the Distributed
 * tables, grouped per id (its first stored exposure, its variants, its events), then per account: the
 * earliest of the ids' first exposures (time, then item id: PostgreSQL's order) gives variant, time,
 * item and attributes; the unit is in several variants when its ids' items name more than one; the
 * events of all its ids are concatenated. The columns of unitPass's rows, under the account id.
 */
function linkedUnitPass(experimentId: number, events: EventArrays | undefined, options: PassOptions, part: Extract<UnitPart, { kind: 'linked' }>): string {
  const withEvents = events !== undefined && events.names.length > 0;
  const exposures = chSql`SELECT unit_id, 1 AS is_exposure, variant_index, exposed_ms, write_seq, item_id AS item, attributes AS attrs,
      '' AS event_name, toFloat64(0) AS event_value, toInt64(0) AS event_ms
    FROM ${raw(tableOf(part, 'tp_exposure_items'))} WHERE experiment_id = ${experimentId} AND unit_id IN ${raw(LINKED_IDS)}`;
  const source = withEvents
    ? `${exposures}
      UNION ALL
      ${chSql`SELECT unit_id, 0 AS is_exposure, toUInt16(0) AS variant_index, toInt64(0) AS exposed_ms, toUInt64(0) AS write_seq, '' AS item,
          '' AS attrs, name AS event_name, ifNull(value, 0) AS event_value, occurred_ms AS event_ms
        FROM ${raw(tableOf(part, 'tp_events'))} WHERE name IN ${events.names} AND occurred_ms < ${events.to}${raw(events.from === null ? '' : chSql` AND occurred_ms >= ${events.from}`)} AND unit_id IN ${raw(LINKED_IDS)}`}`
    : exposures;
  const perId = [
    'countIf(is_exposure = 1) AS id_exposed',
    'argMinIf(variant_index, write_seq, is_exposure = 1) AS id_variant',
    'argMinIf(exposed_ms, write_seq, is_exposure = 1) AS id_ms',
    'argMinIf(item, write_seq, is_exposure = 1) AS id_item',
    ...(options.attributes ? ['argMinIf(attrs, write_seq, is_exposure = 1) AS id_attributes'] : []),
    'minIf(variant_index, is_exposure = 1) AS id_min',
    'maxIf(variant_index, is_exposure = 1) AS id_max',
    ...(withEvents ? [`groupArrayIf(${encodedEvent(events.names, 'event_name', 'event_ms')}, is_exposure = 0) AS ue`, ...(events.valued.size ? ['groupArrayIf(event_value, is_exposure = 0) AS we'] : [])] : []),
  ];
  const first = (column: string) => `argMinIf(${column}, (id_ms, id_item), id_exposed > 0)`;
  const perUnit = [
    'canon AS unit_id',
    `${first('id_variant')} AS first_variant`,
    `${first('id_ms')} AS first_ms`,
    ...(options.itemId ? [`${first('id_item')} AS first_item_id`] : []),
    ...(options.attributes ? [`${first('id_attributes')} AS first_attributes`] : []),
    'minIf(id_min, id_exposed > 0) != maxIf(id_max, id_exposed > 0) AS multiple',
    ...(withEvents ? ['groupArrayArray(ue) AS te', ...(events.valued.size ? ['groupArrayArray(we) AS ve'] : [])] : []),
  ];
  const having = ['sum(id_exposed) > 0'];
  if (options.analysed) {
    having.push('NOT multiple');
    if (options.days) having.push(options.days.length ? chSql`intDiv(first_ms, ${DAY_MS}) IN ${options.days.map(dayNumber)}` : '0');
  }
  // Each id's row, then its account through the shard's copy of the links (an equality JOIN), then per account.
  const perIdNames = perId.map((column) => column.slice(column.lastIndexOf(' AS ') + 4));
  const ids = `SELECT unit_id AS link_alias, ${perId.join(', ')} FROM (${source}) GROUP BY unit_id`;
  const units = `SELECT ${perUnit.join(', ')}
    FROM (SELECT ${canonical} AS canon, ${perIdNames.join(', ')} FROM ${withAccounts(ids)})
    GROUP BY canon HAVING ${having.join(' AND ')}`;
  // A segment's group: a subquery of its own on the linked units, outside this pass (18.16 cannot resolve
  // a linked pass nested in the HAVING of another).
  return options.group ? `SELECT * FROM (${units}) WHERE ${options.group(part, 'unit_id')}` : units;
}

/**
 * Each unit's counted exposure of the experiment (unit_id, first_variant, first_ms, first_item_id,
 * multiple), multiple-variant units included; `unitFilter` (SQL of ours: ` AND unit_id IN (…)`) limits
 * the units read.
 */
export function unitsOf(experimentId: number, part: UnitPart | undefined, options: { unitFilter?: string; attributes?: boolean } = {}): string {
  return unitPass(experimentId, undefined, { analysed: false, itemId: true, part, ...options });
}

/**
 * A unit's events of all the pass's names in one array `te`: time × N + the name's index among the N
 * names (one groupArray instead of one per name: a fifth less work). Times are positive (ingestion
 * refuses anything older than 7 days), so `x % N` is the name and [lo, hi) in time is [lo × N, hi × N)
 * in `te` whatever the name; a name's first time is intDiv(min, N).
 */
function encodedEvent(names: readonly string[], nameColumn: string, timeColumn: string): string {
  return `${timeColumn} * ${names.length} + transform(${nameColumn}, ${stringArray(names)}, [${names.map((_, k) => k).join(', ')}], 0)`;
}

/** Event name k of the pass's N names, as a condition on an encoded time `x` (encodedEvent) inside the window tuple `w`. */
const eventIn = (name: EventName, w: string) => `x % ${name.n} = ${name.k} AND x >= ${w}.1 * ${name.n} AND x < ${w}.2 * ${name.n}`;
/** Where a name sits in the pass's `te`. */
interface EventName {
  k: number;
  n: number;
}

/**
 * A unit's events of one name inside the window `w`: a column of the unit's row holding the tuple
 * (lo, hi), compared as [lo, hi), captured by the lambda. The SELECT that holds such
 * lambdas must also name the captured columns outside them (`capturing`): 18.16 prunes a subquery's
 * columns that only lambdas read ("Unknown identifier"). The alternative, a copy of each bound as long
 * as the array (`repeated`), made the funnel's pass a tenth slower.
 */
function windowed(name: EventName, w: string): { count: string; sum: string } {
  return {
    count: `toFloat64(arrayCount(x -> ${eventIn(name, w)}, te))`,
    sum: `arraySum(arrayFilter((y, x) -> ${eventIn(name, w)}, ve, te))`,
  };
}

/** `WHERE` of a SELECT whose lambdas capture `columns` (windowed): always true, it only keeps them. */
const capturing = (columns: readonly string[]) => (columns.length ? ` WHERE NOT ignore(${columns.join(', ')})` : '');

/** The window of a metric's events: from the exposure (not before the period) to the attribution horizon (not after it). */
function attributionWindow(attributionHours: number | null, period: Period): string {
  const to = period.to.getTime();
  const lo = chSql`greatest(first_ms, ${period.from.getTime()})`;
  const hi = attributionHours === null ? chSql`toInt64(${to})` : chSql`least(first_ms + ${attributionHours * HOUR_MS}, ${to})`;
  return `(toInt64(${lo}), toInt64(${hi}))`;
}
/** CUPED's lookback before the exposure. */
const preWindow = chSql`(first_ms - ${CUPED_LOOKBACK_DAYS * DAY_MS}, first_ms)`;

/**
 * The window tuples of a set of metrics as columns of the unit rows (`windows`: expression → column
 * name, `wp` the lookback): computed once per unit, however many metrics share one.
 */
function windowColumns(metrics: readonly MetricDefinition[], period: Period): { columns: string[]; names: string[]; of: (metric: MetricDefinition) => string } {
  const names = new Map<string, string>();
  for (const m of metrics) {
    const w = attributionWindow(m.attributionHours, period);
    if (!names.has(w)) names.set(w, `w${names.size}`);
  }
  const columns = [...names].map(([expr, name]) => `${expr} AS ${name}`);
  if (metrics.some(hasCovariate)) columns.push(`${preWindow} AS wp`);
  return { columns, names: [...names.values(), ...(metrics.some(hasCovariate) ? ['wp'] : [])], of: (m) => names.get(attributionWindow(m.attributionHours, period))! };
}

/** Per-unit columns of metric i from its event arrays and its window column `w` (windowColumns): c (counted), y (value), d (denominator), p (covariate). */
function perUnitColumns(metric: MetricDefinition, i: number, w: string, nameOf: (name: string) => EventName): string[] {
  const counted = (name: string, window: string) => windowed(nameOf(name), window).count;
  const summed = (name: string, window: string) => windowed(nameOf(name), window).sum;
  switch (metric.type) {
    case 'conversion': {
      const name = metric.eventName ?? '';
      return [`${counted(name, w)} AS c${i}`, `toFloat64(c${i} > 0) AS y${i}`, `toFloat64(${counted(name, 'wp')} > 0) AS p${i}`];
    }
    case 'revenue': {
      const name = metric.eventName ?? '';
      return [`${counted(name, w)} AS c${i}`, `${summed(name, w)} AS y${i}`, `${summed(name, 'wp')} AS p${i}`];
    }
    case 'ratio': {
      const part = (p: { eventName: string; aggregate: 'sum' | 'count' }) => (p.aggregate === 'sum' ? summed(p.eventName, w) : counted(p.eventName, w));
      const numerator = metric.numerator ?? { eventName: '', aggregate: 'count' as const };
      const denominator = metric.denominator ?? { eventName: '', aggregate: 'count' as const };
      return [`${counted(denominator.eventName, w)} AS c${i}`, `${part(numerator)} AS y${i}`, `${part(denominator)} AS d${i}`];
    }
    default:
      return [];
  }
}

/** Names whose values a metric sums (revenue, a ratio's summed parts). */
function valuedNames(metrics: readonly MetricDefinition[]): Set<string> {
  const names = new Set<string>();
  for (const m of metrics) {
    if (m.type === 'revenue' && m.eventName) names.add(m.eventName);
    for (const part of [m.numerator, m.denominator]) if (m.type === 'ratio' && part?.aggregate === 'sum') names.add(part.eventName);
  }
  return names;
}

const columnsOf = (metric: MetricDefinition, i: number) => [`c${i}`, `y${i}`, ...(metric.type === 'ratio' ? [`d${i}`] : []), ...(hasCovariate(metric) ? [`p${i}`] : [])];

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

/**
 * `build(part, key)` run as selectUnitParts does, the local part grouped by UNIT_HASH (UnitKey); when a
 * shard reports a collision (a row with collisions > 0), everything again by id. The linked part is
 * always by id (few rows, and its ids are mapped to accounts first).
 */
async function selectByUnitKey<T extends Record<string, unknown>>(store: ClickHouseStore, links: Links, build: (part: UnitPart, key: UnitKey) => string, hash = UNIT_HASH): Promise<T[]> {
  const rows = await selectUnitParts<T>(store, links, (part) => build(part, part.kind === 'local' ? { hash } : 'id'));
  if (!rows.some((row) => Number(row.collisions ?? 0) > 0)) return rows;
  return selectUnitParts<T>(store, links, (part) => build(part, 'id'));
}

/** With a hash key: the unit rows' `collided` carried up (`carry`) and counted per group (`count`, as `collisions`). */
const collisionColumns = (key: UnitKey) => (key === 'id' ? { carry: [], count: [], keep: [] } : { carry: ['collided'], count: ['countIf(collided) AS collisions'], keep: ['collisions'] });

/** results/repository.ts metricGroupStats, on ClickHouse; day grouping (segments: segment-queries.ts, one pass per group through `group`). */
export async function metricGroupStatsClickHouse(
  store: ClickHouseStore,
  input: { experimentId: number; metrics: readonly MetricDefinition[]; period: Period; grouping: Grouping; days?: readonly string[] | undefined; group?: (part: UnitPart, column: string) => string },
  links: Links = noLinks,
  unitHash = UNIT_HASH,
): Promise<GroupRow[]> {
  const { experimentId, metrics, period } = input;
  if (input.grouping.kind !== 'day') throw new Error('segments are not computed on ClickHouse yet');
  const names = eventNamesOf(metrics);
  // With a covariate, events before the start count (CUPED's lookback from each unit's exposure).
  const from = metrics.some(hasCovariate) ? null : period.from.getTime();
  const events: EventArrays = { names, valued: valuedNames(metrics), from, to: period.to.getTime() };
  const nameOf = (name: string): EventName => ({ k: names.indexOf(name), n: names.length });
  const arrays = names.length ? ['te', ...(events.valued.size ? ['ve'] : [])] : [];
  const windows = windowColumns(metrics, period);
  const perUnit = metrics.flatMap((m, i) => perUnitColumns(m, i, windows.of(m), nameOf));
  const moments = metrics.map((m, i) => momentColumns(m, i));
  const query = (part: UnitPart, key: UnitKey) => {
    const c = collisionColumns(key);
    const units = unitPass(experimentId, names.length ? events : undefined, { analysed: true, days: input.days, part, key, ...filters(input) });
    // Three layers over the unit rows: the windows as tuple columns (what the lambdas capture), the
    // per-unit values, then per (variant, day) the sums and arrays of values, and the centred moments.
    const withWindows = `SELECT ${['first_variant', `intDiv(first_ms, ${DAY_MS}) AS first_day`, ...c.carry, ...arrays, ...windows.columns].join(', ')} FROM (${units})`;
    const withValues = `SELECT ${['first_variant', 'first_day', ...c.carry, ...perUnit].join(', ')} FROM (${withWindows})${capturing(windows.names)}`;
    const grouped = `SELECT ${['first_variant', 'first_day', 'count() AS units', ...c.count, ...moments.flatMap((m) => m.inner)].join(', ')} FROM (${withValues}) GROUP BY first_variant, first_day`;
    return `SELECT ${['first_variant', 'first_day', 'units', ...c.keep, ...moments.flatMap((m) => m.outer)].join(', ')} FROM (${grouped})`;
  };
  const rows = await selectByUnitKey<Record<string, number | string>>(store, links, query, unitHash);
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

/** A segment group's limit (segment-queries.ts). */
const filters = (input: { group?: (part: UnitPart, column: string) => string }) => (input.group ? { group: input.group } : {});

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

/**
 * funnel-repository.ts funnelGroupStats, on ClickHouse (day grouping). Step k: the first step-k event
 * at or after step k − 1's (s_k; −1 when not reached; times are positive), inside the attribution
 * window. One layer per step: each captures a single tuple column (from, hi) in its lambda (windowed).
 */
export async function funnelGroupStatsClickHouse(
  store: ClickHouseStore,
  input: { experimentId: number; metric: MetricDefinition; period: Period; grouping: Grouping; days?: readonly string[] | undefined; group?: (part: UnitPart, column: string) => string },
  links: Links = noLinks,
  unitHash = UNIT_HASH,
): Promise<FunnelRow[]> {
  const { experimentId, metric, period } = input;
  if (input.grouping.kind !== 'day') throw new Error('segments are not computed on ClickHouse yet');
  const steps = metric.steps ?? [];
  const names = [...new Set(steps)];
  const events: EventArrays = { names, valued: new Set(), from: period.from.getTime(), to: period.to.getTime() };
  const query = (part: UnitPart, key: UnitKey) => {
    const c = collisionColumns(key);
    const units = unitPass(experimentId, names.length ? events : undefined, { analysed: true, days: input.days, part, key, ...filters(input) });
    const arrays = names.length ? ['te'] : [];
    const reached = steps.map((_, k) => `s${k}`);
    // Layer 0: the window of step 0, (lo, hi) as `f0`; layer k + 1: s_k from f_k and the window of the next step.
    let layer = `SELECT ${['first_variant', `intDiv(first_ms, ${DAY_MS}) AS first_day`, ...c.carry, ...arrays, `${attributionWindow(metric.attributionHours, period)} AS f0`].join(', ')} FROM (${units})`;
    steps.forEach((step, k) => {
      const name: EventName = { k: names.indexOf(step), n: names.length };
      const found = `arrayFilter(x -> ${eventIn(name, `f${k}`)}, te)`;
      const s = `f${k}.1 < 0 ? -1 : (empty(${found} AS c${k}) ? -1 : intDiv(arrayReduce('min', c${k}), ${name.n})) AS s${k}`;
      const next = k + 1 < steps.length ? [`(s${k}, f${k}.2) AS f${k + 1}`] : [];
      layer = `SELECT ${['first_variant', 'first_day', ...c.carry, ...arrays, ...reached.slice(0, k), s, ...next].join(', ')} FROM (${layer})${capturing([`f${k}`])}`;
    });
    return `SELECT ${['first_variant', 'first_day', 'count() AS units', ...c.count, ...steps.map((_, k) => `countIf(s${k} >= 0) AS r${k}`)].join(', ')}
      FROM (${layer}) GROUP BY first_variant, first_day`;
  };
  const rows = await selectByUnitKey<Record<string, number | string>>(store, links, query, unitHash);
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
 * The results' event queries on ClickHouse (results/compute.ts EventQueries). `unitHash`: the local
 * passes' unit key (UnitKey; tests pass a weak one to prove collisions are caught).
 */
export const clickhouseEventQueries = (store: ClickHouseStore, links: () => Promise<Links> = async () => noLinks, options: { unitHash?: string } = {}): EventQueries => ({
  metricGroupStats: async (input) => metricGroupStatsClickHouse(store, input, await links(), options.unitHash),
  funnelGroupStats: async (input) => funnelGroupStatsClickHouse(store, input, await links(), options.unitHash),
  exposureDayStats: async (experimentId, phases) => exposureDayStatsClickHouse(store, experimentId, phases, await links()),
});
