import { describe, expect, it } from 'vitest';
import { describeEachEngine } from '../test/engines.js';
import { type Harness, createHarness, fixtures, seedCatalog } from '../test/harness.js';
import { signPreviewToken, verifyPreviewToken } from './preview-token.js';

describe('preview tokens', () => {
  const claims = { experimentKey: 'cta', variantKey: 'urgent', expiresAt: new Date('2026-12-10T00:00:00Z') };
  it('verify with the secret they were signed with, until they expire', () => {
    const token = signPreviewToken('s3cret', claims);
    expect(verifyPreviewToken('s3cret', token, new Date('2026-12-09T00:00:00Z'))).toEqual(claims);
    expect(verifyPreviewToken('s3cret', token, new Date('2026-12-10T00:00:00Z'))).toMatchObject({ problem: expect.stringMatching(/expired/) });
    expect(verifyPreviewToken('other', token, new Date('2026-12-09T00:00:00Z'))).toMatchObject({ problem: expect.stringMatching(/signature/) });
  });

  it('refuse a payload changed to another variant, and garbage', () => {
    const [, signature] = signPreviewToken('s3cret', claims).split('.');
    const forged = `${Buffer.from(JSON.stringify({ e: 'cta', v: 'control', x: 1_900_000_000 })).toString('base64url')}.${signature}`;
    expect(verifyPreviewToken('s3cret', forged, new Date())).toMatchObject({ problem: expect.stringMatching(/signature/) });
    for (const junk of ['', 'abc', 'a.b.c', '.x']) expect(verifyPreviewToken('s3cret', junk, new Date())).toHaveProperty('problem');
  });
});

describeEachEngine('preview links', (db) => {
  let h: Harness;
  let now = new Date('2026-12-07T10:00:00Z');

  it('are minted per variant (with the page URL) and answer the variant in SDK form, even for a draft', async () => {
    h = await createHarness(db().db, { now: () => now });
    await seedCatalog(h);
    await h.call('POST', '/api/experiments', fixtures.experiment('preview-me', {
      variants: [{ key: 'control', name: 'A', weight: 0.5 }, { key: 'urgent', name: 'B', weight: 0.5, changes: [{ selector: '#buy', action: 'text', value: 'Ships today' }] }],
    }));
    const res = await h.call('POST', '/api/experiments/preview-me/preview-links', { variantKey: 'urgent', url: 'https://shop.example/p/1?ref=x', expiresInHours: 2 });
    expect(res.status).toBe(201);
    const link = (await res.json()) as { token: string; url: string; expiresAt: string };
    expect(link.expiresAt).toBe('2026-12-07T12:00:00.000Z');
    expect(new URL(link.url).searchParams.get('tp_preview')).toBe(link.token);
    expect(new URL(link.url).searchParams.get('ref')).toBe('x');

    const preview = await h.call('GET', `/sdk/preview?token=${link.token}`, undefined, { key: h.sdkKey });
    expect(preview.status).toBe(200);
    expect(preview.headers.get('cache-control')).toBe('no-store');
    expect(await preview.json()).toMatchObject({
      experimentKey: 'preview-me', variantKey: 'urgent',
      experiment: { key: 'preview-me', variants: [{ key: 'control' }, { key: 'urgent', changes: [{ selector: '#buy', action: 'text', value: 'Ships today' }] }] },
    });

    now = new Date('2026-12-07T12:00:01Z');
    const expired = await h.call('GET', `/sdk/preview?token=${link.token}`, undefined, { key: h.sdkKey });
    expect(expired.status).toBe(422);
    expect(await expired.json()).toMatchObject({ errors: [{ field: 'token', detail: expect.stringMatching(/expired/) }] });
  });

  it('refuse unknown variants and experiments, forged tokens, and requests without an SDK key', async () => {
    const unknownVariant = await h.call('POST', '/api/experiments/preview-me/preview-links', { variantKey: 'nope' });
    expect(unknownVariant.status).toBe(422);
    expect(await unknownVariant.json()).toMatchObject({ errors: [{ field: 'variantKey' }] });
    expect((await h.call('POST', '/api/experiments/ghost/preview-links', { variantKey: 'urgent' })).status).toBe(404);
    expect((await h.call('POST', '/api/experiments/preview-me/preview-links', { variantKey: 'urgent', url: 'javascript:alert(1)' })).status).toBe(422);
    const forged = signPreviewToken('not-the-server-secret', { experimentKey: 'preview-me', variantKey: 'urgent', expiresAt: new Date('2027-01-01T00:00:00Z') });
    const res = await h.call('GET', `/sdk/preview?token=${forged}`, undefined, { key: h.sdkKey });
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ errors: [{ field: 'token' }] });
    expect((await h.call('GET', `/sdk/preview?token=${forged}`, undefined, { key: null })).status).toBe(401);
    expect((await h.call('POST', '/api/experiments/preview-me/preview-links', { variantKey: 'urgent' }, { key: h.sdkKey })).status).toBe(403);
  });
});
