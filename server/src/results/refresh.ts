/**
 * A refresh of the default results (no segment): a full computation when the plan says so
 * (incremental.ts `planRefresh`), otherwise only the exposure days that can have changed since the
 * stored state, merged into the stored rows. Either way the document comes from the same
 * `assembleResults` over the same rows a full computation would read.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { type EventReads, postgresEventReads } from '../events/event-store.js';
import { assembleResults } from './assemble.js';
import { type DayRows, type ExposureCounts, type LoadedExperiment, dayRowsOf, experimentInfo, metricSet, queryOutputs, queryPeriod, runningPeriod } from './compute.js';
import { eventNamesOf } from './definitions.js';
import {
  RECONCILE_INTERVAL_MS,
  type RefreshPlan,
  type RefreshReport,
  type RefreshState,
  REFRESH_STATE_VERSION,
  changedDays,
  dayFingerprints,
  definitionsFingerprint,
  type ExposureDayStats,
  eventRelevance,
  exposureRowsOf,
  mergeDayRows,
  mergeExposureRows,
  mergeFunnelRows,
  planRefresh,
  unitsByPhaseOf,
} from './incremental.js';
import { loadMetricDefinitions, loadPhases } from './repository.js';
import { readRefreshState } from './snapshot-repository.js';
import type { ExperimentResults } from './types.js';

export interface RefreshOptions {
  /** Recompute everything regardless of the stored state. */
  full?: boolean | undefined;
  /** Full recompute when the last one is older than this; default RECONCILE_INTERVAL_MS. */
  reconcileMs?: number | undefined;
  /** The event store's reads (EVENT_STORE); default the tables of `db`. */
  events?: EventReads | undefined;
}

export interface DefaultRefresh {
  results: ExperimentResults;
  state: RefreshState;
  report: RefreshReport;
}

export async function refreshDefaultResults(db: Kysely<Database>, experiment: LoadedExperiment, now: Date, options: RefreshOptions = {}): Promise<DefaultRefresh> {
  const events = options.events ?? postgresEventReads(db);
  const period = runningPeriod(experiment, now);
  const window = queryPeriod(period, now);
  // The exposure fingerprint is read BEFORE the rows: an exposure that lands in between is then in
  // the rows but not in the stored fingerprint, so the next refresh sees its day as changed (read
  // after, it would be in the fingerprint and missing from the rows, unseen until reconciliation).
  // The same scan gives the units per phase (SRM), so a refresh reads the exposures once.
  // The phases first: ClickHouse assigns exposures to them in its own query.
  const phases = await loadPhases(db, experiment.id);
  // A store that can tell which exposure days can have changed (events.touchedExposureDayStats,
  // ClickHouse) reads only those days' once the plan is known; the others read every day's at once.
  const touchedOnly = events.touchedExposureDayStats;
  const [metrics, stored, everyDay] = await Promise.all([
    loadMetricDefinitions(db, experiment.id),
    options.full ? null : readRefreshState(db, experiment.id),
    touchedOnly ? null : events.exposureDayStats(experiment.id, phases),
  ]);
  const set = metricSet(metrics);
  const definitions = definitionsFingerprint({ ...experiment, metrics });
  const plan: RefreshPlan = options.full
    ? { mode: 'full', reason: 'requested' }
    : planRefresh(stored, { definitions, now, started: period !== null, reconcileMs: options.reconcileMs ?? RECONCILE_INTERVAL_MS });
  let exposureRows: ExposureDayStats[];
  if (everyDay) exposureRows = everyDay;
  else if (touchedOnly && plan.mode === 'incremental' && stored) {
    // The days not touched keep the rows their stored fingerprint was made of (its inverse): their
    // fingerprint is unchanged by construction, and their units per phase still count for the SRM.
    const touched = await touchedOnly({ experimentId: experiment.id, phases, since: plan.receivedSince });
    exposureRows = mergeExposureRows(exposureRowsOf(stored.exposureDays), touched.rows, new Set(touched.days));
  } else exposureRows = await events.exposureDayStats(experiment.id, phases);
  const counts: ExposureCounts = { phases, byPhase: unitsByPhaseOf(exposureRows) };
  const fingerprints = dayFingerprints(exposureRows);

  // planRefresh is incremental only with a stored state: its rows are the base the fresh days replace.
  const base = plan.mode === 'incremental' && stored ? { ...stored, receivedSince: plan.receivedSince } : null;
  let rows: DayRows;
  let daysRecomputed: number;
  if (!base) {
    rows = await dayRowsOf(db, experiment.id, set, window, undefined, events);
    daysRecomputed = Object.keys(fingerprints).length;
  } else {
    const received = await events.daysWithReceivedEvents({
      experimentId: experiment.id,
      names: eventNamesOf(metrics),
      since: base.receivedSince,
      ...eventRelevance(metrics),
    });
    const dirty = new Set([...changedDays(base.exposureDays, fingerprints), ...received]);
    const fresh: DayRows = dirty.size ? await dayRowsOf(db, experiment.id, set, window, [...dirty], events) : { dayRows: [], funnelDayRows: new Map() };
    rows = {
      dayRows: mergeDayRows(base.dayRows, fresh.dayRows, dirty),
      funnelDayRows: mergeFunnelRows(set.funnels.map((f) => f.key), base.funnelDayRows, fresh.funnelDayRows, dirty),
    };
    daysRecomputed = dirty.size;
  }

  const results = assembleResults(experimentInfo(experiment), queryOutputs(set, rows, counts, period, now));
  const state: RefreshState = {
    version: REFRESH_STATE_VERSION,
    definitions,
    watermark: now.toISOString(),
    fullAt: base ? base.fullAt : now.toISOString(),
    exposureDays: fingerprints,
    dayRows: rows.dayRows,
    funnelDayRows: Object.fromEntries(rows.funnelDayRows),
  };
  return { results, state, report: { mode: base ? 'incremental' : 'full', daysRecomputed } };
}
