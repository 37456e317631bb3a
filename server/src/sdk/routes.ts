import { createHash } from 'node:crypto';
import { access } from '../access/declare.js';
import { assignVariant } from '@touchpoint/client-sdk';
import { rolloutVariant } from '@touchpoint/client-sdk/rollout';
import { type Context, Hono } from 'hono';
import { z } from 'zod';
import type { AppDeps, AppEnv } from '../http/context.js';
import { jsonValue, slug, text } from '../http/schema-helpers.js';
import { readJson, validationProblem } from '../http/validate.js';
import { requireKey } from '../keys/auth.js';
import type { Operation } from '../openapi/registry.js';
import { countIngested, eventOperation, eventRoutes } from '../events/routes.js';
import { type ExperimentLookup, type ExperimentRef, type ParsedBatch, resolveExposures } from '../events/classify.js';
import { attributesProblems } from '../events/schemas.js';
import { createIngestWriter } from '../events/writer.js';
import { fieldError } from '../http/problem.js';
import { rateLimit } from '../http/rate-limit.js';
import { linearRegex } from '../targeting/linear-regex.js';
import { checkOrigin, preflight } from './cors.js';
import { configStream, wantsStream } from './stream.js';
import { assignResponse, sdkConfigResponse } from './schemas.js';
import { requestHeader } from '../http/request-header.js';
import { previewRoutes } from '../experiments/preview-routes.js';
import { respond } from '../http/response-headers.js';
import { inOrder } from '../http/in-order.js';
import type { CatalogState } from '../live/state.js';

export const assignRequestSchema = z.strictObject({
  // Empty is allowed and answered like the SDK does: no identity, not in any experiment.
  unitId: text(1000),
  attributes: z.record(text(100, 1), jsonValue(4096)).default({}),
  /** Experiments to assign; absent = every running experiment. */
  experiments: z.array(slug).max(200).optional(),
  /**
   * Also record an exposure for every experiment the unit is in, as the browser SDK's tracking would
   * (server-rendered pages). The attributes are stored with it, for segments.
   */
  logExposures: z.boolean().default(false),
});

/**
 * The item id of an exposure logged by /sdk/assign: the same for the same unit and experiment, so
 * repeating the call (a reload, a retry) is recognised as the stored first exposure and changes nothing.
 */
export function assignExposureId(experimentKey: string, unitId: string): string {
  return `assign-${createHash('sha256').update(`${experimentKey}\n${unitId}`).digest('hex').slice(0, 40)}`;
}

/** Browsers and CDNs may reuse a config for this long; the SDK revalidates with If-None-Match after. */
const CONFIG_MAX_AGE_SECONDS = 30;
const CONFIG_CACHE_CONTROL = `private, max-age=${CONFIG_MAX_AGE_SECONDS}`;

/**
 * RFC 9110 §13.1.2: If-None-Match matches when it is `*` (there is a current representation) or lists
 * the ETag, compared weakly (a `W/` prefix is ignored).
 */
function ifNoneMatchMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

/** The SDK-facing endpoints: SDK keys (and admin keys) only, CORS for browsers. */
export function sdkRoutes(deps: AppDeps) {
  // Everything below reads the in-process view (live/catalog.ts), never the database, except to store.
  const catalog = deps.catalog!;
  const streams = { count: 0 };
  // The experiments are serialized once per version of the view (live/state.ts); the body with its
  // time once per millisecond: requests in the same millisecond share it (generatedAt is exact to the ms).
  let lastBody = { state: undefined as CatalogState | undefined, ms: Number.NaN, body: '' };
  const configBody = (state: CatalogState, ms: number): string => {
    if (lastBody.state !== state || lastBody.ms !== ms) {
      lastBody = { state, ms, body: `{"experiments":${state.experimentsJson},"generatedAt":"${new Date(ms).toISOString()}"}` };
    }
    return lastBody.body;
  };
  const configAnswer = (c: Context<AppEnv>, state: CatalogState): Response => {
    const { etag } = state;
    if (ifNoneMatchMatches(requestHeader(c, 'if-none-match'), etag)) return respond(c, null, 304, { etag, 'cache-control': CONFIG_CACHE_CONTROL });
    return respond(c, configBody(state, deps.now().getTime()), 200, { etag, 'cache-control': CONFIG_CACHE_CONTROL, 'content-type': 'application/json' });
  };
  // One writer for both ingestion paths (/events and /assign's exposures).
  const store = deps.ingest ?? createIngestWriter(deps);
  const lookupExperiments: ExperimentLookup = async (keys) => {
    const { experiments } = await catalog.current();
    const refs = new Map<string, ExperimentRef>();
    for (const key of keys) {
      const ref = experiments.get(key);
      if (ref) refs.set(key, ref);
    }
    return refs;
  };
  return new Hono<AppEnv>()
    // One entry of the chain (http/in-order.ts): none of them does anything after the handler.
    .use('*', inOrder(
      preflight(),
      requireKey(deps, ['sdk', 'admin'], { queryParam: 'sdkKey' }),
      checkOrigin(),
      // Writes and assignments per SDK key (reads of /sdk/config are cheap, and 304s while unchanged).
      rateLimit({
        limit: deps.rateLimits?.sdkRequestsPerMinute ?? 0,
        windowMs: 60_000,
        subject: (c) => (c.req.method === 'POST' && c.get('apiKey').kind === 'sdk' ? c.get('apiKey').id : undefined),
        describe: 'POST /sdk/events and /sdk/assign requests per minute with this SDK key on this instance',
        now: () => deps.now().getTime(),
      }),
    ))
    .get('/config', access('sdk'), (c): Response | Promise<Response> => {
      if (wantsStream(c)) return configStream(c, { catalog, now: deps.now, draining: deps.draining }, streams);
      // Not async: the view, when current, is answered from at once (the hot path); else wait for it.
      const state = catalog.ready();
      return state ? configAnswer(c, state) : catalog.current().then((loaded) => configAnswer(c, loaded));
    })
    .post('/assign', access('sdk'), async (c) => {
      const input = await readJson(c, assignRequestSchema);
      // Checked before anything is written: stored attributes have tighter bounds than targeting ones.
      const attributeProblems = input.logExposures ? attributesProblems(input.attributes) : [];
      if (attributeProblems.length > 0) throw validationProblem(attributeProblems.map((p) => fieldError(p.key === undefined ? ['attributes'] : ['attributes', p.key], p.message)));
      // The SDK form /sdk/config serves, so server and browser assign from the very same input.
      const { config, served: byKey } = await catalog.current();
      const wanted = input.experiments ?? config.experiments.map((e) => e.key);
      // The SDK's own assignVariant and rolloutVariant: server and browser agree bit for bit by construction.
      const assignments = wanted.map((experimentKey) => {
        const experiment = byKey.get(experimentKey);
        if (!experiment) return { experimentKey, inExperiment: false, reason: 'not running' };
        const warn = (message: string) => deps.logger.warn('assignment warning', { experimentKey, message });
        if (experiment.rollout) {
          // A shipped winner: shown to every unit the targeting admits, outside the experiment, never logged.
          const shown = rolloutVariant(experiment, input.attributes, warn, linearRegex);
          return shown
            ? { experimentKey, inExperiment: false, reason: 'rollout', variantKey: shown.variantKey, variantIndex: shown.variantIndex, payload: shown.payload }
            : { experimentKey, inExperiment: false, reason: 'not in rollout (targeting)' };
        }
        // Regexes run on RE2 (linear time): the attributes come from whoever holds the public key.
        const assigned = assignVariant(experiment, input.unitId, input.attributes, warn, linearRegex);
        return assigned
          ? { experimentKey, inExperiment: true, variantKey: assigned.variantKey, variantIndex: assigned.variantIndex, payload: assigned.payload }
          : { experimentKey, inExperiment: false, reason: 'not in experiment (coverage, namespace or targeting)' };
      });
      if (!input.logExposures) return c.json({ assignments });
      const now = deps.now();
      const timestamp = now.toISOString();
      const attributes = Object.keys(input.attributes).length > 0 ? input.attributes : undefined;
      // The exposures the browser SDK would send, resolved exactly as /sdk/events resolves them: one
      // paused or stopped since the config was read is left out, as /sdk/events would refuse it.
      const items = assignments.flatMap((a, index): ParsedBatch['exposures'] =>
        a.inExperiment
          ? [{ index, item: { id: assignExposureId(a.experimentKey, input.unitId), type: 'exposure', unitId: input.unitId, experimentKey: a.experimentKey, variantKey: a.variantKey!, timestamp, attributes } }]
          : [],
      );
      const { rows: exposures } = resolveExposures(items, await lookupExperiments(items.map((e) => e.item.experimentKey)));
      const stored = await store({ events: [], exposures, receivedAt: now });
      countIngested(stored.accepted, stored.duplicates, 0);
      return c.json({ assignments, exposures: { logged: exposures.length, ...stored } });
    })
    .route('/', previewRoutes(deps))
    .route('/events', eventRoutes(deps, { store, lookupExperiments }));
}

export const sdkOperations: Operation[] = [
  {
    method: 'get',
    path: '/sdk/config',
    summary: 'Running experiments in SDK form, and shipped winners in rollout form (`{ key, targeting, rollout: { variantKey, variantIndex, payload } }`: the winner for every unit the targeting admits, not in the experiment, no exposure); revalidate with If-None-Match (304 while unchanged). With `?stream=1` or `Accept: text/event-stream`: server-sent events, an event `config` (id = ETag, data = this body) at once and at every change, a comment every 15 s, ended when the key is revoked or the server stops',
    tag: 'sdk',
    auth: 'sdk',
    response: sdkConfigResponse,
    headers: ['ETag', 'Cache-Control'],
    query: z.strictObject({ stream: z.literal('1').optional().describe('Server-sent events instead of one answer (as `Accept: text/event-stream`)') }),
    alternates: { 'text/event-stream': 'With ?stream=1 or Accept: text/event-stream: `event: config`, `id: <ETag>`, `data: <the JSON body>` at once and at every change; `: heartbeat` comments every 15 s' },
    conditional: 'if-none-match',
  },
  {
    method: 'post',
    path: '/sdk/assign',
    summary: 'Server-side assignment with the SDK code; `logExposures` also records the exposures (idempotent per unit and experiment). A shipped winner answers `inExperiment: false`, `reason: "rollout"` with its variant and payload, and is never logged',
    tag: 'sdk',
    auth: 'sdk',
    body: assignRequestSchema,
    response: assignResponse,
  },
  eventOperation,
];
