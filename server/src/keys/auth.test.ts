import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeEachEngine } from '../test/engines.js';
import { type Harness, createHarness, fixtures, seedCatalog } from '../test/harness.js';
import { bootstrapKeys } from './bootstrap.js';
import { findActiveKey, revokeKey } from './repository.js';

/**
 * Keys (design.md §6): admin keys manage /api, SDK keys never reach it, secrets exist only in the
 * creation response, the database holds SHA-256 digests, and nobody can lock everyone out.
 */

/** One request of every /api route family and method (the resources need not exist: auth comes first). */
const API_REQUESTS: [method: string, path: string, body?: unknown][] = [
  ['GET', '/api/touchpoints'],
  ['POST', '/api/touchpoints', fixtures.touchpoint('auth-tp')],
  ['GET', '/api/touchpoints/checkout-cta'],
  ['PATCH', '/api/touchpoints/checkout-cta', { name: 'x', version: 1 }],
  ['DELETE', '/api/touchpoints/checkout-cta'],
  ['GET', '/api/metrics'],
  ['POST', '/api/metrics', fixtures.metric('auth-metric')],
  ['GET', '/api/metrics/purchase'],
  ['PATCH', '/api/metrics/purchase', { name: 'x', version: 1 }],
  ['GET', '/api/experiments'],
  ['POST', '/api/experiments', fixtures.experiment('auth-exp')],
  ['GET', '/api/experiments/auth-exp'],
  ['PATCH', '/api/experiments/auth-exp', { name: 'x', version: 1 }],
  ['POST', '/api/experiments/auth-exp/start'],
  ['POST', '/api/experiments/auth-exp/pause'],
  ['POST', '/api/experiments/auth-exp/stop', {}],
  ['GET', '/api/experiments/auth-exp/audit'],
  ['GET', '/api/experiments/auth-exp/results'],
  ['GET', '/api/keys'],
  ['POST', '/api/keys', { kind: 'admin', name: 'sneaky' }],
  ['DELETE', '/api/keys/key_AAAAAAAAAAAAAAAA'],
  ['POST', '/api/stats/analyze', { metric: 'conversion', variants: [] }],
  ['GET', '/api/stats/sample-size?baseline=0.1&mde=0.1'],
  ['DELETE', '/api/units/u-1'],
  ['GET', '/api/no-such-route'],
];

const digest = (secret: string) => createHash('sha256').update(secret, 'utf8').digest('hex');

/** The part of a secret that is secret: generated keys start with a public `tp_<kind>_` marker. */
const secretBody = (secret: string) => secret.replace(/^tp_(?:admin|sdk)_/, '');

/** Every run of `length` consecutive characters of the secret's body. */
const fragments = (secret: string, length = 6) => {
  const body = secretBody(secret);
  return Array.from({ length: Math.max(0, body.length - length + 1) }, (_, i) => body.slice(i, i + length));
};

async function expectProblem(res: Response, status: number, type: string) {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(JSON.parse(text)).toMatchObject({ type: `/problems/${type}`, status, title: expect.any(String), detail: expect.any(String) });
}

describeEachEngine('API key authentication', (db) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(db().db);
    await seedCatalog(h);
    expect((await h.call('POST', '/api/experiments', fixtures.experiment('auth-exp'))).status).toBe(201);
  });

  const counts = async () =>
    (
      await sql<Record<string, number>>`select (select count(*) from api_keys)::int as keys, (select count(*) from audit_log)::int as audit,
        (select count(*) from touchpoints)::int as touchpoints, (select count(*) from experiments)::int as experiments`.execute(db().db)
    ).rows[0]!;

  it.each(API_REQUESTS)('no key: %s %s → 401 with a Bearer challenge, nothing done', async (method, path, body) => {
    const before = await counts();
    const res = await h.call(method, path, body, { key: null });
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
    await expectProblem(res, 401, 'unauthorized');
    expect(await counts()).toEqual(before);
  });

  it.each([
    ['an empty header', ''],
    ['the scheme alone', 'Bearer'],
    ['the scheme and a space', 'Bearer '],
    ['Basic credentials', `Basic ${Buffer.from('admin:admin').toString('base64')}`],
    ['another scheme', 'Token abc'],
    ['the key without a scheme', 'KEY'],
    ['two tokens', 'Bearer KEY extra'],
    ['no space after the scheme', 'BearerKEY'],
    ['a comma-separated list', 'Bearer KEY, Bearer KEY'],
    ['a quoted key', 'Bearer "KEY"'],
    ['a key with a NUL', 'Bearer KEY\u0000'],
    ['a 10 kB key', `Bearer ${'k'.repeat(10_000)}`],
  ])('a malformed Authorization header (%s) → 401', async (_label, template) => {
    const before = await counts();
    const header = template.replaceAll('KEY', h.adminKey);
    let res: Response;
    try {
      res = await h.app.request('/api/touchpoints', { headers: { Authorization: header } });
    } catch {
      return; // the fetch layer itself refuses some headers (a NUL): nothing reached the app
    }
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
    await expectProblem(res, 401, 'unauthorized');
    expect(await counts()).toEqual(before);
  });

  it('the scheme is case-insensitive (RFC 9110) and surrounding spaces are tolerated', async () => {
    for (const header of [`bearer ${h.adminKey}`, `BEARER ${h.adminKey}`, `Bearer   ${h.adminKey}  `]) {
      const res = await h.app.request('/api/touchpoints', { headers: { Authorization: header } });
      expect(res.status, header).toBe(200);
    }
  });

  it.each([
    ['an unknown key', () => 'tp_admin_0000000000000000000000000000000'],
    ['the admin key with a character changed', () => `${h.adminKey.slice(0, -1)}${h.adminKey.endsWith('A') ? 'B' : 'A'}`],
    ['the admin key with a character more', () => `${h.adminKey}x`],
    ['a prefix of the admin key', () => h.adminKey.slice(0, 12)],
    ['the admin key upper-cased', () => h.adminKey.toUpperCase()],
    ['the digest of the admin key', () => digest(h.adminKey)],
  ])('a wrong key (%s) → 401 on every route family', async (_label, key) => {
    for (const [method, path, body] of API_REQUESTS) {
      const res = await h.call(method, path, body, { key: key() });
      expect(res.headers.get('www-authenticate'), `${method} ${path}`).toMatch(/^Bearer\b/);
      await expectProblem(res, 401, 'unauthorized');
    }
  });

  it.each(API_REQUESTS)('an SDK key: %s %s → 403, nothing done', async (method, path, body) => {
    const before = await counts();
    await expectProblem(await h.call(method, path, body, { key: h.sdkKey }), 403, 'forbidden');
    expect(await counts()).toEqual(before);
  });

  it('an admin key passes on every route family (no 401/403)', async () => {
    for (const [method, path, body] of API_REQUESTS) {
      if (method === 'DELETE' && path.startsWith('/api/touchpoints')) continue; // would delete the seed
      const res = await h.call(method, path, body);
      expect([401, 403], `${method} ${path}: ${res.status}`).not.toContain(res.status);
      expect(res.status, `${method} ${path}`).toBeLessThan(500);
    }
  });

  it('a revoked key → 401 everywhere; an SDK key revoked → 401, not 403', async () => {
    const admin = (await (await h.call('POST', '/api/keys', { kind: 'admin', name: 'to revoke' })).json()) as { id: string; secret: string };
    const sdk = (await (await h.call('POST', '/api/keys', { kind: 'sdk', name: 'to revoke' })).json()) as { id: string; secret: string };
    expect((await h.call('GET', '/api/touchpoints', undefined, { key: admin.secret })).status).toBe(200);
    expect((await h.call('DELETE', `/api/keys/${admin.id}`)).status).toBe(204);
    expect((await h.call('DELETE', `/api/keys/${sdk.id}`)).status).toBe(204);
    for (const [method, path, body] of API_REQUESTS) {
      await expectProblem(await h.call(method, path, body, { key: admin.secret }), 401, 'unauthorized');
      await expectProblem(await h.call(method, path, body, { key: sdk.secret }), 401, 'unauthorized');
    }
    // Revoking twice is a 404, and the key stays revoked.
    await expectProblem(await h.call('DELETE', `/api/keys/${admin.id}`), 404, 'not-found');
  });

  describe('secrets', () => {
    let created: { id: string; kind: string; secret: string }[] = [];
    beforeAll(async () => {
      created = [];
      for (const body of [
        { kind: 'admin', name: 'ops' },
        { kind: 'sdk', name: 'shop', allowedOrigins: ['https://shop.example.com'] },
      ]) {
        const res = await h.call('POST', '/api/keys', body);
        expect(res.status).toBe(201);
        created.push((await res.json()) as { id: string; kind: string; secret: string });
      }
    });
    const allSecrets = () => [h.adminKey, h.sdkKey, ...created.map((k) => k.secret)];

    it('POST /api/keys returns the secret once, in a shape that works', async () => {
      for (const key of created) {
        expect(key.secret).toMatch(key.kind === 'admin' ? /^tp_admin_[0-9A-Za-z]{32}$/ : /^tp_sdk_[0-9A-Za-z]{32}$/);
        expect(key.id).toMatch(/^key_[0-9A-Za-z]{16}$/);
      }
      expect((await h.call('GET', '/api/touchpoints', undefined, { key: created[0]!.secret })).status).toBe(200);
      expect((await h.call('GET', '/api/touchpoints', undefined, { key: created[1]!.secret })).status).toBe(403);
      expect(new Set(allSecrets()).size).toBe(allSecrets().length);
    });

    it('every api_keys row holds a SHA-256 digest and no secret, nor any six characters of one', async () => {
      const rows = await db().db.selectFrom('api_keys').selectAll().execute();
      expect(rows.length).toBeGreaterThanOrEqual(allSecrets().length);
      const digests = new Set(rows.map((r) => r.key_hash));
      for (const secret of allSecrets()) expect(digests.has(digest(secret))).toBe(true);
      for (const row of rows) {
        expect(row.key_hash).toMatch(/^[0-9a-f]{64}$/);
        for (const [column, value] of Object.entries(row)) {
          const text = value instanceof Date ? value.toISOString() : JSON.stringify(value);
          for (const secret of allSecrets()) {
            expect(text, `${row.id}.${column}`).not.toContain(secret);
            for (const fragment of fragments(secret)) expect(text, `${row.id}.${column} holds "${fragment}"`).not.toContain(fragment);
          }
        }
      }
    });

    it('no secret reaches the audit log or the request log', async () => {
      const audit = JSON.stringify(await db().db.selectFrom('audit_log').selectAll().execute());
      const logs = JSON.stringify(h.logger.lines);
      for (const secret of allSecrets()) {
        expect(audit).not.toContain(secret);
        expect(logs).not.toContain(secret);
        for (const fragment of fragments(secret)) expect(audit).not.toContain(fragment);
      }
    });

    it('the list endpoint never returns a secret, revoked keys included', async () => {
      for (const query of ['', '?includeRevoked=true']) {
        const res = await h.call('GET', `/api/keys${query}`);
        expect(res.status).toBe(200);
        const text = await res.text();
        const { items } = JSON.parse(text) as { items: Record<string, unknown>[] };
        expect(items.length).toBeGreaterThanOrEqual(created.length);
        for (const item of items) {
          expect(Object.keys(item)).not.toContain('secret');
          expect(Object.keys(item)).not.toContain('keyHash');
          expect(Object.keys(item)).not.toContain('key_hash');
        }
        for (const secret of allSecrets()) {
          expect(text).not.toContain(secret);
          expect(text).not.toContain(digest(secret));
          for (const fragment of fragments(secret)) expect(text).not.toContain(fragment);
        }
      }
    });

    it('there is no way to read a key back', async () => {
      for (const key of created) {
        const res = await h.call('GET', `/api/keys/${key.id}`);
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(await res.text()).not.toContain(key.secret);
      }
    });
  });

  describe('allowed origins of SDK keys', () => {
    it.each([
      [['https://shop.example.com']],
      [['http://localhost:5173', 'https://shop.example.com:8443']],
      [['*']],
      [[]],
    ])('accepts %j', async (allowedOrigins) => {
      const res = await h.call('POST', '/api/keys', { kind: 'sdk', name: 'origins', allowedOrigins });
      expect(res.status, await res.clone().text()).toBe(201);
      expect(await res.json()).toMatchObject({ kind: 'sdk', allowedOrigins });
    });

    it.each([
      ['https://shop.example.com/'],
      ['https://shop.example.com/checkout'],
      ['https://shop.example.com?x=1'],
      ['https://shop.example.com#top'],
      ['shop.example.com'],
      ['//shop.example.com'],
      ['ftp://shop.example.com'],
      ['javascript:alert(1)'],
      ['data:text/html,hi'],
      ['file:///etc/passwd'],
      ['https://user:pass@shop.example.com'],
      ['https://SHOP.example.com'],
      ['https://*.example.com'],
      ['null'],
      [''],
      [' https://shop.example.com'],
      ['https://shop.example.com:99999'],
      [`https://${'a'.repeat(300)}.com`],
    ])('refuses %j, naming allowedOrigins.0, and writes nothing', async (origin) => {
      const before = await counts();
      const res = await h.call('POST', '/api/keys', { kind: 'sdk', name: 'origins', allowedOrigins: [origin] });
      const text = await res.text();
      expect(res.status, text).toBe(422);
      expect(JSON.parse(text)).toMatchObject({ errors: [expect.objectContaining({ field: 'allowedOrigins.0' })] });
      expect(await counts()).toEqual(before);
    });

    it('refuses more than 50 origins, and origins on an admin key', async () => {
      const many = Array.from({ length: 51 }, (_, i) => `https://shop${i}.example.com`);
      const res = await h.call('POST', '/api/keys', { kind: 'sdk', name: 'origins', allowedOrigins: many });
      expect(res.status).toBe(422);
      expect(await res.json()).toMatchObject({ errors: [expect.objectContaining({ field: 'allowedOrigins' })] });
      const admin = await h.call('POST', '/api/keys', { kind: 'admin', name: 'origins', allowedOrigins: ['https://shop.example.com'] });
      expect(admin.status).toBe(422);
      expect(await admin.json()).toMatchObject({ errors: [expect.objectContaining({ field: 'allowedOrigins' })] });
    });
  });
});

describeEachEngine('revoking admin keys', (db) => {
  let h: Harness;
  /** The admin secret to call with: the harness's own key gets revoked along the way. */
  let admin = '';
  beforeAll(async () => {
    // Exactly the harness's keys: one admin, one SDK.
    await db().db.deleteFrom('api_keys').execute();
    h = await createHarness(db().db);
    admin = h.adminKey;
  });
  const call = (method: string, path: string, body?: unknown, key = admin) => h.call(method, path, body, { key });
  const activeAdmins = async () =>
    (await db().db.selectFrom('api_keys').select('id').where('kind', '=', 'admin').where('revoked_at', 'is', null).execute()).map((r) => r.id);
  const newAdmin = async () => {
    const res = await call('POST', '/api/keys', { kind: 'admin', name: 'another admin' });
    expect(res.status).toBe(201);
    return (await res.json()) as { id: string; secret: string };
  };

  it('refuses to revoke the last active admin key (409), and it keeps working', async () => {
    const [only] = await activeAdmins();
    expect(await activeAdmins()).toHaveLength(1);
    const before = await db().db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    await expectProblem(await call('DELETE', `/api/keys/${only}`), 409, 'in-use');
    expect(await activeAdmins()).toEqual([only]);
    expect((await call('GET', '/api/keys')).status).toBe(200);
    const after = await db().db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it('SDK keys never count as admin keys', async () => {
    const sdkId = (await db().db.selectFrom('api_keys').select('id').where('kind', '=', 'sdk').executeTakeFirstOrThrow()).id;
    expect((await call('DELETE', `/api/keys/${sdkId}`)).status).toBe(204);
    const [only] = await activeAdmins();
    await expectProblem(await call('DELETE', `/api/keys/${only}`), 409, 'in-use');
  });

  it('with two admin keys one may go (even the caller itself), then the other is the last', async () => {
    const [first] = await activeAdmins();
    const second = await newAdmin();
    expect((await call('DELETE', `/api/keys/${first}`)).status).toBe(204);
    // The caller's own key is gone now.
    expect((await call('GET', '/api/keys')).status).toBe(401);
    await expectProblem(await call('DELETE', `/api/keys/${second.id}`, undefined, second.secret), 409, 'in-use');
    expect(await activeAdmins()).toEqual([second.id]);
    admin = second.secret;
  });

  it('concurrent revocations of the last two admin keys over HTTP cannot both succeed', async () => {
    for (let round = 0; round < 5; round++) {
      const [current] = await activeAdmins();
      const other = await newAdmin();
      const ids = [current!, other.id];
      expect((await activeAdmins()).sort()).toEqual([...ids].sort());
      // Each request authenticates with the key it is not revoking, so auth cannot settle the race.
      const responses = await Promise.all([
        call('DELETE', `/api/keys/${ids[0]}`, undefined, other.secret),
        call('DELETE', `/api/keys/${ids[1]}`, undefined, admin),
      ]);
      const statuses = responses.map((r) => r.status);
      expect(statuses.filter((s) => s === 204).length, `round ${round}: ${statuses}`).toBeLessThanOrEqual(1);
      for (const res of responses) expect(res.status).toBeLessThan(500);
      const left = await activeAdmins();
      expect(left, `round ${round}: ${statuses}`).toHaveLength(1);
      admin = left[0] === other.id ? other.secret : admin;
    }
  });

  it('concurrent revocations in the repository cannot both succeed either', async () => {
    const actor = { keyId: null, requestId: 'test' };
    for (let round = 0; round < 5; round++) {
      const [current] = await activeAdmins();
      const other = await newAdmin();
      const outcomes = await Promise.allSettled([
        revokeKey(db().db, actor, current!, new Date()),
        revokeKey(db().db, actor, other.id, new Date()),
      ]);
      const revoked = outcomes.filter((o) => o.status === 'fulfilled' && o.value === 'revoked').length;
      expect(revoked, JSON.stringify(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : String(o.reason))))).toBeLessThanOrEqual(1);
      const left = await activeAdmins();
      expect(left).toHaveLength(1);
      admin = left[0] === other.id ? other.secret : admin;
    }
  });
});

describeEachEngine('bootstrap keys', (db) => {
  beforeAll(async () => {
    await db().db.deleteFrom('api_keys').execute();
  });
  const rows = () => db().db.selectFrom('api_keys').selectAll().orderBy('created_at').orderBy('id').execute();
  const PRESET = 'preset-admin-key-0123456789abcdef';

  it('creates one admin and one SDK key on an empty table, stored as digests', async () => {
    const { created } = await bootstrapKeys(db().db, undefined);
    expect(created.map((k) => k.kind).sort()).toEqual(['admin', 'sdk']);
    const stored = await rows();
    expect(stored).toHaveLength(2);
    for (const key of created) {
      expect(key.preset).toBe(false);
      const found = await findActiveKey(db().db, key.secret);
      expect(found).toMatchObject({ id: key.id, kind: key.kind });
      expect(stored.find((r) => r.id === key.id)?.key_hash).toBe(digest(key.secret));
      expect(JSON.stringify(stored)).not.toContain(key.secret);
      for (const fragment of fragments(key.secret)) expect(JSON.stringify(stored)).not.toContain(fragment);
    }
  });

  it('is idempotent on restart: no new key, nothing printed', async () => {
    const before = await rows();
    for (let i = 0; i < 3; i++) expect((await bootstrapKeys(db().db, undefined)).created).toEqual([]);
    expect(await rows()).toEqual(before);
  });

  it('honours a preset ADMIN_KEY on an empty table, and stores nothing of it in clear', async () => {
    await db().db.deleteFrom('api_keys').execute();
    const { created } = await bootstrapKeys(db().db, PRESET);
    expect(created).toHaveLength(2);
    const admin = created.find((k) => k.kind === 'admin')!;
    expect(admin).toMatchObject({ secret: PRESET, preset: true });
    expect(created.find((k) => k.kind === 'sdk')?.secret).toMatch(/^tp_sdk_/);
    expect(await findActiveKey(db().db, PRESET)).toMatchObject({ kind: 'admin', id: admin.id });
    const stored = JSON.stringify(await rows());
    expect(stored).not.toContain(PRESET);
    for (const fragment of fragments(PRESET)) expect(stored, `stores "${fragment}" of the preset key`).not.toContain(fragment);
  });

  it('with a preset ADMIN_KEY is idempotent on restart', async () => {
    const before = await rows();
    for (let i = 0; i < 3; i++) expect((await bootstrapKeys(db().db, PRESET)).created).toEqual([]);
    expect(await rows()).toEqual(before);
  });

  it('adds a new preset ADMIN_KEY to a non-empty table (access recovery) once, but never resurrects a revoked one', async () => {
    const other = `${PRESET}-rotated`;
    const first = await bootstrapKeys(db().db, other);
    expect(first.created).toEqual([expect.objectContaining({ kind: 'admin', secret: other, preset: true })]);
    expect((await bootstrapKeys(db().db, other)).created).toEqual([]);
    await revokeKey(db().db, { keyId: null, requestId: 'test' }, first.created[0]!.id, new Date());
    expect((await bootstrapKeys(db().db, other)).created).toEqual([]);
    expect(await findActiveKey(db().db, other)).toBeNull();
  });

  it('two instances starting at once on an empty database create one admin and one SDK key in all', async () => {
    for (const preset of [undefined, PRESET]) {
      await db().db.deleteFrom('api_keys').execute();
      const outcomes = await Promise.allSettled([bootstrapKeys(db().db, preset), bootstrapKeys(db().db, preset)]);
      for (const outcome of outcomes) expect(outcome.status, outcome.status === 'rejected' ? String(outcome.reason) : '').toBe('fulfilled');
      const stored = await rows();
      expect(stored.map((r) => r.kind).sort()).toEqual(['admin', 'sdk']);
      const printed = outcomes.flatMap((o) => (o.status === 'fulfilled' ? o.value.created : []));
      expect(printed).toHaveLength(2);
    }
  });
});
