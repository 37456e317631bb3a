import { Hono } from 'hono';
import { access } from '../access/declare.js';
import type { AppEnv } from '../http/context.js';
import { readJson, readQuery } from '../http/validate.js';
import type { Operation } from '../openapi/registry.js';
import { analyze, sampleSize } from './analyze.js';
import { analyzeRequestSchema, analyzeResponseSchema, sampleSizeQuerySchema, sampleSizeResponseSchema } from './schemas.js';

/** The calculator endpoints of design.md §6: validate → pure function → JSON. */
export function statsRoutes() {
  return new Hono<AppEnv>()
    .post('/analyze', access('viewer'), async (c) => c.json(analyze(await readJson(c, analyzeRequestSchema))))
    .get('/sample-size', access('viewer'), (c) => c.json(sampleSize(readQuery(c, sampleSizeQuerySchema))));
}

export const statsOperations: Operation[] = [
  { method: 'post', path: '/api/stats/analyze', summary: 'Analyze summary numbers (conversion or revenue); writes nothing', tag: 'stats', role: 'viewer', body: analyzeRequestSchema, response: analyzeResponseSchema },
  { method: 'get', path: '/api/stats/sample-size', summary: 'Sample size per variant and duration', tag: 'stats', role: 'viewer', query: sampleSizeQuerySchema, response: sampleSizeResponseSchema },
];
