/**
 * Identity in the results SQL (README.md, "Identity"): an anonymous id linked to an account by
 * `identify` (table `unit_aliases`, one level deep) is the same unit as the account. The stored rows
 * stay as ingested; the mapping happens here, at read time, so a link that arrives after the events
 * still counts them, and erasing a link undoes it.
 *
 * Units untouched by any link — nearly all of them — keep the plain tables and plans (`unlinked`);
 * the linked ones are merged in a second, small part driven by the links (`linkedExposures`).
 */
import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Database } from '../db/schema.js';

/**
 * Whether any link touches the experiment: an exposed id that is a linked anonymous id or an account
 * with linked ids. Without one (every experiment before identify is used, and most of them after) the
 * queries keep their plain plans over `exposures` and `events` — the union below costs 1.3× to 3× on
 * a 200,000-unit experiment (parallel scans and aggregation lost). Probes driven by the links.
 * A link that arrives after this check is a change the next refresh reads (refresh-repository.ts, rule c).
 */
export async function experimentHasLinks(db: Kysely<Database>, experimentId: number): Promise<boolean> {
  const { rows } = await sql<{ linked: boolean }>`
    select exists (select 1 from unit_aliases la join exposures lx on lx.experiment_id = ${experimentId} and lx.unit_id = la.alias_id)
        or exists (select 1 from unit_aliases la join exposures lx on lx.experiment_id = ${experimentId} and lx.unit_id = la.unit_id) as linked`.execute(db);
  return rows[0]?.linked === true;
}

/** `x` (exposures) is neither a linked anonymous id nor an account with linked ids: two hashed anti-joins. */
export const unlinked = sql`not exists (select 1 from unit_aliases la where la.alias_id = x.unit_id)
  and not exists (select 1 from unit_aliases la where la.unit_id = x.unit_id)`;

/**
 * One row per linked unit (an account and its anonymous ids) exposed to the experiment, under the
 * account id, with the columns of `exposures`. First exposure wins: the earliest of the ids' first
 * exposures gives the variant, time, attributes and item id. A unit whose ids were seen in different
 * variants (or any of them flagged) is `multiple_variants`, excluded like any other.
 * Driven by the links: a primary-key probe of `exposures` per link, never a scan of the experiment.
 */
export function linkedExposures(experimentId: number): RawBuilder<unknown> {
  return sql`(
    select distinct on (g.unit_id) ${experimentId}::int as experiment_id, g.unit_id, g.variant_index, g.first_item_id, g.exposed_at, g.attributes,
           (bool_or(g.multiple_variants) over u or min(g.variant_index) over u <> max(g.variant_index) over u) as multiple_variants
    from (
      select la.unit_id, lx.variant_index, lx.first_item_id, lx.exposed_at, lx.attributes, lx.multiple_variants
      from unit_aliases la join exposures lx on lx.experiment_id = ${experimentId} and lx.unit_id = la.alias_id
      union all
      select lx.unit_id, lx.variant_index, lx.first_item_id, lx.exposed_at, lx.attributes, lx.multiple_variants
      from exposures lx where lx.experiment_id = ${experimentId} and lx.unit_id in (select la.unit_id from unit_aliases la)
    ) g
    window u as (partition by g.unit_id)
    order by g.unit_id, g.exposed_at, g.first_item_id
  )`;
}

/** Every unit's exposure to the experiment, linked ids merged: the columns of `exposures` (less `received_at`). */
export function unitExposures(experimentId: number, linked: boolean): RawBuilder<unknown> {
  if (!linked) return sql`(select * from exposures x where x.experiment_id = ${experimentId})`;
  return sql`(
    select x.experiment_id, x.unit_id, x.variant_index, x.first_item_id, x.exposed_at, x.attributes, x.multiple_variants
    from exposures x where x.experiment_id = ${experimentId} and ${unlinked}
    union all
    select * from ${linkedExposures(experimentId)} lm
  )`;
}

/**
 * Events by unit: each event under its own id, and the events of a linked anonymous id again under
 * its account. Joined on an account id it yields the account's and its anonymous ids' events; the
 * copies under anonymous ids never meet an exposure row (merged rows carry the account id).
 * Both parts are index probes (`events_unit_name_time_idx`, then `unit_aliases_unit_idx`).
 */
export const unitEvents = (linked: boolean): RawBuilder<unknown> => (linked ? linkedUnitEvents : sql`events`);

const linkedUnitEvents = sql`(
  select ev.unit_id, ev.name, ev.occurred_at, ev.value, ev.received_at from events ev
  union all
  select la.unit_id, ev.name, ev.occurred_at, ev.value, ev.received_at from unit_aliases la join events ev on ev.unit_id = la.alias_id
)`;
