/**
 * Segment breakdowns on ClickHouse (`?segment=<attribute>`, EVENT_STORE=clickhouse): the rows
 * results/repository.ts groupingSql gives in PostgreSQL. A unit's group is the value of the attribute in
 * its counted (first) exposure, as `attributes ->> name` reads it: the `top` most frequent values among
 * the analysed units (count, then value), the others folded into 'other', units without it in 'none'.
 *
 * The per-unit metric SQL is results-queries.ts's, unchanged: each group is one day-grouped pass
 * restricted to the group's units (`group`), its day rows then pooled (Chan et al.). Top + 2 passes:
 * a breakdown is asked for on demand and never refreshed in the background.
 * 18.16 has no JSON key functions; `visitParamExtractRaw` reads the value of a key of the stored
 * attributes (written by JSON.stringify: no spaces, so the key is found as `"name":`).
 */
import type { Grouping, MetricDefinition, Period } from '../results/definitions.js';
import { type FunnelRow, type GroupRow, addMetricStats } from '../results/sufficient-stats.js';
import { type ClickHouseStore, chSql, raw } from './connection.js';
import { type Links, type UnitPart, noLinks, selectUnitParts } from './identity.js';
import { funnelGroupStatsClickHouse, metricGroupStatsClickHouse, unitsOf } from './results-queries.js';

type Segment = Extract<Grouping, { kind: 'segment' }>;

/** Per unit of a part: multiple, has_value, segment_value (strings unquoted, other JSON values as their text). */
function unitValues(experimentId: number, attribute: string, part: UnitPart | undefined): string {
  return chSql`SELECT unit_id, multiple, raw_value != '' AND raw_value != 'null' AS has_value,
      if(startsWith(raw_value, '"'), visitParamExtractString(first_attributes, ${attribute}), raw_value) AS segment_value
    FROM (
      SELECT unit_id, multiple, first_attributes, visitParamExtractRaw(first_attributes, ${attribute}) AS raw_value
      FROM (${raw(unitsOf(experimentId, part, { attributes: true }))})
    )`;
}

interface Group {
  key: string | null;
  kind: GroupRow['groupKind'];
  /** The group's units as a condition on the unit id `column` of a part. */
  units: (part: UnitPart, column: string) => string;
}

/**
 * The top values (PostgreSQL's order: count descending, then value) and the groups they make; linked ids
 * merged (identity.ts). Each part's group is a subquery on that part's own units: the local part's read
 * on each shard (the pass leaves linked ids out), the linked part's over the Distributed tables with the
 * shard's copy of the links (never a list of accounts sent as literals).
 */
async function groupsOf(store: ClickHouseStore, experimentId: number, segment: Segment, links: Links): Promise<Group[]> {
  const rows = await selectUnitParts<{ segment_value: string; n: string | number }>(
    store,
    links,
    (part) => `SELECT segment_value, count() AS n FROM (${unitValues(experimentId, segment.attribute, part)}) WHERE NOT multiple AND has_value GROUP BY segment_value`,
  );
  const counts = new Map<string, number>();
  for (const row of rows) counts.set(row.segment_value, (counts.get(row.segment_value) ?? 0) + Number(row.n));
  const top = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).slice(0, segment.top).map(([v]) => v);
  const group = (condition: string) => (part: UnitPart, column: string) =>
    `${column} IN (SELECT unit_id FROM (${unitValues(experimentId, segment.attribute, part.kind === 'local' ? undefined : part)}) WHERE ${condition})`;
  return [
    ...top.map((v): Group => ({ key: v, kind: 'value', units: group(chSql`has_value AND segment_value = ${v}`) })),
    { key: null, kind: 'other', units: group(top.length ? chSql`has_value AND segment_value NOT IN ${top}` : 'has_value') },
    { key: null, kind: 'none', units: group('NOT has_value') },
  ];
}

/** metricGroupStats with a segment grouping, on ClickHouse. */
export async function metricSegmentStatsClickHouse(
  store: ClickHouseStore,
  input: { experimentId: number; metrics: readonly MetricDefinition[]; period: Period; grouping: Grouping },
  links: Links = noLinks,
): Promise<GroupRow[]> {
  if (input.grouping.kind !== 'segment') return metricGroupStatsClickHouse(store, input, links);
  const groups = await groupsOf(store, input.experimentId, input.grouping, links);
  const out: GroupRow[] = [];
  for (const group of groups) {
    const days = await metricGroupStatsClickHouse(store, { ...input, grouping: { kind: 'day' }, group: group.units }, links);
    const byVariant = new Map<number, GroupRow>();
    for (const row of days) {
      const seen = byVariant.get(row.variantIndex);
      if (!seen) {
        byVariant.set(row.variantIndex, { ...row, group: group.key, groupKind: group.kind });
        continue;
      }
      const metrics = seen.metrics.map((m, i) => {
        const { n: _n, ...pooled } = addMetricStats({ ...m, n: seen.units }, { ...row.metrics[i]!, n: row.units });
        return pooled;
      });
      byVariant.set(row.variantIndex, { ...seen, units: seen.units + row.units, metrics });
    }
    out.push(...byVariant.values());
  }
  return out;
}

/** funnelGroupStats with a segment grouping, on ClickHouse. */
export async function funnelSegmentStatsClickHouse(
  store: ClickHouseStore,
  input: { experimentId: number; metric: MetricDefinition; period: Period; grouping: Grouping },
  links: Links = noLinks,
): Promise<FunnelRow[]> {
  if (input.grouping.kind !== 'segment') return funnelGroupStatsClickHouse(store, input, links);
  const groups = await groupsOf(store, input.experimentId, input.grouping, links);
  const out: FunnelRow[] = [];
  for (const group of groups) {
    const days = await funnelGroupStatsClickHouse(store, { ...input, grouping: { kind: 'day' }, group: group.units }, links);
    const byVariant = new Map<number, FunnelRow>();
    for (const row of days) {
      const seen = byVariant.get(row.variantIndex);
      byVariant.set(row.variantIndex, seen
        ? { ...seen, units: seen.units + row.units, reached: seen.reached.map((r, k) => r + (row.reached[k] ?? 0)) }
        : { ...row, group: group.key, groupKind: group.kind });
    }
    out.push(...byVariant.values());
  }
  return out;
}
