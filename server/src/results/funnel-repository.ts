import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Grouping, MetricDefinition, Period } from './definitions.js';
import { experimentHasLinks, unitEvents, unitExposures } from './identity-sql.js';
import { exposureDaysFilter, groupingSql, withResultsWorkMem } from './repository.js';
import type { FunnelRow } from './sufficient-stats.js';

/**
 * Units reaching each funnel step in order, per variant and group. For each analysed unit, step 1 is
 * its first step-1 event in the window and step k its first step-k event at or after step k − 1
 * (events with the same timestamp count as in order: a batch often carries them together). Each step
 * is one lateral `min(occurred_at)` that the (unit_id, name, occurred_at) index answers with one probe.
 * `days` restricts the units to those first exposed on these UTC days, as in `metricGroupStats`.
 * Ids linked by identify are one unit (identity-sql.ts).
 */
export async function funnelGroupStats(
  db: Kysely<Database>,
  input: { experimentId: number; metric: MetricDefinition; period: Period; grouping: Grouping; days?: readonly string[] | undefined },
): Promise<FunnelRow[]> {
  const { experimentId, metric, period, grouping } = input;
  const steps = metric.steps ?? [];
  const linked = await experimentHasLinks(db, experimentId);
  const group = groupingSql(experimentId, grouping, linked);
  const upper = sql`least(x.exposed_at + make_interval(hours => ${metric.attributionHours}::int), ${period.to}::timestamptz)`;
  const laterals = steps.map((step, k) => {
    const after = k === 0 ? sql`greatest(x.exposed_at, ${period.from}::timestamptz)` : sql.ref(`s${k - 1}.t`);
    return sql`left join lateral (
        select min(e.occurred_at) as t from ${unitEvents(linked)} e
        where e.unit_id = x.unit_id and e.name = ${step}::text and e.occurred_at >= ${after} and e.occurred_at < ${upper}
      ) ${sql.raw(`s${k}`)} on true`;
  });
  const reached = steps.map((_, k) => sql`count(${sql.ref(`s${k}.t`)}) as ${sql.raw(`"r${k}"`)}`);
  const query = sql<Record<string, number | string | null>>`
    ${group.cte}
    select x.variant_index as "variantIndex", ${group.key} as "group", ${group.kind} as "groupKind", count(*) as units
      ${reached.length ? sql`, ${sql.join(reached)}` : sql``}
    from ${unitExposures(experimentId, linked)} x
    ${sql.join(laterals, sql` `)}
    where not x.multiple_variants ${exposureDaysFilter(input.days)}
    group by 1, 2, 3`;
  const { rows } = await withResultsWorkMem(db, (trx) => query.execute(trx));
  return rows.map((row) => ({
    variantIndex: Number(row.variantIndex),
    group: row.group === null ? null : String(row.group),
    groupKind: row.groupKind as FunnelRow['groupKind'],
    units: Number(row.units),
    reached: steps.map((_, k) => Number(row[`r${k}`] ?? 0)),
  }));
}
