import { beforeAll, expect, it } from 'vitest';
import { createApp } from '../app.js';
import { withResponseValidation } from '../test/openapi-validator.js';
import { createMemoryLogger } from '../http/logger.js';
import { describeEachEngine } from '../test/engines.js';
import { type Harness, createHarness, fixtures, seedCatalog } from '../test/harness.js';

/** design.md §11: GET /metrics in Prometheus text format (there was none). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (wanted.every((pair) => line.includes(pair))) total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

describeEachEngine('GET /metrics', (db) => {
  let h: Harness;
  const scrape = async () => {
    const res = await h.call('GET', '/metrics', undefined, { key: null });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return res.text();
  };
  beforeAll(async () => {
    h = await createHarness(db().db);
    await seedCatalog(h);
    await h.call('POST', '/api/experiments', fixtures.experiment('metrics-exp'));
    await h.call('POST', '/api/experiments/metrics-exp/start');
  });

  it('scrapes, and counts a request by its route pattern and status with its latency', async () => {
    const before = await scrape();
    const route = { method: 'GET', route: '/api/experiments/:key', status: '200' };
    expect((await h.call('GET', '/api/experiments/metrics-exp')).status).toBe(200);
    expect((await h.call('GET', '/api/experiments/metrics-exp')).status).toBe(200);
    expect((await h.call('GET', '/api/experiments', undefined, { key: 'not-a-key-at-all' })).status).toBe(401);
    const after = await scrape();
    expect(sample(after, 'touchpoint_http_requests_total', route) - sample(before, 'touchpoint_http_requests_total', route)).toBe(2);
    expect(sample(after, 'touchpoint_http_request_duration_seconds_count', route) - sample(before, 'touchpoint_http_request_duration_seconds_count', route)).toBe(2);
    // The 401 is labelled with the pattern of the middleware that answered (the one authorization
    // middleware, access/authorize.ts, mounted on every route), never the concrete path.
    const refused = { method: 'GET', route: '/*', status: '401' };
    expect(sample(after, 'touchpoint_http_requests_total', refused) - sample(before, 'touchpoint_http_requests_total', refused)).toBe(1);
    expect(after).not.toMatch(/metrics-exp/);
    for (const name of ['touchpoint_ingest_queue_items', 'touchpoint_db_pool_connections', 'touchpoint_results_refresh_duration_seconds', 'touchpoint_process_resident_memory_bytes']) {
      expect(after).toContain(`# TYPE ${name}`);
    }
  });

  it('counts ingested items by outcome and results refresh durations', async () => {
    const before = await scrape();
    const at = new Date().toISOString();
    const res = await h.call('POST', '/sdk/events', {
      items: [
        { id: 'm-1', type: 'event', unitId: 'u-1', name: 'purchase', timestamp: at },
        { id: 'm-1', type: 'event', unitId: 'u-1', name: 'purchase', timestamp: at },
        { id: 'm-2', type: 'event', unitId: 'u-1', name: 'not a name', timestamp: at },
      ],
    }, { key: h.sdkKey });
    expect(res.status).toBe(202);
    expect((await h.call('POST', '/api/experiments/metrics-exp/results/refresh')).status).toBe(200);
    const after = await scrape();
    const delta = (name: string, labels: Record<string, string>) => sample(after, name, labels) - sample(before, name, labels);
    expect(delta('touchpoint_ingested_items_total', { outcome: 'accepted' })).toBe(1);
    expect(delta('touchpoint_ingested_items_total', { outcome: 'duplicate' })).toBe(1);
    expect(delta('touchpoint_ingested_items_total', { outcome: 'rejected' })).toBe(1);
    expect(delta('touchpoint_results_refresh_duration_seconds_count', {})).toBe(1);
  });

  it('is open to loopback clients only, unless METRICS_TOKEN is set', async () => {
    const app = (metricsToken?: string) => withResponseValidation(createApp({ db: db().db, logger: createMemoryLogger(), now: () => new Date(), maxBodyBytes: 1 << 20, metricsToken, rateLimits: { authFailures: 0, authWindowSeconds: 60, sdkRequestsPerMinute: 0, trustedProxyHops: 1 } }));
    const remote = { 'X-Forwarded-For': '203.0.113.9' };
    expect((await app().request('/metrics', { headers: remote })).status).toBe(403);
    expect((await app().request('/metrics', { headers: { 'X-Forwarded-For': '127.0.0.1' } })).status).toBe(200);
    const token = 'scrape-token-0123456789';
    const withToken = app(token);
    expect((await withToken.request('/metrics', { headers: remote })).status).toBe(401);
    expect((await withToken.request('/metrics', { headers: { ...remote, Authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
    expect((await withToken.request('/metrics', { headers: { ...remote, Authorization: `Bearer ${token}` } })).status).toBe(200);
  });
});
