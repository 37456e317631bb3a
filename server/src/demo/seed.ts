/**
 * `seedDemo`: the demo shop of `funnel.ts` created through the real API — touchpoints, metrics,
 * experiments and their lifecycle via `/api`, simulated traffic via `POST /sdk/events` with an SDK
 * key — on an app whose clock walks through the last six days, so experiments start and stop at
 * believable times and every item is inside the ingestion's 7-day bound when it is received.
 *
 * Idempotent: a database that already has the demo touchpoints is left alone (the result says so).
 * The two keys it uses are created for the run and revoked at the end; call it after `bootstrapKeys`
 * (a database whose only keys are revoked demo keys would otherwise never get its bootstrap keys).
 */
import type { Kysely } from 'kysely';
import { createApp } from '../app.js';
import type { EventStore } from '../events/event-store.js';
import type { Database } from '../db/schema.js';
import type { Experiment } from '../experiments/schemas.js';
import type { Logger } from '../http/logger.js';
import { countKeys, createKey, revokeKey } from '../keys/repository.js';
import { toSdkExperiment } from '../sdk/config.js';
import { MAX_BATCH_ITEMS } from '../events/schemas.js';
import { EXPERIMENTS, MARKER_TOUCHPOINT, METRICS, TOUCHPOINTS, VISITOR_PURCHASE_RATE } from './funnel.js';
import { type SdkItem, type SimulatedExperiment, simulateTraffic } from './simulate.js';

const DAY = 24 * 3_600_000;
/** Days of traffic: inside the 7 days ingestion accepts (events/classify.ts MAX_AGE_MS). */
export const DEMO_DAYS = 6;
export const DEFAULT_VISITORS = 30_000;
/**
 * The default seed was picked among 1–25 (by the simulation alone, run at several times of day) so
 * that the default run looks like the truth: both real lifts near their true size, the video test flat. Other seeds (`--seed`) show how
 * noisy a 2.5 % conversion rate is at this size: the estimates wander, and the 95 % intervals cover the truth for about 95 % of seeds.
 */
export const DEFAULT_SEED = 15;

export interface DemoDeps {
  db: Kysely<Database>;
  /** Warnings and errors of the seeding app, and one summary line at the end. */
  logger?: Logger;
  now?: () => Date;
  /** Where the traffic goes (EVENT_STORE); default the tables of `db`. */
  events?: EventStore | undefined;
}

export interface DemoOptions {
  /** Visitors over the six days (default 30,000: about 90,000 items, seconds on PGlite). */
  visitors?: number;
  seed?: number;
}

export interface DemoExperimentSummary {
  key: string;
  name: string;
  status: string;
  truth: string;
  trueRelativeLift: number | null;
  /** Primary metric, first treatment vs control, as the results endpoint reports it. */
  observed: {
    metric: string;
    units: number[];
    values: (number | null)[];
    relativeLift: number | null;
    /** Sequential testing on (the default): `ci` and `pValue` are then the always-valid ones that decide. */
    sequential: boolean;
    /** A null end is unbounded (Fieller). */
    ci: [number | null, number | null] | null;
    pValue: number | null;
    significant: boolean | null;
    srmMismatch: boolean;
    /** The results' decision (design.md §8): status and recommended variant. */
    decision: { status: string; recommendedVariant: string | null };
  } | null;
}

export interface DemoSummary {
  status: 'seeded' | 'skipped';
  /** Why nothing was done (status `skipped`). */
  reason?: string;
  visitors: number;
  seed: number;
  from: string | null;
  to: string | null;
  touchpoints: string[];
  metrics: string[];
  items: { exposures: number; events: number; batches: number; accepted: number; duplicates: number; rejected: number };
  experiments: DemoExperimentSummary[];
  durationMs: number;
}

const ACTOR = { keyId: null, requestId: 'demo' };
const silent = () => {};

export async function seedDemo(deps: DemoDeps, options: DemoOptions = {}): Promise<DemoSummary> {
  const started = performance.now();
  const { db } = deps;
  const realNow = deps.now ?? (() => new Date());
  const visitors = options.visitors ?? DEFAULT_VISITORS;
  const seed = options.seed ?? DEFAULT_SEED;
  const summary: DemoSummary = {
    status: 'skipped',
    visitors,
    seed,
    from: null,
    to: null,
    touchpoints: TOUCHPOINTS.map((t) => t.key),
    metrics: METRICS.map((m) => m.key),
    items: { exposures: 0, events: 0, batches: 0, accepted: 0, duplicates: 0, rejected: 0 },
    experiments: EXPERIMENTS.map((e) => ({ key: e.body.key, name: String(e.body.name), status: e.state, truth: e.truth, trueRelativeLift: e.trueRelativeLift ?? null, observed: null })),
    durationMs: 0,
  };
  const done = (reason?: string) => {
    if (reason) summary.reason = reason;
    summary.durationMs = Math.round(performance.now() - started);
    deps.logger?.info(summary.status === 'seeded' ? 'demo data seeded' : 'demo data skipped', {
      ...(reason && { reason }),
      visitors: summary.visitors,
      items: summary.items,
      durationMs: summary.durationMs,
    });
    return summary;
  };

  if ((await countKeys(db)) === 0) throw new Error('seedDemo: the database has no API key yet; run bootstrapKeys first');
  if (await hasMarker(db)) return done(await alreadySeededReason(db));

  const end = realNow();
  const from = new Date(end.getTime() - DEMO_DAYS * DAY);
  let clock = new Date(from.getTime() - 3_600_000);
  const quiet: Logger = { debug: silent, info: silent, warn: (m, f) => deps.logger?.warn(m, f), error: (m, f) => deps.logger?.error(m, f) };
  const app = createApp({ db, events: deps.events, logger: quiet, now: () => clock, maxBodyBytes: 1024 * 1024 });
  const admin = await createKey(db, ACTOR, { kind: 'admin', name: 'Demo seeding (revoked when done)' });
  const sdk = await createKey(db, ACTOR, { kind: 'sdk', name: 'Demo seeding (revoked when done)' });
  const call = async (method: string, path: string, body?: unknown, key = admin.secret): Promise<Response> =>
    app.request(path, {
      method,
      headers: { Authorization: `Bearer ${key}`, ...(body !== undefined && { 'Content-Type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
  const expect = async (res: Response, what: string, statuses = [200, 201]): Promise<any> => {
    if (!statuses.includes(res.status)) throw new Error(`demo: ${what} answered ${res.status}: ${await res.text()}`);
    return res.json();
  };

  try {
    // Catalog, created an hour before the first experiment starts. The marker touchpoint goes first:
    // a 409 on it means another process is seeding the same database right now.
    for (const touchpoint of TOUCHPOINTS) {
      const res = await call('POST', '/api/touchpoints', touchpoint);
      if (res.status === 409 && touchpoint.key === MARKER_TOUCHPOINT) return done('another process is seeding the demo data into this database');
      await expect(res, `create touchpoint ${touchpoint.key}`);
    }
    for (const metric of METRICS) await expect(await call('POST', '/api/metrics', metric), `create metric ${metric.key}`);
    const created = new Map<string, Experiment>();
    for (const experiment of EXPERIMENTS) {
      created.set(experiment.body.key, await expect(await call('POST', '/api/experiments', experiment.body), `create experiment ${experiment.body.key}`));
    }

    // The timeline: lifecycle actions at their times, traffic in between, in timestamp order.
    const at = (daysBeforeEnd: number) => new Date(end.getTime() - daysBeforeEnd * DAY);
    const actions: { at: Date; run: () => Promise<void> }[] = [];
    const simulated: SimulatedExperiment[] = [];
    for (const experiment of EXPERIMENTS) {
      if (experiment.state === 'draft' || experiment.startDay === undefined) continue;
      const key = experiment.body.key;
      const startAt = at(experiment.startDay);
      const stopAt = experiment.stopDay !== undefined ? at(experiment.stopDay) : null;
      actions.push({ at: startAt, run: async () => void (await expect(await call('POST', `/api/experiments/${key}/start`, {}), `start ${key}`)) });
      if (stopAt) actions.push({ at: stopAt, run: async () => void (await expect(await call('POST', `/api/experiments/${key}/stop`, experiment.stop ?? {}), `stop ${key}`)) });
      simulated.push({ sdk: toSdkExperiment(created.get(key)!), exposedAt: experiment.exposedAt ?? 'arrival', runningFrom: startAt, runningUntil: stopAt, effects: experiment.effects });
    }
    actions.sort((a, b) => a.at.getTime() - b.at.getTime());

    const traffic = simulateTraffic({ seed, visitors, from, to: end, now: end, experiments: simulated });
    summary.from = from.toISOString();
    summary.to = end.toISOString();
    summary.items.exposures = traffic.exposures;
    summary.items.events = traffic.events;

    const rejections: unknown[] = [];
    let batch: SdkItem[] = [];
    let batchEnd = 0;
    const flush = async () => {
      if (!batch.length) return;
      // The site sends a batch a few seconds after its last item.
      clock = new Date(Math.min(batchEnd + 5_000, end.getTime()));
      const body = await expect(await call('POST', '/sdk/events', { items: batch }, sdk.secret), 'POST /sdk/events', [202]);
      summary.items.batches++;
      summary.items.accepted += body.accepted;
      summary.items.duplicates += body.duplicates;
      summary.items.rejected += body.rejected.length;
      if (rejections.length < 5) rejections.push(...body.rejected.slice(0, 5 - rejections.length));
      batch = [];
    };
    let next = 0;
    for (const { at: itemAt, item } of traffic.items) {
      while (next < actions.length && actions[next]!.at.getTime() <= itemAt) {
        await flush();
        clock = actions[next]!.at;
        await actions[next]!.run();
        next++;
      }
      batch.push(item);
      batchEnd = itemAt;
      if (batch.length === MAX_BATCH_ITEMS) await flush();
    }
    await flush();
    for (; next < actions.length; next++) {
      clock = actions[next]!.at;
      await actions[next]!.run();
    }
    if (rejections.length) deps.logger?.warn('demo: some items were rejected', { rejected: summary.items.rejected, examples: rejections });

    // Results as the dashboard will show them (this also stores the first snapshots).
    clock = end;
    for (const experiment of summary.experiments) {
      if (experiment.status === 'draft') continue;
      const body = await expect(await call('GET', `/api/experiments/${experiment.key}/results?maxAge=0`), `results of ${experiment.key}`);
      const primary = body.metrics.find((m: any) => m.role === 'primary');
      const comparison = primary?.variants[1]?.comparison;
      experiment.observed = {
        metric: primary?.key ?? null,
        units: primary?.variants.map((v: any) => v.units) ?? [],
        values: primary?.variants.map((v: any) => v.value) ?? [],
        relativeLift: comparison?.relativeLift.estimate ?? null,
        sequential: Boolean(comparison?.sequential),
        ci: (comparison?.sequential ?? comparison)?.relativeLift.ci ?? null,
        pValue: comparison?.sequential ? comparison.sequential.absoluteDifference.pValue : (comparison?.pValue ?? null),
        significant: comparison?.significant ?? null,
        srmMismatch: body.srm.mismatch,
        decision: { status: body.decision.status, recommendedVariant: body.decision.recommendedVariant },
      };
    }
    summary.status = 'seeded';
    return done();
  } finally {
    for (const key of [sdk, admin]) await revokeKey(db, ACTOR, key.id, realNow());
  }
}

async function hasMarker(db: Kysely<Database>): Promise<boolean> {
  return (await db.selectFrom('touchpoints').select('key').where('key', '=', MARKER_TOUCHPOINT).executeTakeFirst()) !== undefined;
}

async function alreadySeededReason(db: Kysely<Database>): Promise<string> {
  const rows = await db.selectFrom('experiments').select(['key', 'status']).where('key', 'in', EXPERIMENTS.map((e) => e.body.key)).execute();
  const complete = EXPERIMENTS.every((e) => rows.some((r) => r.key === e.body.key && r.status === e.state));
  return complete
    ? `the demo data is already there (touchpoint "${MARKER_TOUCHPOINT}" exists); nothing was added`
    : `touchpoint "${MARKER_TOUCHPOINT}" exists but the demo experiments are incomplete (an earlier run was interrupted?); nothing was added — seed into a fresh database (another DATA_DIR) to start over`;
}

/** Human-readable report of a run, for the CLI. */
export function formatDemoSummary(summary: DemoSummary): string {
  const pct = (x: number | null | undefined, digits = 2) => (x === null || x === undefined ? '—' : `${(x * 100).toFixed(digits)} %`);
  const signed = (x: number | null | undefined) => (x === null || x === undefined ? '—' : `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %`);
  if (summary.status === 'skipped') return `Demo data: skipped — ${summary.reason}.\n`;
  const lines = [
    `Demo data seeded in ${(summary.durationMs / 1000).toFixed(1)} s (seed ${summary.seed}).`,
    `  Traffic: ${summary.visitors.toLocaleString('en')} visitors from ${summary.from} to ${summary.to} (overall purchase rate ${pct(VISITOR_PURCHASE_RATE, 1)} by design)`,
    `  Sent through POST /sdk/events: ${summary.items.exposures.toLocaleString('en')} exposures + ${summary.items.events.toLocaleString('en')} events in ${summary.items.batches} batches; ` +
      `accepted ${summary.items.accepted.toLocaleString('en')}, duplicates ${summary.items.duplicates}, rejected ${summary.items.rejected}`,
    `  Touchpoints: ${summary.touchpoints.join(', ')}`,
    `  Metrics: ${summary.metrics.join(', ')}`,
    '  Experiments:',
  ];
  for (const e of summary.experiments) {
    lines.push(`    ${e.key} [${e.status}] ${e.name}`);
    lines.push(`      truth: ${e.truth}`);
    const o = e.observed;
    if (o) {
      lines.push(
        `      observed ${o.metric}: units ${o.units.join(' / ')}, rate ${o.values.map((v) => pct(v)).join(' vs ')}, ` +
          `lift ${signed(o.relativeLift)} [95 % ${o.sequential ? 'confidence sequence' : 'CI'} ${signed(o.ci?.[0])}, ${signed(o.ci?.[1])}], ` +
          `${o.sequential ? 'always-valid ' : ''}p = ${o.pValue === null ? '—' : o.pValue.toPrecision(2)}` +
          `${o.significant ? ' (significant)' : ''}${o.srmMismatch ? ', SRM ALARM' : ''}; ` +
          `decision: ${o.decision.status}${o.decision.recommendedVariant ? ` (${o.decision.recommendedVariant})` : ''}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
