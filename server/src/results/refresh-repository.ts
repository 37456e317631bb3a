/**
 * SQL of an incremental refresh (results/incremental.ts): the exposure-side fingerprint of each
 * exposure day (also the SRM counts of every computation), and the exposure days of units with
 * recently received metric events.
 */
import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Database } from '../db/schema.js';
import { experimentHasLinks, linkedExposures, unlinked } from './identity-sql.js';
import type { ExposureDayStats } from './incremental.js';

type Db = Kysely<Database>;

/**
 * One scan of the experiment's exposures, per UTC day of first exposure, variant and phase: analysed
 * and `multiple_variants` counts and a sum of hashes of the analysed units' (unit_id, first_item_id).
 * It serves both the exposure-day fingerprints (a late first exposure, a flip to `multiple_variants`
 * or an erasure changes a count; an erased unit replaced by another on the same day and variant
 * changes the hash, and so does the same unit exposed again after its erasure: a new item id) and the
 * units per phase of the SRM check (`unitsByPhaseOf`, summed over days). hashtext is int4 and XOR keeps
 * it so: the sum stays a bigint. Grouping on the date, not its text, keeps the per-row work small.
 */
export async function exposureDayStats(db: Db, experimentId: number): Promise<ExposureDayStats[]> {
  const linked = await experimentHasLinks(db, experimentId);
  const aggregate = (source: RawBuilder<unknown>, where: RawBuilder<unknown>) => sql`
      select (x.exposed_at at time zone 'UTC')::date as d, x.variant_index as v, p.phase,
             count(*) filter (where not x.multiple_variants) as units,
             count(*) filter (where x.multiple_variants) as multiple,
             coalesce(sum(hashtext(x.unit_id) # hashtext(x.first_item_id)) filter (where not x.multiple_variants), 0) as unit_hash
      from ${source} x
      left join experiment_phases p
        on p.experiment_id = x.experiment_id and x.exposed_at >= p.started_at and (p.ended_at is null or x.exposed_at < p.ended_at)
      ${where}
      group by 1, 2, 3`;
  // With links, the plain scan skips the linked ids and a second aggregate adds their merged rows
  // (identity-sql.ts): each keeps its own plan (the plain one parallel), and the parts add up here.
  const { rows } = await sql<{ day: string; variantIndex: number; phase: number | null; units: number; multiple: number; unitHash: string }>`
    select to_char(g.d, 'YYYY-MM-DD') as day, g.v as "variantIndex", g.phase, g.units, g.multiple, g.unit_hash::text as "unitHash"
    from (
      ${aggregate(sql`exposures`, sql`where x.experiment_id = ${experimentId} ${linked ? sql`and ${unlinked}` : sql``}`)}
      ${linked ? sql`union all ${aggregate(linkedExposures(experimentId), sql``)}` : sql``}
    ) g`.execute(db);
  const byKey = new Map<string, ExposureDayStats>();
  for (const r of rows) {
    const row = {
      day: r.day,
      variantIndex: Number(r.variantIndex),
      phase: r.phase === null ? null : Number(r.phase),
      units: Number(r.units),
      multiple: Number(r.multiple),
      unitHash: String(r.unitHash),
    };
    const key = `${row.day}|${row.variantIndex}|${row.phase}`;
    const seen = byKey.get(key);
    if (!seen) byKey.set(key, row);
    else {
      seen.units += row.units;
      seen.multiple += row.multiple;
      seen.unitHash = (BigInt(seen.unitHash) + BigInt(row.unitHash)).toString();
    }
  }
  return [...byKey.values()];
}

/**
 * UTC days of first exposure of the analysed units that have an identify link, or an event of one of `names`, received at
 * or after `since` and occurring where it can count for them (`eventRelevance`: from `lookbackDays`
 * before the exposure to `horizonHours` after it). The BRIN index on events (received_at) limits the
 * read to the newest block ranges; each event then probes the exposures' primary key.
 */
export async function daysWithReceivedEvents(
  db: Db,
  input: { experimentId: number; names: readonly string[]; since: Date; lookbackDays: number; horizonHours: number | null },
): Promise<string[]> {
  if (input.names.length === 0) return [];
  const horizon =
    input.horizonHours === null ? sql`` : sql`and e.occurred_at < x.exposed_at + make_interval(hours => ${input.horizonHours}::int)`;
  const relevant = sql`e.received_at >= ${input.since}::timestamptz
        and e.name = any(${[...input.names]}::text[])
        and e.occurred_at >= x.exposed_at - make_interval(days => ${input.lookbackDays}::int)
        ${horizon}`;
  const linked = await experimentHasLinks(db, input.experimentId);
  // With links (identity-sql.ts), two more parts: linked units' merged exposures with the recent
  // events of any of their ids (the ids' own rows above may give another day: a day recomputed for
  // nothing, harmless), and linked units with a link received since — a link arriving after the
  // events changes whose events count, with no new event at all.
  const linkedParts = linked
    ? sql`union
      select (x.exposed_at at time zone 'UTC')::date
      from ${linkedExposures(input.experimentId)} x
      join (
        select la.unit_id, e.name, e.occurred_at, e.received_at from unit_aliases la join events e on e.unit_id = la.alias_id
        union all
        select e.unit_id, e.name, e.occurred_at, e.received_at from events e where e.unit_id in (select la.unit_id from unit_aliases la)
      ) e on e.unit_id = x.unit_id
      where not x.multiple_variants and ${relevant}
      union
      select (x.exposed_at at time zone 'UTC')::date
      from ${linkedExposures(input.experimentId)} x
      where not x.multiple_variants
        and exists (select 1 from unit_aliases la where la.unit_id = x.unit_id and la.received_at >= ${input.since}::timestamptz)`
    : sql``;
  const { rows } = await sql<{ day: string }>`
    select to_char(d, 'YYYY-MM-DD') as day
    from (
      select distinct (x.exposed_at at time zone 'UTC')::date as d
      from events e
      join exposures x on x.experiment_id = ${input.experimentId} and x.unit_id = e.unit_id and not x.multiple_variants
      where ${relevant}
      ${linkedParts}
    ) s
    order by 1`.execute(db);
  return rows.map((r) => r.day);
}
