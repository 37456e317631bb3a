/**
 * GET /api/results/summary: the headline of every running or stopped experiment's stored results, in one query,
 * for the dashboard's lists (experiments list, funnel overview). It reads snapshots only and never
 * computes: opening a list of thirty experiments must not start thirty computations. An experiment
 * without a usable snapshot (none yet, older than its last change, or from an older version of the
 * results code) is listed with `results: null`;
 * the scheduler (or a GET of its results) makes one.
 */
import { Hono } from 'hono';
import { access } from '../access/declare.js';
import { type Kysely, sql } from 'kysely';
import { z } from 'zod';
import type { Database } from '../db/schema.js';
import type { AppDeps, AppEnv } from '../http/context.js';
import { readQuery } from '../http/validate.js';
import type { Operation } from '../openapi/registry.js';
import { REFRESH_STATE_VERSION } from './incremental.js';
import { decisionStatus, metricResultSchema } from './schemas.js';
import type { DecisionStatus } from './decision.js';
import type { MetricResult } from './types.js';

export interface ResultsSummary {
  key: string;
  /** null: no snapshot newer than the experiment's last change yet. */
  results: {
    computedAt: string;
    ageSeconds: number;
    exposures: { units: number; analysedUnits: number };
    srm: { mismatch: boolean };
    /** The results' decision (design.md §8): its status and the variant it recommends. */
    decision: { status: DecisionStatus; recommendedVariant: string | null };
    /** The primary metric as in the full results (the first metric when none is primary); absent without metrics. */
    metrics: MetricResult[];
  } | null;
}

const summaryResponse = z.object({
  items: z.array(
    z.object({
      key: z.string(),
      results: z
        .object({
          computedAt: z.iso.datetime(),
          ageSeconds: z.number().min(0),
          exposures: z.object({ units: z.number().int(), analysedUnits: z.number().int() }),
          srm: z.object({ mismatch: z.boolean() }),
          /** The results' decision status and recommended variant (the full results carry reasons and checks). */
          decision: z.object({ status: decisionStatus, recommendedVariant: z.string().nullable() }),
          /** The primary metric exactly as in the full results (at most one). */
          metrics: z.array(metricResultSchema).max(1),
        })
        .nullable(),
    }),
  ),
});

async function loadResultsSummaries(db: Kysely<Database>, now: Date): Promise<ResultsSummary[]> {
  // The JSON paths pick the few fields a list shows, so whole documents (daily series, segments)
  // never leave the database. A snapshot computed by another version of the results code (its
  // refresh state's version) is not shown: after an upgrade it may carry verdicts the current rules
  // would not give (a fixed-horizon "significant" before the planned sample, a variance from raw sums);
  // nor one from before decisions existed (no `decision`): it may call a comparison significant while collecting.
  const { rows } = await sql<{ key: string; computed_at: Date | null; exposures: { units: number; analysedUnits: number } | null; mismatch: boolean | null; decision: { status: DecisionStatus; recommendedVariant: string | null } | null; metric: MetricResult | null }>`
    select x.key, s.computed_at,
           jsonb_build_object('units', s.results -> 'exposures' -> 'units', 'analysedUnits', s.results -> 'exposures' -> 'analysedUnits') as exposures,
           (s.results -> 'srm' ->> 'mismatch')::boolean as mismatch,
           jsonb_build_object('status', s.results -> 'decision' -> 'status', 'recommendedVariant', s.results -> 'decision' -> 'recommendedVariant') as decision,
           coalesce(jsonb_path_query_first(s.results, '$.metrics[*] ? (@.role == "primary")'), s.results -> 'metrics' -> 0) as metric
    from experiments x
    left join results_snapshots s on s.experiment_id = x.id and s.segment = '' and s.computed_at >= x.updated_at
      and s.state ->> 'version' = ${String(REFRESH_STATE_VERSION)} and s.results -> 'decision' is not null
    where x.status in ('running', 'stopped') and x.archived_at is null
    order by x.key`.execute(db);
  return rows.map((row) => ({
    key: row.key,
    results:
      row.computed_at === null || row.exposures === null || row.decision === null
        ? null
        : {
            computedAt: row.computed_at.toISOString(),
            ageSeconds: Math.max(0, (now.getTime() - row.computed_at.getTime()) / 1000),
            exposures: row.exposures,
            srm: { mismatch: row.mismatch ?? false },
            decision: row.decision,
            metrics: row.metric ? [row.metric] : [],
          },
  }));
}

/** No parameters: an unknown one is refused (422), as list and results endpoints do, not silently ignored. */
const summaryQuery = z.strictObject({});

export function resultsSummaryRoutes(deps: AppDeps) {
  return new Hono<AppEnv>().get('/summary', access('viewer'), async (c) => {
    readQuery(c, summaryQuery);
    return c.json({ items: await loadResultsSummaries(deps.db, deps.now()) });
  });
}

export const resultsSummaryOperation: Operation = {
  method: 'get',
  path: '/api/results/summary',
  summary: 'Headline (primary metric, exposures, SRM flag, decision status) of every running or stopped (not archived) experiment, from stored snapshots only; results: null until one exists',
  tag: 'results',
  role: 'viewer',
  query: summaryQuery,
  response: summaryResponse,
};
