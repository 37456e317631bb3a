import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../http/context.js';
import { parseWith } from '../http/validate.js';
import { text } from '../http/schema-helpers.js';
import { actorOf } from '../http/versioning.js';
import type { Operation } from '../openapi/registry.js';
import { eraseUnit } from './repository.js';

const unitIdParam = text(1000, 1);

export function unitRoutes(deps: AppDeps) {
  return new Hono<AppEnv>().delete('/:unitId', async (c) => {
    // Unit ids are whatever the site uses (emails, UUIDs…): any storable string, URL-encoded in the path.
    const unitId = parseWith(unitIdParam, c.req.param('unitId'));
    return c.json(await eraseUnit(deps.db, actorOf(c), unitId));
  });
}

export const unitOperations: Operation[] = [
  { method: 'delete', path: '/api/units/{unitId}', summary: "Erase a unit's exposures and events (right to erasure)", tag: 'privacy' },
];
