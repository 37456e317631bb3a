import { Hono } from 'hono';
import { access } from '../access/declare.js';
import type { Context } from 'hono';
import { listAudit } from '../audit/repository.js';
import type { AppDeps, AppEnv } from '../http/context.js';
import { pagination } from '../http/schema-helpers.js';
import { readJson, readQuery, slugParam } from '../http/validate.js';
import { type ExpectedVersion, actorOf, etagFor, expectedVersion } from '../http/versioning.js';
import { z } from 'zod';
import { createExperiment, getExperiment, listExperiments } from './repository.js';
import { createExperimentSchema, lifecycleSchema, listExperimentsQuery, stopExperimentSchema, updateExperimentSchema } from './schemas.js';
import type { Experiment } from './schemas.js';
import { endRollout, setArchived, transitionExperiment, updateExperiment } from './update.js';

export const auditQuery = z.strictObject(pagination);

function withEtag(c: Context<AppEnv>, experiment: Experiment, status: 200 | 201 = 200) {
  c.header('ETag', etagFor(experiment.version));
  return c.json(experiment, status);
}

const key = (c: Context<AppEnv>) => slugParam(c, 'experiment');

/** A lifecycle action whose body is at most `{ version }` (If-Match works too; both are optional). */
async function lifecycle(c: Context<AppEnv>, run: (expected: ExpectedVersion | null, experimentKey: string) => Promise<Experiment>) {
  const experimentKey = key(c);
  const body = await readJson(c, lifecycleSchema, { optional: true });
  return withEtag(c, await run(expectedVersion(c, body.version, { required: false }), experimentKey));
}

export function experimentRoutes(deps: AppDeps) {
  return new Hono<AppEnv>()
    .get('/', access('viewer'), async (c) => c.json({ items: await listExperiments(deps.db, readQuery(c, listExperimentsQuery)) }))
    .post('/', access('editor'), async (c) => {
      const input = await readJson(c, createExperimentSchema);
      const experiment = await createExperiment(deps.db, actorOf(c), input, deps.now());
      c.header('Location', `/api/experiments/${experiment.key}`);
      return withEtag(c, experiment, 201);
    })
    .get('/:key', access('viewer'), async (c) => {
      const { id: _id, ...experiment } = await getExperiment(deps.db, key(c));
      return withEtag(c, experiment);
    })
    .patch('/:key', access('editor'), async (c) => {
      const experimentKey = key(c);
      const patch = await readJson(c, updateExperimentSchema);
      const expected = expectedVersion(c, patch.version)!;
      return withEtag(c, await updateExperiment(deps.db, actorOf(c), experimentKey, patch, expected, deps.now()));
    })
    .post('/:key/start', access('editor'), (c) => lifecycle(c, (expected, k) => transitionExperiment(deps.db, actorOf(c), k, 'start', { expected }, deps.now())))
    .post('/:key/pause', access('editor'), (c) => lifecycle(c, (expected, k) => transitionExperiment(deps.db, actorOf(c), k, 'pause', { expected }, deps.now())))
    .post('/:key/stop', access('editor'), async (c) => {
      const experimentKey = key(c);
      const body = await readJson(c, stopExperimentSchema, { optional: true });
      const expected = expectedVersion(c, body.version, { required: false });
      const options = { expected, winner: body.winner, note: body.note, ship: body.ship };
      return withEtag(c, await transitionExperiment(deps.db, actorOf(c), experimentKey, 'stop', options, deps.now()));
    })
    .post('/:key/rollout/end', access('editor'), (c) => lifecycle(c, (expected, k) => endRollout(deps.db, actorOf(c), k, expected, deps.now())))
    .post('/:key/archive', access('editor'), (c) => lifecycle(c, (expected, k) => setArchived(deps.db, actorOf(c), k, true, expected, deps.now())))
    .post('/:key/unarchive', access('editor'), (c) => lifecycle(c, (expected, k) => setArchived(deps.db, actorOf(c), k, false, expected, deps.now())))
    .get('/:key/audit', access('viewer'), async (c) => {
      const experimentKey = key(c);
      const page = readQuery(c, auditQuery);
      await getExperiment(deps.db, experimentKey); // 404 for an unknown experiment rather than an empty list
      return c.json({ items: await listAudit(deps.db, 'experiment', experimentKey, page) });
    });
}
