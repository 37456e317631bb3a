import { Hono } from 'hono';
import { access } from '../access/declare.js';
import type { Context } from 'hono';
import { getExperiment } from '../experiments/repository.js';
import { type AppDeps, type AppEnv, eventStoreOf } from '../http/context.js';
import { z } from 'zod';
import { readJson, readQuery, slugParam } from '../http/validate.js';
import type { Operation } from '../openapi/registry.js';
import { resultsCsv } from './csv.js';
import { refreshQuery, resultsQuery, resultsResponse, segmentAttributesResponse } from './schemas.js';
import { type InFlight, getResults, refreshSnapshot } from './service.js';

/**
 * Refresh takes its options in the query. Its body, like a lifecycle action's, is empty or `{}`: a body
 * such as `{ "segment": "country" }` is refused (422 naming the field), never silently ignored.
 */
const refreshBody = z.strictObject({});
const noQuery = z.strictObject({});

/** GET results (snapshot while fresh, `?format=csv`) and POST refresh; validate → service → respond. */
export function resultsRoutes(deps: AppDeps) {
  const key = (c: Context<AppEnv>) => slugParam(c, 'experiment');
  const inFlight: InFlight = new Map();
  // The request pool's reads of the configured event store (EVENT_STORE).
  const events = eventStoreOf(deps).reads(deps.db);
  return new Hono<AppEnv>()
    .get('/:key/results', access('viewer'), async (c) => {
      const experimentKey = key(c);
      const query = readQuery(c, resultsQuery);
      const results = await getResults(deps.db, experimentKey, query, deps.now(), inFlight, events);
      if (query.format === 'csv') {
        c.header('Content-Type', 'text/csv; charset=utf-8');
        c.header('Content-Disposition', `attachment; filename="${experimentKey}-results.csv"`);
        return c.body(resultsCsv(results));
      }
      return c.json(results);
    })
    .get('/:key/segments', access('viewer'), async (c) => {
      readQuery(c, noQuery);
      const experiment = await getExperiment(deps.db, key(c));
      return c.json({ attributes: await events.segmentAttributes(experiment.id) });
    })
    .post('/:key/results/refresh', access('editor'), async (c) => {
      const experimentKey = key(c);
      const query = readQuery(c, refreshQuery);
      await readJson(c, refreshBody, { optional: true });
      const experiment = await getExperiment(deps.db, experimentKey);
      return c.json(await refreshSnapshot(deps.db, experiment, query, deps.now(), inFlight, { events }));
    });
}

export const resultsOperations: Operation[] = [
  {
    method: 'get',
    path: '/api/experiments/{key}/results',
    summary: 'Per-variant results for every metric, funnel steps, SRM, daily series, progress (?format=csv, ?segment=)',
    tag: 'results',
    role: 'viewer',
    query: resultsQuery,
    response: resultsResponse,
    alternates: { 'text/csv': 'With ?format=csv: one row per metric and variant (a download: Content-Disposition)' },
    headers: ['Content-Disposition'],
  },
  {
    method: 'get',
    path: '/api/experiments/{key}/segments',
    summary: 'The exposure attributes seen in the experiment (scalar values, most common first): what ?segment= can break results down by',
    tag: 'results',
    role: 'viewer',
    query: noQuery,
    response: segmentAttributesResponse,
  },
  {
    method: 'post',
    path: '/api/experiments/{key}/results/refresh',
    summary: 'Recompute and store the results snapshot now',
    tag: 'results',
    role: 'editor',
    query: refreshQuery,
    body: refreshBody,
    optionalBody: true,
    response: resultsResponse,
  },
];
