import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../test/engines.js';
import { type Harness, createHarness, fixtures, seedCatalog } from '../test/harness.js';

/**
 * GET /sdk/config answers through a plain headers object, not Hono's Headers API (issue 16: that is
 * @hono/node-server's fast path; http/response-headers.ts). The other suites call the app in-process;
 * this one reads the answers from a real HTTP server, as a browser would, to show that everything the
 * middlewares add still reaches the wire: request id, security headers, CORS, ETag and Cache-Control,
 * the 304, the request log line and the Prometheus count.
 */
const NOT_FROM_THE_APP = new Set(['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding']);
const headerNames = (res: Response) => [...res.headers.keys()].filter((name) => !NOT_FROM_THE_APP.has(name)).sort();

describeEachEngine('/sdk/config on the wire', (db) => {
  let h: Harness;
  let server: Server;
  let base: string;
  beforeAll(async () => {
    h = await createHarness(db().db);
    await seedCatalog(h);
    await h.call('POST', '/api/experiments', fixtures.experiment('wire-one'));
    await h.call('POST', '/api/experiments/wire-one/start');
    server = await new Promise<Server>((resolve) => {
      const s = serve({ fetch: h.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s as Server));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('carries every header of the in-process answer; a 304 carries them too; logged and counted', async () => {
    const headers = { Authorization: `Bearer ${h.sdkKey}`, Origin: 'https://shop.example', 'X-Request-Id': 'wire-request-1' };
    const res = await fetch(`${base}/sdk/config`, { headers });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { experiments: { key: string }[]; generatedAt: string };
    expect(body.experiments.map((e) => e.key)).toEqual(['wire-one']);
    expect(res.headers.get('x-request-id')).toBe('wire-request-1');
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('cache-control')).toBe('private, max-age=30');
    expect(res.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect(res.headers.get('access-control-expose-headers')).toBe('ETag, Retry-After, X-Request-Id');
    expect(res.headers.get('vary')).toBe('Origin');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
    expect(res.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    const etag = res.headers.get('etag')!;
    expect(etag).toMatch(/^"/);

    // The same answer in-process (Hono's own Response): the same headers, no more, no fewer.
    const inProcess = await h.call('GET', '/sdk/config', undefined, { key: h.sdkKey, headers: { Origin: 'https://shop.example', 'X-Request-Id': 'wire-request-2' } });
    expect(headerNames(res)).toEqual(headerNames(inProcess));

    const notModified = await fetch(`${base}/sdk/config`, { headers: { ...headers, 'X-Request-Id': 'wire-request-3', 'If-None-Match': etag } });
    expect(notModified.status).toBe(304);
    expect(await notModified.text()).toBe('');
    expect(notModified.headers.get('etag')).toBe(etag);
    expect(notModified.headers.get('x-request-id')).toBe('wire-request-3');
    expect(notModified.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
    expect(notModified.headers.get('access-control-allow-origin')).toBe('https://shop.example');

    const logged = h.logger.lines.filter((l) => l.message === 'request' && String(l.requestId).startsWith('wire-request-'));
    expect(logged.map((l) => [l.requestId, l.method, l.path, l.status])).toEqual([
      ['wire-request-1', 'GET', '/sdk/config', 200],
      ['wire-request-2', 'GET', '/sdk/config', 200],
      ['wire-request-3', 'GET', '/sdk/config', 304],
    ]);
    expect(JSON.stringify(logged)).not.toContain(h.sdkKey);

    const metrics = await (await fetch(`${base}/metrics`)).text();
    const count = (status: number) => Number(new RegExp(`^touchpoint_http_requests_total\\{method="GET",route="/sdk/config",status="${status}"\\} (\\d+)$`, 'm').exec(metrics)?.[1] ?? 0);
    expect(count(200)).toBeGreaterThanOrEqual(2);
    expect(count(304)).toBeGreaterThanOrEqual(1);
    expect(metrics).toMatch(/^touchpoint_http_request_duration_seconds_count\{method="GET",route="\/sdk\/config",status="304"\} \d+$/m);
  });
});
