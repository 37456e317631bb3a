import { assignVariant } from '@touchpoint/client-sdk';
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppDeps, AppEnv } from '../http/context.js';
import { jsonValue, slug, text } from '../http/schema-helpers.js';
import { readJson } from '../http/validate.js';
import { requireKey } from '../keys/auth.js';
import type { Operation } from '../openapi/registry.js';
import { eventOperation, eventRoutes } from '../events/routes.js';
import { checkOrigin, preflight } from './cors.js';
import { createRunningExperimentsSource } from './config.js';

export const assignRequestSchema = z.strictObject({
  // Empty is allowed and answered like the SDK does: no identity, not in any experiment.
  unitId: text(1000),
  attributes: z.record(text(100, 1), jsonValue(4096)).default({}),
  /** Experiments to assign; absent = every running experiment. */
  experiments: z.array(slug).max(200).optional(),
});

/** Browsers and CDNs may reuse a config for this long; the SDK revalidates with If-None-Match after. */
const CONFIG_MAX_AGE_SECONDS = 30;

/** The SDK-facing endpoints: SDK keys (and admin keys) only, CORS for browsers. */
export function sdkRoutes(deps: AppDeps) {
  const running = createRunningExperimentsSource(deps.db);
  return new Hono<AppEnv>()
    .use('*', preflight())
    .use('*', requireKey(deps, ['sdk', 'admin'], { queryParam: 'sdkKey' }))
    .use('*', checkOrigin())
    .get('/config', async (c) => {
      const { config, etag } = await running();
      c.header('ETag', etag);
      c.header('Cache-Control', `private, max-age=${CONFIG_MAX_AGE_SECONDS}`);
      const ifNoneMatch = c.req.header('if-none-match');
      if (ifNoneMatch && ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag)) return c.body(null, 304);
      return c.json({ ...config, generatedAt: deps.now().toISOString() });
    })
    .post('/assign', async (c) => {
      const input = await readJson(c, assignRequestSchema);
      // The SDK form /sdk/config serves, so server and browser assign from the very same input.
      const { config } = await running();
      const wanted = input.experiments ?? config.experiments.map((e) => e.key);
      const byKey = new Map(config.experiments.map((e) => [e.key, e]));
      // The SDK's own assignVariant: server and browser agree bit for bit by construction.
      const assignments = wanted.map((experimentKey) => {
        const experiment = byKey.get(experimentKey);
        if (!experiment) return { experimentKey, inExperiment: false, reason: 'not running' };
        const assigned = assignVariant(experiment, input.unitId, input.attributes, (message) =>
          deps.logger.warn('assignment warning', { experimentKey, message }),
        );
        return assigned
          ? { experimentKey, inExperiment: true, variantKey: assigned.variantKey, variantIndex: assigned.variantIndex, payload: assigned.payload }
          : { experimentKey, inExperiment: false, reason: 'not in experiment (coverage, namespace or targeting)' };
      });
      return c.json({ assignments });
    })
    .route('/events', eventRoutes(deps));
}

export const sdkOperations: Operation[] = [
  { method: 'get', path: '/sdk/config', summary: 'Running experiments in SDK form (ETag / 304)', tag: 'sdk', auth: 'sdk' },
  { method: 'post', path: '/sdk/assign', summary: 'Server-side assignment with the SDK code', tag: 'sdk', auth: 'sdk', body: assignRequestSchema },
  eventOperation,
];
