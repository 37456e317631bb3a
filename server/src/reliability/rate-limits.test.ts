import type { KyselyPlugin } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import { createApp } from '../app.js';
import { withResponseValidation } from '../test/openapi-validator.js';
import { describeEachEngine } from '../test/engines.js';
import { createKey } from '../keys/repository.js';
import type { RateLimits } from '../http/rate-limit.js';
import { createMemoryLogger } from '../http/logger.js';

/**
 * Issue 13 #5: 2,802 wrong admin keys in 10 s were all answered 401, one database transaction each,
 * and nothing ever said 429. Now failed authentications are limited per client address (shared by
 * every instance through the database, answered from memory once over the limit) and SDK writes per
 * key; both answer 429 with Retry-After and a problem document.
 */
const LIMITS: RateLimits = { authFailures: 5, authWindowSeconds: 60, sdkRequestsPerMinute: 3, trustedProxyHops: 1 };
const T0 = Date.parse('2026-11-22T12:00:10Z');

describeEachEngine('rate limits', (db) => {
  const clock = { now: T0 };
  let queries = 0;
  /** Counts every statement the app sends, to show that a blocked address costs none. */
  const counting: KyselyPlugin = {
    transformQuery: (args) => ((queries += 1), args.node),
    transformResult: async (args) => args.result,
  };
  const instance = () =>
    withResponseValidation(createApp({ db: db().db.withPlugin(counting), logger: createMemoryLogger(), now: () => new Date(clock.now), maxBodyBytes: 1 << 20, rateLimits: LIMITS }));
  let adminKey = '';
  let sdkKeys: string[] = [];
  beforeAll(async () => {
    const system = { keyId: null, requestId: 'test' };
    adminKey = (await createKey(db().db, system, { kind: 'admin', name: 'rate admin' })).secret;
    sdkKeys = [(await createKey(db().db, system, { kind: 'sdk', name: 'rate sdk 1' })).secret, (await createKey(db().db, system, { kind: 'sdk', name: 'rate sdk 2' })).secret];
  });

  const get = (app: ReturnType<typeof createApp>, address: string, key: string) =>
    app.request('/api/experiments', { headers: { Authorization: `Bearer ${key}`, 'X-Forwarded-For': `10.0.0.1, ${address}` } });

  async function expectRateLimited(res: Response) {
    expect(res.status).toBe(429);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const retryAfter = Number(res.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(LIMITS.authWindowSeconds);
    expect(((await res.json()) as { type: string }).type).toBe('/problems/rate-limited');
  }

  it('wrong keys from one address: 401 up to the limit, then 429 without touching the database', async () => {
    const app = instance();
    for (let i = 0; i < LIMITS.authFailures; i++) expect((await get(app, '203.0.113.1', `wrong-key-${i}`)).status).toBe(401);
    await expectRateLimited(await get(app, '203.0.113.1', 'wrong-key-next'));
    const before = queries;
    for (let i = 0; i < 200; i++) expect((await get(app, '203.0.113.1', `wrong-key-flood-${i}`)).status).toBe(429);
    expect(queries - before).toBe(0);
    // While blocked even a right admin key waits (it cannot be told from a guess without a lookup);
    // other addresses are not affected.
    expect((await get(app, '203.0.113.1', adminKey)).status).toBe(429);
    expect((await get(app, '203.0.113.2', 'wrong-key-elsewhere')).status).toBe(401);
    expect((await get(app, '203.0.113.2', adminKey)).status).toBe(200);
  });

  it('the count is shared by every instance, and a new window starts afresh', async () => {
    clock.now = T0 + 60_000;
    const [a, b] = [instance(), instance()];
    for (let i = 0; i < 3; i++) expect((await get(a, '198.51.100.7', `guess-a-${i}`)).status).toBe(401);
    for (let i = 0; i < 2; i++) expect((await get(b, '198.51.100.7', `guess-b-${i}`)).status).toBe(401);
    await expectRateLimited(await get(b, '198.51.100.7', 'guess-b-next'));
    await expectRateLimited(await get(a, '198.51.100.7', 'guess-a-next'));
    clock.now = T0 + 120_000;
    expect((await get(a, '198.51.100.7', adminKey)).status).toBe(200);
    expect((await get(b, '198.51.100.7', 'guess-again')).status).toBe(401);
  });

  it('POST /sdk/events: per SDK key, 429 with Retry-After past the limit; other keys and reads unaffected', async () => {
    clock.now = T0 + 180_000;
    const app = instance();
    const post = (key: string) =>
      app.request('/sdk/events', { method: 'POST', headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' }, body: '{"items":[]}' });
    for (let i = 0; i < LIMITS.sdkRequestsPerMinute; i++) expect((await post(sdkKeys[0]!)).status).toBe(202);
    const limited = await post(sdkKeys[0]!);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBe(50);
    expect(((await limited.json()) as { type: string }).type).toBe('/problems/rate-limited');
    expect((await post(sdkKeys[1]!)).status).toBe(202);
    expect((await app.request('/sdk/config', { headers: { Authorization: `Bearer ${sdkKeys[0]}` } })).status).toBe(200);
    clock.now = T0 + 240_000;
    expect((await post(sdkKeys[0]!)).status).toBe(202);
  });
});
