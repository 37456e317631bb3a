import { Hono } from 'hono';
import { access } from '../access/declare.js';
import type { AppDeps, AppEnv } from '../http/context.js';
import { readJson, readQuery, slugParam } from '../http/validate.js';
import { actorOf, etagFor, expectedVersion } from '../http/versioning.js';
import { createTouchpoint, deleteTouchpoint, getTouchpoint, listTouchpoints, updateTouchpoint } from './repository.js';
import { createTouchpointSchema, listTouchpointsQuery, updateTouchpointSchema } from './schemas.js';

export function touchpointRoutes(deps: AppDeps) {
  return new Hono<AppEnv>()
    .get('/', access('viewer'), async (c) => {
      const query = readQuery(c, listTouchpointsQuery);
      return c.json({ items: await listTouchpoints(deps.db, query) });
    })
    .post('/', access('editor'), async (c) => {
      const input = await readJson(c, createTouchpointSchema);
      const touchpoint = await createTouchpoint(deps.db, actorOf(c), input, deps.now());
      c.header('ETag', etagFor(touchpoint.version));
      c.header('Location', `/api/touchpoints/${touchpoint.key}`);
      return c.json(touchpoint, 201);
    })
    .get('/:key', access('viewer'), async (c) => {
      const touchpoint = await getTouchpoint(deps.db, slugParam(c, 'touchpoint'));
      c.header('ETag', etagFor(touchpoint.version));
      return c.json(touchpoint);
    })
    .patch('/:key', access('editor'), async (c) => {
      const key = slugParam(c, 'touchpoint');
      const patch = await readJson(c, updateTouchpointSchema);
      const expected = expectedVersion(c, patch.version)!;
      const touchpoint = await updateTouchpoint(deps.db, actorOf(c), key, patch, expected, deps.now());
      c.header('ETag', etagFor(touchpoint.version));
      return c.json(touchpoint);
    })
    .delete('/:key', access('editor'), async (c) => {
      await deleteTouchpoint(deps.db, actorOf(c), slugParam(c, 'touchpoint'));
      return c.body(null, 204);
    });
}
