import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { describeEachEngine } from '../test/engines.js';
import { createHarness } from '../test/harness.js';
import { operations } from '../openapi/document.js';
import { Hono } from 'hono';
import { declaredAccess } from './declare.js';
import { authorize } from './authorize.js';
import type { AppEnv } from '../http/context.js';
import { createMemoryLogger } from '../http/logger.js';
import { ProblemError, problemResponse } from '../http/problem.js';
import { createKey } from '../keys/repository.js';
import type { Access } from './roles.js';

/** `/api/experiments/:key` and `/api/experiments/{key}` both become `/api/experiments/{}`. */
const shape = (p: string) => p.replace(/:\w+/g, '{}').replace(/\{\w+\}/g, '{}');

describeEachEngine('every route declares the role it needs', (db) => {
  it('walks app.routes: each handler is registered with access(…), and the OpenAPI document says the same role', async () => {
    // With the dashboard served too, so its catch-all page is walked as well.
    const dashboardDir = mkdtempSync(path.join(tmpdir(), 'tp-dash-'));
    writeFileSync(path.join(dashboardDir, 'index.html'), '<!doctype html><title>t</title>');
    const { app } = await createHarness(db().db, { dashboardDir });
    const declared = new Map<string, Access[]>();
    const handlers = new Set<string>();
    for (const route of app.routes) {
      if (route.method === 'ALL') continue; // middleware (app.use)
      const id = `${route.method} ${route.path}`;
      handlers.add(id);
      const level = declaredAccess(route.handler);
      if (level) declared.set(id, [...(declared.get(id) ?? []), level]);
    }
    expect(handlers.size).toBeGreaterThan(40);
    expect([...handlers].filter((id) => !declared.has(id)), 'routes without access(…)').toEqual([]);
    expect([...declared].filter(([, levels]) => levels.length !== 1), 'routes with more than one declaration').toEqual([]);

    // The document shows each route's role; both must agree, so neither can drift.
    const documented = new Map(operations.map((op) => [`${op.method.toUpperCase()} ${shape(op.path)}`, op.auth === 'none' ? 'public' : op.auth === 'sdk' ? 'sdk' : op.role]));
    const disagreements = [...declared]
      .filter(([id]) => id !== 'GET /*')
      .map(([id, [level]]) => [id, level, documented.get(`${id.split(' ')[0]} ${shape(id.split(' ')[1]!)}`)])
      .filter(([, level, doc]) => level !== doc);
    expect(disagreements, '[route, declared, documented]').toEqual([]);
    expect(declared.get('GET /*'), 'the dashboard page').toEqual(['public']);
  });

  it('fails closed: a route registered without a declaration needs an admin', async () => {
    const deps = { db: db().db, logger: createMemoryLogger(), now: () => new Date(), maxBodyBytes: 1 << 20 };
    const app = new Hono<AppEnv>().use(authorize(deps)).get('/api/undeclared', (c) => c.json({ ok: true }));
    app.onError((error, c) => (error instanceof ProblemError ? problemResponse(c, error) : c.text('unexpected', 500)));
    const key = async (role: 'viewer' | 'admin') => (await createKey(deps.db, { keyId: null, requestId: 't' }, { kind: 'admin', name: role, role })).secret;
    expect((await app.request('/api/undeclared')).status).toBe(401);
    expect((await app.request('/api/undeclared', { headers: { Authorization: `Bearer ${await key('viewer')}` } })).status).toBe(403);
    expect((await app.request('/api/undeclared', { headers: { Authorization: `Bearer ${await key('admin')}` } })).status).toBe(200);
  });
});
