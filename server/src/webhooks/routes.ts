import { Hono } from 'hono';
import { access } from '../access/declare.js';
import { z } from 'zod';
import type { AppDeps, AppEnv } from '../http/context.js';
import { ProblemError, invalidField } from '../http/problem.js';
import { readJson, readQuery } from '../http/validate.js';
import { actorOf } from '../http/versioning.js';
import type { Operation } from '../openapi/registry.js';
import { urlRefusal } from './address-guard.js';
import { createWebhook, deleteWebhook, listDeliveries, listWebhooks, webhookExists } from './repository.js';
import { createWebhookSchema, deliveriesQuery, deliverySchema, webhookSchema, webhookWithSecretSchema } from './schemas.js';

const WEBHOOK_ID = /^wh_[0-9a-f]{16}$/;

/** Admin routes (app.ts mounts them under the admin-key middleware, like /api/keys). */
export function webhookRoutes(deps: AppDeps) {
  const allowPrivate = deps.webhookAllowPrivate ?? false;
  const existing = async (id: string) => {
    if (!WEBHOOK_ID.test(id) || !(await webhookExists(deps.db, id))) throw new ProblemError('not-found', 'No webhook with that id.');
  };
  return new Hono<AppEnv>()
    .get('/', access('admin'), async (c) => c.json({ items: await listWebhooks(deps.db) }))
    .post('/', access('admin'), async (c) => {
      const input = await readJson(c, createWebhookSchema);
      const refusal = await urlRefusal(input.url, allowPrivate);
      if (refusal) throw invalidField(['url'], refusal);
      // The secret is in this response only; deliveries are signed with it (README, Webhooks).
      return c.json(await createWebhook(deps.db, actorOf(c), input, deps.now()), 201);
    })
    .delete('/:id', access('admin'), async (c) => {
      const id = c.req.param('id');
      if (!WEBHOOK_ID.test(id) || !(await deleteWebhook(deps.db, actorOf(c), id))) throw new ProblemError('not-found', 'No webhook with that id.');
      return c.body(null, 204);
    })
    .get('/:id/deliveries', access('admin'), async (c) => {
      const id = c.req.param('id');
      const { limit } = readQuery(c, deliveriesQuery);
      await existing(id);
      return c.json({ items: await listDeliveries(deps.db, id, limit) });
    });
}

const list = (item: z.ZodType) => z.object({ items: z.array(item) });

export const webhookOperations: Operation[] = [
  { method: 'get', path: '/api/webhooks', summary: 'List webhooks (never their secrets)', tag: 'webhooks', role: 'admin', response: list(webhookSchema) },
  {
    method: 'post',
    path: '/api/webhooks',
    summary: 'Create a webhook; the signing secret is returned once. Private, loopback and link-local addresses get 422 unless WEBHOOK_ALLOW_PRIVATE=1',
    tag: 'webhooks', role: 'admin',
    body: createWebhookSchema,
    response: webhookWithSecretSchema,
    status: 201,
  },
  { method: 'delete', path: '/api/webhooks/{id}', summary: 'Delete a webhook, its pending deliveries and its delivery log', tag: 'webhooks', role: 'admin', status: 204 },
  { method: 'get', path: '/api/webhooks/{id}/deliveries', summary: 'Newest deliveries of a webhook, each with its attempts', tag: 'webhooks', role: 'admin', query: deliveriesQuery, response: list(deliverySchema) },
];
