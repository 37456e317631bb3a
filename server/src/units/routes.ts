import { Hono } from 'hono';
import { access } from '../access/declare.js';
import { z } from 'zod';
import { type AppDeps, type AppEnv, eventStoreOf } from '../http/context.js';
import { parseWith } from '../http/validate.js';
import { text } from '../http/schema-helpers.js';
import { actorOf } from '../http/versioning.js';
import type { Operation } from '../openapi/registry.js';
import { eraseUnit } from './repository.js';

const unitIdParam = text(1000, 1);

const erasureResponse = z.object({
  exposuresDeleted: z.number().int().min(0),
  eventsDeleted: z.number().int().min(0),
  /** Identity links removed: the ids linked to the unit by identify are erased with it. */
  aliasesDeleted: z.number().int().min(0),
});

export function unitRoutes(deps: AppDeps) {
  return new Hono<AppEnv>().delete('/:unitId', access('admin'), async (c) => {
    // Unit ids are whatever the site uses (emails, UUIDs…): any storable string, URL-encoded in the path.
    const unitId = parseWith(unitIdParam, c.req.param('unitId'));
    return c.json(await eraseUnit(deps.db, actorOf(c), unitId, eventStoreOf(deps), deps.now()));
  });
}

export const unitOperations: Operation[] = [
  {
    method: 'delete',
    path: '/api/units/{unitId}',
    summary: "Erase a unit's exposures and events, with those of the ids identify linked to it, and the links (right to erasure); the audit keeps a SHA-256 digest of the id, never the id",
    tag: 'privacy',
    role: 'admin',
    response: erasureResponse,
    // The unit id is any storable string (1 to 1,000 characters): a longer one is a validation error.
    problems: [422],
  },
];
