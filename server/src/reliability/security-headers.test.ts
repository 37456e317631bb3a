import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { createApp } from '../app.js';
import { outsideApi, withResponseValidation } from '../test/openapi-validator.js';
import { describeEachEngine } from '../test/engines.js';
import { type Harness, createHarness } from '../test/harness.js';
import { createMemoryLogger } from '../http/logger.js';

/**
 * Issue 13 #4: no response carried a CSP, X-Content-Type-Options, frame-ancestors or Referrer-Policy,
 * and the dashboard rendered inside a foreign iframe. Every response now carries them; the dashboard's
 * own policy is exercised by the end-to-end test in Chromium (dashboard/e2e).
 */
function expectCommonHeaders(res: Response, where: string) {
  expect(res.headers.get('x-content-type-options'), where).toBe('nosniff');
  expect(res.headers.get('x-frame-options'), where).toBe('DENY');
  expect(res.headers.get('referrer-policy'), where).toBe('no-referrer');
  expect(res.headers.get('content-security-policy'), where).toMatch(/frame-ancestors 'none'/);
}

describeEachEngine('security headers', (db) => {
  let h: Harness;
  let dashboard: ReturnType<typeof createApp>;
  beforeAll(async () => {
    h = await createHarness(db().db);
    // A built dashboard stand-in: an index.html and one asset, served as `npm start` serves dist/.
    const dir = mkdtempSync(path.join(tmpdir(), 'tp-dashboard-'));
    mkdirSync(path.join(dir, 'assets'));
    writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>Touchpoint</title><script type="module" src="/assets/app.js"></script>');
    writeFileSync(path.join(dir, 'assets', 'app.js'), 'console.log(1)');
    dashboard = withResponseValidation(createApp({ db: db().db, logger: createMemoryLogger(), now: () => new Date(), maxBodyBytes: 1024 * 1024, dashboardDir: dir }), { skip: outsideApi });
  });

  it('API answers, errors and problem documents carry them, with a CSP that loads nothing', async () => {
    const answers: Array<[string, Response]> = [
      ['GET /health', await h.call('GET', '/health', undefined, { key: null })],
      ['GET /api/experiments', await h.call('GET', '/api/experiments')],
      ['401', await h.call('GET', '/api/experiments', undefined, { key: 'wrong-key-wrong-key' })],
      ['404', await h.call('GET', '/nowhere', undefined, { key: null })],
      ['422', await h.call('POST', '/api/touchpoints', { key: 'Not A Slug' })],
      ['GET /openapi.json', await h.call('GET', '/openapi.json', undefined, { key: null })],
    ];
    for (const [where, res] of answers) {
      expectCommonHeaders(res, where);
      expect(res.headers.get('content-security-policy'), where).toBe("default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
      expect(res.headers.get('cross-origin-resource-policy'), where).toBe('same-origin');
    }
  });

  it('the dashboard page gets a CSP of its own origin only, and cannot be framed', async () => {
    for (const p of ['/', '/experiments/some-key']) {
      const res = await dashboard.request(p);
      expect(res.headers.get('content-type')).toMatch(/text\/html/);
      expectCommonHeaders(res, p);
      const csp = res.headers.get('content-security-policy')!;
      expect(csp).toMatch(/script-src 'self'(;|$)/);
      expect(csp).toMatch(/default-src 'self'/);
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    }
    expectCommonHeaders(await dashboard.request('/assets/app.js'), 'asset');
  });

  it('/sdk/* stays usable from shops\' pages: CORS preflight and answers, readable cross-origin', async () => {
    const origin = { Origin: 'https://shop.example' };
    const pre = await h.call('OPTIONS', '/sdk/events', undefined, { key: null, headers: { ...origin, 'Access-Control-Request-Method': 'POST' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expectCommonHeaders(pre, 'preflight');
    const config = await h.call('GET', '/sdk/config', undefined, { key: h.sdkKey, headers: origin });
    expect(config.status).toBe(200);
    expect(config.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect(config.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expectCommonHeaders(config, '/sdk/config');
  });
});
