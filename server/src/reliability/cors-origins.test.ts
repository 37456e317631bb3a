import { beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../test/engines.js';
import { type Harness, createHarness } from '../test/harness.js';

/**
 * Issue 13 #11: the dashboard said an SDK key with an empty origin list allows no origin, while the
 * server allowed all. The rule, now said the same way by the server, the README and the keys page
 * (dashboard ORIGINS_HINT): SDK keys are public, an empty list lets any origin use the key, a list
 * narrows it to those origins (`*` in a list also means any).
 */
describeEachEngine('SDK key origins', (db) => {
  let h: Harness;
  const createSdkKey = async (allowedOrigins: string[]) =>
    ((await (await h.call('POST', '/api/keys', { kind: 'sdk', name: `origins ${allowedOrigins.join(' ')}`, allowedOrigins })).json()) as { secret: string }).secret;
  const fromOrigin = (key: string, origin: string) => h.call('GET', '/sdk/config', undefined, { key, headers: { Origin: origin } });

  beforeAll(async () => {
    h = await createHarness(db().db);
  });

  it('an empty list lets any origin use the key, with CORS headers the browser needs', async () => {
    const open = await createSdkKey([]);
    for (const origin of ['https://shop.example', 'https://anything.example', 'http://localhost:5173']) {
      const res = await fromOrigin(open, origin);
      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBe(origin);
    }
  });

  it('a list narrows the key to its origins; "*" means any', async () => {
    const narrow = await createSdkKey(['https://shop.example']);
    expect((await fromOrigin(narrow, 'https://shop.example')).status).toBe(200);
    const refused = await fromOrigin(narrow, 'https://evil.example');
    expect(refused.status).toBe(403);
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    const star = await createSdkKey(['*']);
    expect((await fromOrigin(star, 'https://evil.example')).status).toBe(200);
  });
});
