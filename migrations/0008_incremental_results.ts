import { type Kysely, sql } from 'kysely';

/**
 * Incremental refresh of results snapshots (server/src/results/incremental.ts):
 * - `results_snapshots.state`: the per-day rows, exposure fingerprints and watermark of the default
 *   snapshot, kept apart from `results` so that serving a snapshot never reads it;
 * - a BRIN index on `events (received_at)`: a refresh reads the events received since the last one.
 *   Ingestion appends events in receive order, so block ranges follow time and the index (a few
 *   pages for millions of rows, almost free to maintain) lets the scan skip all but the newest ranges.
 *   `autosummarize` summarizes each filled range in the background instead of waiting for a vacuum
 *   (ranges not yet summarized are always read: correct, only slower).
 * - statistics on the UTC day of `exposures.exposed_at`: a refresh groups the exposures by it, and
 *   without them the planner takes the day count for the timestamps' (one group per unit), so it
 *   never plans the grouping in parallel. Expression statistics need PostgreSQL 14 or later.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('results_snapshots').addColumn('state', 'jsonb').execute();
  await sql`create index events_received_brin_idx on events using brin (received_at) with (autosummarize = on)`.execute(db);
  await sql`create statistics exposures_exposure_day_stats on ((exposed_at at time zone 'UTC')::date) from exposures`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop statistics exposures_exposure_day_stats`.execute(db);
  await sql`drop index events_received_brin_idx`.execute(db);
  await db.schema.alterTable('results_snapshots').dropColumn('state').execute();
}
