import { Hono } from 'hono';
import type { Context } from 'hono';
import { listAudit } from '../audit/repository.js';
import type { AppDeps, AppEnv } from '../http/context.js';
import { pagination } from '../http/schema-helpers.js';
import { readJson, readQuery, slugParam } from '../http/validate.js';
import { actorOf, etagFor, expectedVersion } from '../http/versioning.js';
import { z } from 'zod';
import { createExperiment, getExperiment, listExperiments } from './repository.js';
import { createExperimentSchema, lifecycleSchema, listExperimentsQuery, stopExperimentSchema, updateExperimentSchema } from './schemas.js';
import type { Experiment } from './schemas.js';
import { setArchived, transitionExperiment, updateExperiment } from './update.js';

export const auditQuery = z.strictObject(pagination);

function withEtag(c: Context<AppEnv>, experiment: Experiment, status: 200 | 201 = 200) {
  c.header('ETag', etagFor(experiment.version));
  return c.json(experiment, status);
}

export function experimentRoutes(deps: AppDeps) {
  const key = (c: Context<AppEnv>) => slugParam(c, 'experiment');
  return new Hono<AppEnv>()
    .get('/', async (c) => c.json({ items: await listExperiments(deps.db, readQuery(c, listExperimentsQuery)) }))
    .post('/', async (c) => {
      const input = await readJson(c, createExperimentSchema);
      const experiment = await createExperiment(deps.db, actorOf(c), input, deps.now());
      c.header('Location', `/api/experiments/${experiment.key}`);
      return withEtag(c, experiment, 201);
    })
    .get('/:key', async (c) => {
      const { id: _id, ...experiment } = await getExperiment(deps.db, key(c));
      return withEtag(c, experiment);
    })
    .patch('/:key', async (c) => {
      const experimentKey = key(c);
      const patch = await readJson(c, updateExperimentSchema);
      const expected = expectedVersion(c, patch.version)!;
      return withEtag(c, await updateExperiment(deps.db, actorOf(c), experimentKey, patch, expected, deps.now()));
    })
    .post('/:key/start', async (c) => {
      const experimentKey = key(c);
      const body = await readJson(c, lifecycleSchema, { optional: true });
      const expected = expectedVersion(c, body.version, { required: false });
      return withEtag(c, await transitionExperiment(deps.db, actorOf(c), experimentKey, 'start', { expected }, deps.now()));
    })
    .post('/:key/pause', async (c) => {
      const experimentKey = key(c);
      const body = await readJson(c, lifecycleSchema, { optional: true });
      const expected = expectedVersion(c, body.version, { required: false });
      return withEtag(c, await transitionExperiment(deps.db, actorOf(c), experimentKey, 'pause', { expected }, deps.now()));
    })
    .post('/:key/stop', async (c) => {
      const experimentKey = key(c);
      const body = await readJson(c, stopExperimentSchema, { optional: true });
      const expected = expectedVersion(c, body.version, { required: false });
      const options = { expected, winner: body.winner, note: body.note };
      return withEtag(c, await transitionExperiment(deps.db, actorOf(c), experimentKey, 'stop', options, deps.now()));
    })
    .post('/:key/archive', async (c) => {
      const experimentKey = key(c);
      const body = await readJson(c, lifecycleSchema, { optional: true });
      const expected = expectedVersion(c, body.version, { required: false });
      return withEtag(c, await setArchived(deps.db, actorOf(c), experimentKey, true, expected, deps.now()));
    })
    .post('/:key/unarchive', async (c) => {
      const experimentKey = key(c);
      const body = await readJson(c, lifecycleSchema, { optional: true });
      const expected = expectedVersion(c, body.version, { required: false });
      return withEtag(c, await setArchived(deps.db, actorOf(c), experimentKey, false, expected, deps.now()));
    })
    .get('/:key/audit', async (c) => {
      const experimentKey = key(c);
      const page = readQuery(c, auditQuery);
      await getExperiment(deps.db, experimentKey); // 404 for an unknown experiment rather than an empty list
      return c.json({ items: await listAudit(deps.db, 'experiment', experimentKey, page) });
    });
}
