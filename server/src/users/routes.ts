import { Hono } from 'hono';
import type { Context } from 'hono';
import { z } from 'zod';
import { access } from '../access/declare.js';
import type { AppDeps, AppEnv } from '../http/context.js';
import { ProblemError } from '../http/problem.js';
import { readJson } from '../http/validate.js';
import { actorOf } from '../http/versioning.js';
import type { Operation } from '../openapi/registry.js';
import { DEFAULT_ACCESS } from '../auth/settings.js';
import { inviteUser, listUsers, updateUser } from './repository.js';
import { invitedUserSchema, inviteUserSchema, updateUserSchema, userSchema } from './schemas.js';

const USER_ID = /^usr_[0-9a-f]{16}$/;

/** Where links point: PUBLIC_URL when set, else the origin this request was made to. */
export function baseUrl(c: Context, publicUrl: string | undefined): string {
  return (publicUrl ?? new URL(c.req.url).origin).replace(/\/+$/, '');
}

/** People and their roles (design.md §9): admins only. */
export function userRoutes(deps: AppDeps) {
  const settings = deps.access ?? DEFAULT_ACCESS;
  return new Hono<AppEnv>()
    .get('/', access('admin'), async (c) => c.json({ items: await listUsers(deps.db) }))
    .post('/', access('admin'), async (c) => {
      const input = await readJson(c, inviteUserSchema);
      const invited = await inviteUser(deps.db, actorOf(c), input, deps.now());
      if (!invited) throw new ProblemError('already-exists', `Someone with the email ${input.email} is already a user.`);
      // The token travels in the fragment: browsers never send it to a server, nor in a Referer.
      return c.json({ user: invited.user, inviteUrl: `${baseUrl(c, settings.publicUrl)}/accept-invite#token=${invited.token}` }, 201);
    })
    .patch('/:id', access('admin'), async (c) => {
      const id = c.req.param('id');
      const patch = await readJson(c, updateUserSchema);
      const outcome = USER_ID.test(id) ? await updateUser(deps.db, actorOf(c), id, patch, deps.now()) : 'not-found';
      if (outcome === 'not-found') throw new ProblemError('not-found', 'No user with that id.');
      if (outcome === 'last-admin') throw new ProblemError('in-use', 'This is the last enabled admin; make someone else admin first.');
      return c.json(outcome.user);
    });
}

const list = (item: z.ZodType) => z.object({ items: z.array(item) });

export const userOperations: Operation[] = [
  { method: 'get', path: '/api/users', summary: 'List people, their roles and status', tag: 'users', role: 'admin', response: list(userSchema) },
  {
    method: 'post',
    path: '/api/users',
    summary: 'Invite someone: the answer carries a single-use link, valid 7 days, to choose a password (POST /api/auth/accept-invite)',
    tag: 'users',
    role: 'admin',
    body: inviteUserSchema,
    response: invitedUserSchema,
    status: 201,
    problems: [409],
  },
  {
    method: 'patch',
    path: '/api/users/{id}',
    summary: 'Change a role or name, disable (ends their sessions at once) or enable; the last enabled admin cannot be demoted or disabled (409)',
    tag: 'users',
    role: 'admin',
    body: updateUserSchema,
    response: userSchema,
    problems: [409],
  },
];
