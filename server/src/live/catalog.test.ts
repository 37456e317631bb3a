import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { createMemoryLogger } from '../http/logger.js';
import { registry } from '../telemetry/metrics.js';
import { touchKey } from '../keys/repository.js';
import { describeEachEngine } from '../test/engines.js';
import { type Harness, createHarness, fixtures, seedCatalog } from '../test/harness.js';
import { type LiveCatalog, createLiveCatalog } from './catalog.js';

/** Polls `check` every 5 ms for up to 5 s; returns the milliseconds it took to hold (or fails). */
async function until(check: () => Promise<boolean>): Promise<number> {
  const started = performance.now();
  while (!(await check())) {
    if (performance.now() - started > 5000) throw new Error('not seen within 5 s');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return Math.round(performance.now() - started);
}

describeEachEngine('live catalog, one instance', (db, engine) => {
  let h: Harness;
  let catalog: LiveCatalog;
  const configKeys = async (key = h.sdkKey) => {
    const res = await h.call('GET', '/sdk/config', undefined, { key });
    return res.status === 200 ? ((await res.json()) as { experiments: Array<{ key: string }> }).experiments.map((e) => e.key) : res.status;
  };

  it('an API write is served by the next request at once: start, pause, resume, stop, revoke', async () => {
    h = await createHarness(db().db);
    await seedCatalog(h);
    expect((await h.call('POST', '/api/experiments', fixtures.experiment('live-a'))).status).toBe(201);
    expect(await configKeys()).toEqual([]);
    await h.call('POST', '/api/experiments/live-a/start');
    expect(await configKeys()).toEqual(['live-a']);
    await h.call('POST', '/api/experiments/live-a/pause');
    expect(await configKeys()).toEqual([]);
    await h.call('POST', '/api/experiments/live-a/start');
    expect(await configKeys()).toEqual(['live-a']);
    await h.call('POST', '/api/experiments/live-a/stop', { winner: 'urgent' });
    expect(await configKeys()).toEqual([]);
    // An exposure for the stopped experiment is refused by ingestion, read from the same view.
    const refused = await h.call('POST', '/sdk/events', { items: [{ id: 'x-1', type: 'exposure', unitId: 'u', experimentKey: 'live-a', variantKey: 'urgent', timestamp: new Date().toISOString() }] }, { key: h.sdkKey });
    expect(((await refused.json()) as { rejected: unknown[] }).rejected).toHaveLength(1);

    const created = (await (await h.call('POST', '/api/keys', { kind: 'sdk', name: 'shop' })).json()) as { id: string; secret: string };
    expect(await configKeys(created.secret)).toEqual([]);
    expect((await h.call('DELETE', `/api/keys/${created.id}`)).status).toBe(204);
    expect(await configKeys(created.secret)).toBe(401);
  });

  it(`a write that does not go through the API (SQL) is announced by the trigger and served ${engine === 'pglite' ? 'by the next request' : 'within milliseconds'}`, async () => {
    await h.call('POST', '/api/experiments', fixtures.experiment('live-b'));
    await sql`update experiments set status = 'running', started_at = now() where key = 'live-b'`.execute(db().db);
    // PGlite delivers the notification before the writing query resolves: the very next read waits for
    // the reload. PostgreSQL delivers it on the listener's own connection, a moment later.
    if (engine === 'pglite') expect(await configKeys()).toEqual(['live-b']);
    const delay = await until(async () => (await configKeys()).toString() === 'live-b');
    console.info(`[live ${engine}] SQL start seen after ${delay} ms`);
    await sql`update variants set payload = '{"label":"Changed"}' where key = 'urgent' and experiment_id = (select id from experiments where key = 'live-b')`.execute(db().db);
    const payloadDelay = await until(async () => {
      const res = await h.call('POST', '/sdk/assign', { unitId: 'u-1', experiments: ['live-b'] }, { key: h.sdkKey });
      const body = (await res.json()) as { assignments: Array<{ variantKey?: string; payload?: unknown }> };
      const a = body.assignments[0]!;
      return a.variantKey === 'urgent' ? JSON.stringify(a.payload) === '{"label":"Changed"}' : true;
    });
    console.info(`[live ${engine}] SQL payload edit seen after ${payloadDelay} ms`);
    await sql`update api_keys set revoked_at = now() where kind = 'sdk'`.execute(db().db);
    if (engine === 'pglite') expect(await configKeys()).toBe(401);
    const revokeDelay = await until(async () => (await configKeys()) === 401);
    console.info(`[live ${engine}] SQL revocation seen after ${revokeDelay} ms`);
  });

  it('loads once, reloads only the part a change touches, and ignores key use (last_used_at)', async () => {
    const logger = createMemoryLogger();
    catalog = createLiveCatalog({ db: db().db, feed: db().changes, logger });
    const first = await catalog.current();
    expect(await catalog.current()).toBe(first);
    const reloads = catalog.stats.reloads;
    await touchKey(db().db, 'no-such-key', new Date());
    await sql`update api_keys set last_used_at = now()`.execute(db().db);
    // Reads in between: nothing to reload, the very same state object.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await catalog.current()).toBe(first);
    expect(catalog.stats.reloads).toBe(reloads);
    await sql`update experiments set name = 'Renamed' where key = 'live-b'`.execute(db().db);
    await until(async () => catalog.stats.reloads > reloads);
    const next = await catalog.current();
    expect(next).not.toBe(first);
    // Same running set in SDK form (a name is not part of it): same ETag, and the key part was kept.
    expect(next.etag).toBe(first.etag);
    expect(next.sdkKeys).toBe(first.sdkKeys);
    // GET /metrics reports the reloads by what they reloaded.
    expect(await registry.getSingleMetricAsString('touchpoint_live_reload_duration_seconds')).toMatch(/_count\{parts="experiments"\} [1-9]/);
    catalog.close();
  });
});
