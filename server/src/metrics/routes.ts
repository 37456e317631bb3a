import { Hono } from 'hono';
import { access } from '../access/declare.js';
import type { AppDeps, AppEnv } from '../http/context.js';
import { readJson, readQuery, slugParam } from '../http/validate.js';
import { actorOf, etagFor, expectedVersion } from '../http/versioning.js';
import { createMetric, getMetric, listMetrics, updateMetric } from './repository.js';
import { createMetricSchema, listMetricsQuery, updateMetricSchema } from './schemas.js';

export function metricRoutes(deps: AppDeps) {
  return new Hono<AppEnv>()
    .get('/', access('viewer'), async (c) => c.json({ items: await listMetrics(deps.db, readQuery(c, listMetricsQuery)) }))
    .post('/', access('editor'), async (c) => {
      const input = await readJson(c, createMetricSchema);
      const metric = await createMetric(deps.db, actorOf(c), input, deps.now());
      c.header('ETag', etagFor(metric.version));
      c.header('Location', `/api/metrics/${metric.key}`);
      return c.json(metric, 201);
    })
    .get('/:key', access('viewer'), async (c) => {
      const metric = await getMetric(deps.db, slugParam(c, 'metric'));
      c.header('ETag', etagFor(metric.version));
      return c.json(metric);
    })
    .patch('/:key', access('editor'), async (c) => {
      const key = slugParam(c, 'metric');
      const patch = await readJson(c, updateMetricSchema);
      const metric = await updateMetric(deps.db, actorOf(c), key, patch, expectedVersion(c, patch.version)!, deps.now());
      c.header('ETag', etagFor(metric.version));
      return c.json(metric);
    });
}
