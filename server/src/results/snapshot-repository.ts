import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/schema.js';
import { REFRESH_STATE_VERSION, type RefreshState, parseRefreshState } from './incremental.js';
import type { ExperimentResults } from './types.js';

export interface StoredSnapshot {
  computedAt: Date;
  durationMs: number;
  results: ExperimentResults;
}

/**
 * The stored document, or null if none — or if the default snapshot was computed by another version of
 * the results code (its refresh state's version): after an upgrade it may carry verdicts the current
 * rules would not give, so it is recomputed rather than served (the summary list skips it likewise).
 */
export async function readSnapshot(db: Kysely<Database>, experimentId: number, segment: string): Promise<StoredSnapshot | null> {
  const row = await db
    .selectFrom('results_snapshots')
    .select(['computed_at', 'duration_ms', 'results', sql<string | null>`state ->> 'version'`.as('state_version')])
    .where('experiment_id', '=', experimentId)
    .where('segment', '=', segment)
    .executeTakeFirst();
  if (!row) return null;
  if (segment === '' && row.state_version !== String(REFRESH_STATE_VERSION)) return null;
  // A document from before decisions (design.md §8) may call a comparison significant while
  // collecting: recomputed (the refresh state itself is still valid), not served.
  if (!(row.results as { decision?: unknown }).decision) return null;
  return { computedAt: row.computed_at, durationMs: row.duration_ms, results: row.results as unknown as ExperimentResults };
}

/**
 * Upsert; an older computation never overwrites a newer one (two refreshes racing). `state` is the
 * default snapshot's incremental-refresh state (results/incremental.ts), null for segment breakdowns.
 */
export async function writeSnapshot(
  db: Kysely<Database>,
  experimentId: number,
  segment: string,
  snapshot: StoredSnapshot & { state: RefreshState | null },
): Promise<void> {
  await db
    .insertInto('results_snapshots')
    .values({
      experiment_id: experimentId,
      segment,
      computed_at: snapshot.computedAt,
      duration_ms: Math.round(snapshot.durationMs),
      results: JSON.stringify(snapshot.results),
      state: snapshot.state ? JSON.stringify(snapshot.state) : null,
    })
    .onConflict((oc) =>
      oc.columns(['experiment_id', 'segment']).doUpdateSet({
        computed_at: (eb) => eb.ref('excluded.computed_at'),
        duration_ms: (eb) => eb.ref('excluded.duration_ms'),
        results: (eb) => eb.ref('excluded.results'),
        state: (eb) => eb.ref('excluded.state'),
      }).where('results_snapshots.computed_at', '<=', sql<Date>`excluded.computed_at`),
    )
    .execute();
}

/** The incremental-refresh state stored with an experiment's default snapshot (null if none or outdated). */
export async function readRefreshState(db: Kysely<Database>, experimentId: number): Promise<RefreshState | null> {
  const row = await db
    .selectFrom('results_snapshots')
    .select('state')
    .where('experiment_id', '=', experimentId)
    .where('segment', '=', '')
    .executeTakeFirst();
  return row?.state ? parseRefreshState(row.state) : null;
}

/** Running experiments whose default snapshot is missing or older than `before`, stalest first. */
export async function staleRunningExperiments(db: Kysely<Database>, before: Date, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('experiments as x')
    .leftJoin('results_snapshots as s', (join) => join.onRef('s.experiment_id', '=', 'x.id').on('s.segment', '=', ''))
    .select('x.key')
    .where('x.status', '=', 'running')
    .where((eb) => eb.or([eb('s.computed_at', 'is', null), eb('s.computed_at', '<', before)]))
    .orderBy(sql`s.computed_at asc nulls first`)
    .limit(limit)
    .execute();
  return rows.map((r) => r.key);
}
