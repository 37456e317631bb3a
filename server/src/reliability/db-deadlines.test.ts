import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DatabaseHandle } from '../db/connect.js';
import { problemFromDatabaseError } from '../db/errors.js';
import type { TcpProxy } from '../events/tcp-proxy.js';
import { countEvents, event } from '../events/test-support.js';
import { type Harness, createHarness, fixtures, seedCatalog } from '../test/harness.js';
import { type TestDatabase, createTestDatabase, describePostgres } from './postgres-support.js';

/**
 * Issue 13, finding 1: with the database black-holed (a partition that drops packets: no reset, no
 * answer) every request in flight hung for as long as the partition lasted — ingestion, /sdk/config,
 * /sdk/assign, /api and /ready itself. With the deadlines in the pool (db/deadlines.ts) each must
 * answer a 503 problem document within DB_STATEMENT_TIMEOUT_MS + 1 s (the issue's bound), and nothing
 * acknowledged may be lost. /sdk/config is the exception since issue 16: it answers from memory.
 */
const STATEMENT_TIMEOUT_MS = 1000;
const BOUND_MS = STATEMENT_TIMEOUT_MS + 1000;
/** How long a hung request is given before the test records it as hung (the old code hangs for ever). */
const GIVE_UP_MS = 15_000;
/** An event stamped now (the harness runs on the real clock): accepted, so it must reach the database. */
const fresh = (id: string, unitId: string) => event(id, unitId, 'purchase', { timestamp: new Date().toISOString() });

describePostgres('database deadlines', () => {
  let database: TestDatabase;
  let handle: DatabaseHandle;
  let proxy: TcpProxy;
  let h: Harness;

  beforeAll(async () => {
    database = await createTestDatabase();
    ({ handle, proxy } = await database.openProxied({ statementTimeoutMs: STATEMENT_TIMEOUT_MS, poolSize: 4 }));
    h = await createHarness(handle.db);
    await seedCatalog(h);
    expect((await h.call('POST', '/api/experiments', fixtures.experiment())).status).toBe(201);
    expect((await h.call('POST', '/api/experiments/checkout-cta-copy/start')).status).toBe(200);
  });
  afterAll(async () => {
    proxy?.restore();
    await database?.drop();
  });

  const requests: Record<string, () => Promise<Response>> = {
    'POST /sdk/events': () => h.call('POST', '/sdk/events', { items: [fresh(`bh-${Math.random()}`, 'u-bh')] }, { key: h.sdkKey }),
    'GET /sdk/config': () => h.call('GET', '/sdk/config', undefined, { key: h.sdkKey }),
    'POST /sdk/assign': () => h.call('POST', '/sdk/assign', { unitId: 'u-1', logExposures: true }, { key: h.sdkKey }),
    'GET /api/touchpoints': () => h.call('GET', '/api/touchpoints'),
    'GET /ready': () => h.call('GET', '/ready'),
  };

  /** Status, content type and elapsed time of one request, or `hung` past GIVE_UP_MS. */
  async function timed(name: string, request: () => Promise<Response>) {
    const started = performance.now();
    const hung = new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), GIVE_UP_MS).unref());
    const res = await Promise.race([request(), hung]);
    const elapsedMs = Math.round(performance.now() - started);
    if (res === 'hung') return { name, status: 'hung' as const, elapsedMs, type: null };
    return { name, status: res.status, elapsedMs, type: res.headers.get('content-type'), retryAfter: res.headers.get('retry-after') };
  }

  it('a slow statement is cancelled by the server at the deadline, as a 503, and its connection stays usable', async () => {
    const started = performance.now();
    const error = await sql`select pg_sleep(30)`.execute(handle.db).then(() => null, (e: unknown) => e);
    expect((error as { code?: string }).code).toBe('57014');
    expect(problemFromDatabaseError(error)?.status).toBe(503);
    expect(performance.now() - started).toBeLessThan(BOUND_MS);
    // The same pool answers at once afterwards.
    expect((await sql<{ one: number }>`select 1 as one`.execute(handle.db)).rows).toEqual([{ one: 1 }]);
  });

  it('black-holed: ingestion, /sdk/assign, /api and /ready answer 503 problems within the deadline + 1 s, /sdk/config answers from memory; after it, all recover and nothing acknowledged is lost', async () => {
    // Warm: every route works, the SDK key is cached, the pool has open connections to freeze.
    const acked = `bh-acked-${Date.now()}`;
    expect((await h.call('POST', '/sdk/events', { items: [fresh(acked, 'u-acked')] }, { key: h.sdkKey })).status).toBe(202);
    for (const [name, request] of Object.entries(requests)) expect((await request()).status, name).toBeLessThan(300);

    proxy.blackHole();
    // Each route twice at once: more requests than pooled connections, so some wait for a connection.
    const results = await Promise.all([...Object.entries(requests), ...Object.entries(requests)].map(([name, request]) => timed(name, request)));
    console.info(`[deadlines] black-holed, DB_STATEMENT_TIMEOUT_MS=${STATEMENT_TIMEOUT_MS}: ${results.map((r) => `${r.name} ${r.status} ${r.elapsedMs} ms`).join('; ')}`);
    for (const r of results) {
      expect(r.elapsedMs, r.name).toBeLessThan(BOUND_MS);
      // /sdk/config reads the in-process view (live/catalog.ts, issue 16): it keeps answering, unharmed.
      if (r.name === 'GET /sdk/config') {
        expect(r.status, r.name).toBe(200);
        continue;
      }
      expect(r, `${r.name}: ${JSON.stringify(r)}`).toMatchObject({ status: 503 });
      // /ready answers its own JSON; every other route a problem document with Retry-After.
      if (r.name !== 'GET /ready') expect(r.type, r.name).toContain('application/problem+json');
      expect(r.retryAfter, r.name).toBeTruthy();
    }
    // A second wave finds the connections the first one gave up on already gone: no slower.
    const again = await Promise.all(Object.entries(requests).map(([name, request]) => timed(name, request)));
    for (const r of again) expect([r.name, r.status, r.elapsedMs < BOUND_MS]).toEqual([r.name, r.name === 'GET /sdk/config' ? 200 : 503, true]);

    proxy.restore();
    // The pool replaces the frozen connections; an item refused during the partition is accepted on retry.
    const retried = `bh-retried-${Date.now()}`;
    let status = 0;
    for (let attempt = 0; attempt < 50 && status !== 202; attempt++) {
      status = (await h.call('POST', '/sdk/events', { items: [fresh(retried, 'u-retried')] }, { key: h.sdkKey })).status;
      if (status !== 202) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(202);
    for (const [name, request] of Object.entries(requests)) expect((await request()).status, name).toBeLessThan(300);
    expect(await countEvents(handle.db, [acked, retried])).toBe(2);
  });
});
