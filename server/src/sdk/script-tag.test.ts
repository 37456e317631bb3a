import { gunzipSync } from 'node:zlib';
import { expect, it } from 'vitest';
import { describeEachEngine } from '../test/engines.js';
import { type Harness, createHarness } from '../test/harness.js';
import { CACHE_PLAIN_SECONDS } from './script-tag.js';

describeEachEngine('GET /sdk/touchpoint.js', (db) => {
  let h: Harness;

  it('serves one classic script, without a key, with an ETag, a short max-age and a versioned URL', async () => {
    h = await createHarness(db().db);
    const res = await h.call('GET', '/sdk/touchpoint.js', undefined, { key: null });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe(`public, max-age=${CACHE_PLAIN_SECONDS}`);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const etag = res.headers.get('etag')!;
    expect(etag).toMatch(/^"[0-9a-f]{16}"$/);
    const version = etag.slice(1, -1);
    expect(res.headers.get('content-location')).toBe(`/sdk/touchpoint.js?v=${version}`);
    const code = await res.text();
    // An IIFE that a plain <script> runs: it compiles as a function body, where import/export cannot be.
    expect(code.startsWith('"use strict";(()=>{')).toBe(true);
    expect(() => new Function(code)).not.toThrow();

    const pinned = await h.call('GET', `/sdk/touchpoint.js?v=${version}`, undefined, { key: null });
    expect(pinned.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await pinned.text()).toBe(code);
    const stale = await h.call('GET', '/sdk/touchpoint.js?v=0000000000000000', undefined, { key: null });
    expect(stale.headers.get('cache-control')).toBe(`public, max-age=${CACHE_PLAIN_SECONDS}`);

    const revalidated = await h.call('GET', '/sdk/touchpoint.js', undefined, { key: null, headers: { 'If-None-Match': etag } });
    expect(revalidated.status).toBe(304);
    const gzipped = await h.call('GET', '/sdk/touchpoint.js', undefined, { key: null, headers: { 'Accept-Encoding': 'gzip, br' } });
    expect(gzipped.headers.get('content-encoding')).toBe('gzip');
    expect(gunzipSync(Buffer.from(await gzipped.arrayBuffer())).toString()).toBe(code);
  });

  it('keeps every other /sdk route behind a key', async () => {
    expect((await h.call('GET', '/sdk/config', undefined, { key: null })).status).toBe(401);
  });
});
