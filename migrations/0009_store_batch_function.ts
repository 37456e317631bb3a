import { type Kysely, sql } from 'kysely';

/**
 * The ingestion write (server/src/events/repository.ts, storeBatches) as a PL/pgSQL function.
 * PL/pgSQL parses and plans its statements once per connection and reuses the plan; sent as plain
 * SQL, this statement of five CTEs was parsed and planned again for every batch. The effect shows in
 * bench/ingest.bench.ts's PostgreSQL CPU per 1,000 items. To change the write, add a migration that replaces the function; never edit this one.
 *
 * Arguments: two JSON arrays built by storeBatches, rows already deduplicated by id and sorted in lock
 * order (event ids; experiment then unit), with short keys:
 *   events:    { id, u: unit, n: name, v: value, t: occurred_at, r: received_at, a: attributes, p: request, o: order }
 *   exposures: { id, x: experiment, u: unit, vi: variant index, t: exposed_at, r: received_at, a, p, o }
 * Returns count rows: ('stored', null, events inserted); ('stored', p, n) per request only when some
 * event was already stored; ('retried', p, n) per request: exposures that are the stored first
 * exposure of their unit (a retry), computed only when some unit already had a row.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create function touchpoint_store_batch(p_events jsonb, p_exposures jsonb)
    returns table (kind text, part int, n int)
    language plpgsql
    as $fn$
    #variable_conflict use_column
    begin
      return query
      with event_in as (
        select * from jsonb_to_recordset(p_events)
          as t(id text, u text, n text, v float8, t timestamptz, r timestamptz, a jsonb, p int, o int)
      ), new_events as (
        -- a retried event is a duplicate
        insert into events (event_id, unit_id, name, value, occurred_at, received_at, attributes)
        select id, u, n, v, t, r, a from event_in order by o
        on conflict (event_id) do nothing
        returning event_id
      ), exposure_in as (
        select * from jsonb_to_recordset(p_exposures)
          as t(id text, x int, u text, vi int, t timestamptz, r timestamptz, a jsonb, p int, o int)
      ), first_per_unit as (
        -- one row per (experiment, unit): the earliest written here; window functions run before
        -- DISTINCT ON, so the flag sees every exposure of the unit
        select distinct on (x, u) *, min(vi) over unit <> max(vi) over unit as multiple_variants
        from exposure_in
        window unit as (partition by x, u)
        order by x, u, o
      ), upserted as (
        -- against a stored row the first stored exposure wins; another variant sets the flag, and only
        -- a change writes anything. xmax = 0 tells an inserted row from an updated one.
        insert into exposures (experiment_id, unit_id, variant_index, first_item_id, exposed_at, received_at, attributes, multiple_variants)
        select x, u, vi, id, t, r, a, multiple_variants from first_per_unit order by o
        on conflict (experiment_id, unit_id) do update set multiple_variants = true
          where not exposures.multiple_variants
            and (exposures.variant_index <> excluded.variant_index or excluded.multiple_variants)
        returning (xmax = 0) as inserted
      )
      -- The two joins below run only when needed (their conditions are one-time filters).
      select 'stored'::text, null::int, (select count(*) from new_events)::int
      union all
      select 'stored', e.p, count(*)::int from event_in e join new_events s on s.event_id = e.id
      where (select count(*) from new_events) < (select count(*) from event_in)
      group by e.p
      union all
      -- read in the statement's snapshot, i.e. as stored before these writes
      select 'retried', x.p, count(*)::int from exposure_in x
      join exposures s on s.experiment_id = x.x and s.unit_id = x.u and s.first_item_id = x.id
      where (select count(*) from upserted where inserted) < (select count(*) from first_per_unit)
      group by x.p;
    end
    $fn$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop function touchpoint_store_batch(jsonb, jsonb)`.execute(db);
}
