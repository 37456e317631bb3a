import { Hono } from 'hono';
import { access } from '../access/declare.js';
import { z } from 'zod';
import type { AppDeps, AppEnv } from '../http/context.js';
import type { Operation } from '../openapi/registry.js';
import { namespaceHolders } from './namespace-repository.js';
import { freeRanges } from './namespaces.js';

const range = z.tuple([z.number(), z.number()]);

const namespaceSchema = z.object({
  id: z.string(),
  /** Running and paused experiments: each holds its range. */
  experiments: z.array(z.object({ key: z.string(), status: z.enum(['running', 'paused']), range })),
  /** What a new experiment of the namespace may take: [start, end) parts of [0, 1), in order. */
  freeRanges: z.array(range),
});

const namespaceList = z.object({ items: z.array(namespaceSchema) });

/**
 * GET /api/namespaces: every namespace a running or paused experiment uses, with the ranges held and
 * the free ones (the experiment form shows them). A namespace id not listed is free whole: [[0, 1]].
 */
export function namespaceRoutes(deps: AppDeps) {
  return new Hono<AppEnv>().get('/', access('viewer'), async (c) => {
    const holders = await namespaceHolders(deps.db);
    const items = [...holders].sort(([a], [b]) => (a < b ? -1 : 1)).map(([id, list]) => ({
      id,
      experiments: list.map((h) => ({ key: h.key, status: h.status as 'running' | 'paused', range: [h.range[0], h.range[1]] as [number, number] })),
      freeRanges: freeRanges(list),
    }));
    return c.json(namespaceList.parse({ items }));
  });
}

export const namespaceOperations: Operation[] = [
  {
    method: 'get',
    path: '/api/namespaces',
    summary: 'Namespaces in use: the ranges running and paused experiments hold, and the free ranges (a namespace not listed is free whole)',
    tag: 'experiments',
    role: 'viewer',
    response: namespaceList,
  },
];
