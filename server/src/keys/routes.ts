import { Hono } from 'hono';
import { access } from '../access/declare.js';
import type { AppDeps, AppEnv } from '../http/context.js';
import { ProblemError } from '../http/problem.js';
import { readJson, readQuery } from '../http/validate.js';
import { actorOf } from '../http/versioning.js';
import { createKey, listKeys, revokeKey } from './repository.js';
import { createKeySchema, listKeysQuery } from './schemas.js';

const KEY_ID = /^key_[A-Za-z0-9]{16}$/;

export function keyRoutes(deps: AppDeps) {
  return new Hono<AppEnv>()
    .get('/', access('admin'), async (c) => {
      const { includeRevoked } = readQuery(c, listKeysQuery);
      return c.json({ items: await listKeys(deps.db, { includeRevoked }) });
    })
    .post('/', access('admin'), async (c) => {
      const { type, kind: givenKind, ...input } = await readJson(c, createKeySchema);
      const kind = givenKind ?? type;
      if (!kind || (givenKind && type && givenKind !== type)) {
        const detail = kind ? 'kind and type disagree; send one of them' : 'required: "admin" or "sdk" (as kind or type)';
        throw new ProblemError('validation-failed', `kind: ${detail}`, { errors: [{ field: 'kind', pointer: '/kind', detail }] });
      }
      if (kind === 'sdk' && input.role) {
        throw new ProblemError('validation-failed', 'role applies to admin keys only', { errors: [{ field: 'role', pointer: '/role', detail: 'applies to admin keys only' }] });
      }
      if (kind === 'admin' && input.allowedOrigins.length) {
        throw new ProblemError('validation-failed', 'allowedOrigins applies to SDK keys only', {
          errors: [{ field: 'allowedOrigins', pointer: '/allowedOrigins', detail: 'applies to SDK keys only' }],
        });
      }
      // The secret is in this response and nowhere else, ever.
      const key = await createKey(deps.db, actorOf(c), { ...input, kind });
      return c.json(key, 201);
    })
    .delete('/:id', access('admin'), async (c) => {
      const id = c.req.param('id');
      const outcome = KEY_ID.test(id) ? await revokeKey(deps.db, actorOf(c), id, deps.now()) : 'not-found';
      if (outcome === 'not-found') throw new ProblemError('not-found', 'No active key with that id.');
      if (outcome === 'last-admin-key') throw new ProblemError('in-use', 'This is the last active admin key; create another before revoking it.');
      return c.body(null, 204);
    });
}
