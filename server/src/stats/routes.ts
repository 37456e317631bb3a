import { Hono } from 'hono';
import type { AppEnv } from '../http/context.js';
import { readJson, readQuery } from '../http/validate.js';
import type { Operation } from '../openapi/registry.js';
import { analyze, sampleSize } from './analyze.js';
import { analyzeRequestSchema, analyzeResponseSchema, sampleSizeQuerySchema, sampleSizeResponseSchema } from './schemas.js';

/** The calculator endpoints of design.md §6: validate → pure function → JSON. */
export function statsRoutes() {
  return new Hono<AppEnv>()
    .post('/analyze', async (c) => c.json(analyze(await readJson(c, analyzeRequestSchema))))
    .get('/sample-size', (c) => c.json(sampleSize(readQuery(c, sampleSizeQuerySchema))));
}

export const statsOperations: Operation[] = [
  { method: 'post', path: '/api/stats/analyze', summary: 'Analyze summary numbers (conversion or revenue)', tag: 'stats', body: analyzeRequestSchema, response: analyzeResponseSchema },
  { method: 'get', path: '/api/stats/sample-size', summary: 'Sample size per variant and duration', tag: 'stats', query: sampleSizeQuerySchema, response: sampleSizeResponseSchema },
];
