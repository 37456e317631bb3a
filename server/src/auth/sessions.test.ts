/**
 * People signing in (design.md §9): the first-start setup link, invitations, the session cookie's
 * flags, CSRF refusal, idle and absolute expiry, revocation on disable and on a password change, the
 * rate limit on failed sign-ins (429 + Retry-After), roles of admin keys, actors in the audit, and no
 * password or token in any log line. Real app, real database; the clock is the app's injected one.
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { describeEachEngine } from '../test/engines.js';
import { type Harness, createHarness, fixtures, seedCatalog } from '../test/harness.js';
import { bootstrapPeople } from './bootstrap.js';
import { type Person, invitePerson, sessionCookieOf, withSession } from './test-support.js';

// Each sign-in and password costs a full scrypt hash (a quarter of a second, seconds on a loaded machine).
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const HOUR = 3600_000;
const POLICY = { idleSeconds: 2 * 3600, maxSeconds: 24 * 3600 };
const LIMITS = { authFailures: 6, authWindowSeconds: 60, sdkRequestsPerMinute: 0, trustedProxyHops: 1, loginFailuresPerEmail: 3, loginWindowSeconds: 900 };

describeEachEngine('team access: sessions', (getDb) => {
  let h: Harness;
  let clock = Date.parse('2026-12-01T09:00:00Z');
  const secrets: string[] = [];
  const login = (email: string, password: string, headers: Record<string, string> = {}) =>
    h.call('POST', '/api/auth/login', { email, password }, { key: null, headers: { 'X-Forwarded-For': '198.51.100.7', ...headers } });
  const signedIn = async (res: Response) => {
    expect(res.status, await res.clone().text()).toBe(200);
    const { csrfToken } = (await res.json()) as { csrfToken: string };
    const cookie = sessionCookieOf(res)!;
    secrets.push(csrfToken, cookie.split('=')[1]!);
    return { cookie, csrfToken, call: withSession(h, cookie, csrfToken) };
  };

  beforeAll(async () => {
    h = await createHarness(getDb().db, { now: () => new Date(clock), rateLimits: LIMITS, access: { sessions: POLICY, cookieSecure: false } });
  });

  describe('first start', () => {
    it('with no user, a one-time setup link makes the first admin, once', async () => {
      expect(await (await h.call('GET', '/api/auth/config', undefined, { key: null })).json()).toEqual({ sso: false, setupRequired: true });
      const first = await bootstrapPeople(getDb().db, {}, new Date(clock));
      const second = await bootstrapPeople(getDb().db, {}, new Date(clock));
      if (first.kind !== 'setup-link' || second.kind !== 'setup-link') throw new Error('expected setup links');
      secrets.push(first.token, second.token, 'a long enough secret', 'another long secret', 'changed in the env');
      const body = (token: string) => ({ token, email: 'Owner@Shop.example', name: 'Owner', password: 'a long enough secret' });
      // Only the link printed last works.
      expect((await h.call('POST', '/api/auth/setup', body(first.token), { key: null })).status).toBe(410);
      expect((await h.call('POST', '/api/auth/setup', { ...body(second.token), password: 'short' }, { key: null })).status).toBe(422);
      const res = await h.call('POST', '/api/auth/setup', body(second.token), { key: null });
      expect(res.status).toBe(201);
      expect(((await res.json()) as { user: { role: string; email: string } }).user).toMatchObject({ role: 'admin', email: 'owner@shop.example' });
      expect((await h.call('POST', '/api/auth/setup', body(second.token), { key: null })).status).toBe(410);
      expect(await bootstrapPeople(getDb().db, {}, new Date(clock))).toEqual({ kind: 'existing' });
      // ADMIN_EMAIL + ADMIN_PASSWORD add that admin when the address is new, and never reset a password.
      expect(await bootstrapPeople(getDb().db, { email: 'ops@shop.example', password: 'another long secret' }, new Date(clock))).toEqual({ kind: 'admin-created', email: 'ops@shop.example' });
      expect(await bootstrapPeople(getDb().db, { email: 'ops@shop.example', password: 'changed in the env' }, new Date(clock))).toEqual({ kind: 'existing' });
      await signedIn(await login('ops@shop.example', 'another long secret'));
      expect((await login('ops@shop.example', 'changed in the env', { 'X-Forwarded-For': '198.51.100.99' })).status).toBe(401);
    });
  });

  describe('signing in', () => {
    let viewer: Person;
    beforeAll(async () => {
      viewer = await invitePerson(h, 'viewer', 'Vera Viewer');
      secrets.push(viewer.password, viewer.csrfToken, viewer.cookie.split('=')[1]!);
    });

    it('sets tp_session HttpOnly, SameSite=Lax, Path=/, Secure over https; the CSRF token comes back in any tab', async () => {
      const res = await login(viewer.email, viewer.password);
      const header = res.headers.getSetCookie().find((line) => line.startsWith('tp_session='))!;
      expect(header).toMatch(/; HttpOnly/);
      expect(header).toMatch(/; SameSite=Lax/);
      expect(header).toMatch(/; Path=\//);
      expect(header).toMatch(/; Max-Age=86400/);
      expect(header).not.toMatch(/Secure/);
      const session = await signedIn(res);
      // A new tab has only the cookie: /me gives it the same token.
      const me = await h.call('GET', '/api/auth/me', undefined, { key: null, headers: { Cookie: session.cookie } });
      expect(await me.json()).toMatchObject({ role: 'viewer', user: { email: viewer.email, name: 'Vera Viewer', status: 'active' }, csrfToken: session.csrfToken });
      const overHttps = await h.app.request('https://touchpoint.example/api/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: viewer.email, password: viewer.password }) });
      expect(overHttps.headers.getSetCookie().find((line) => line.startsWith('tp_session='))).toMatch(/; Secure/);
      secrets.push(sessionCookieOf(overHttps)!.split('=')[1]!);
    });

    it('a wrong password and an unknown email get the same 401', async () => {
      const wrong = await login(viewer.email, 'not the password at all', { 'X-Forwarded-For': '198.51.100.8' });
      const unknown = await login('nobody@shop.example', 'not the password at all', { 'X-Forwarded-For': '198.51.100.8' });
      expect(wrong.status).toBe(401);
      expect(unknown.status).toBe(401);
      const detail = async (res: Response) => ((await res.json()) as { detail: string }).detail;
      expect(await detail(wrong)).toBe(await detail(unknown));
      expect(sessionCookieOf(wrong)).toBeUndefined();
    });

    it('logout ends the session: the same cookie then gets 401', async () => {
      const session = await signedIn(await login(viewer.email, viewer.password));
      const out = await session.call('POST', '/api/auth/logout');
      expect(out.status).toBe(204);
      expect(out.headers.getSetCookie().find((line) => line.startsWith('tp_session='))).toMatch(/Max-Age=0/);
      expect((await session.call('GET', '/api/experiments')).status).toBe(401);
    });

    it('idle expiry and absolute expiry', async () => {
      const idle = await signedIn(await login(viewer.email, viewer.password));
      clock += 2 * HOUR + 60_000;
      expect((await idle.call('GET', '/api/experiments')).status).toBe(401);
      // Active every 90 minutes: alive past the idle timeout, ended at 24 hours whatever happens.
      const busy = await signedIn(await login(viewer.email, viewer.password));
      for (let hours = 1.5; hours < 24; hours += 1.5) {
        clock += 1.5 * HOUR;
        expect((await busy.call('GET', '/api/experiments')).status, `after ${hours} h`).toBe(200);
      }
      clock += 1.5 * HOUR;
      expect((await busy.call('GET', '/api/experiments')).status).toBe(401);
    });
  });

  describe('writes with a session', () => {
    it('need the X-CSRF-Token header (403 without it or with another, nothing written)', async () => {
      const editor = await invitePerson(h, 'editor', 'Eddie Editor');
      secrets.push(editor.password, editor.csrfToken);
      const other = await invitePerson(h, 'editor', 'Other Editor');
      const body = fixtures.touchpoint('csrf-check');
      expect((await editor.call('POST', '/api/touchpoints', body, { csrf: false })).status).toBe(403);
      expect((await editor.call('POST', '/api/touchpoints', body, { csrf: false, headers: { 'X-CSRF-Token': other.csrfToken } })).status).toBe(403);
      expect((await h.call('GET', '/api/touchpoints/csrf-check')).status).toBe(404);
      expect((await editor.call('POST', '/api/touchpoints', body)).status).toBe(201);
      // Reads need no token.
      expect((await editor.call('GET', '/api/touchpoints/csrf-check', undefined, { csrf: false })).status).toBe(200);
    });
  });

  describe('revocation', () => {
    it('disabling someone ends their sessions at once and refuses their sign-in; enabling lets them sign in again', async () => {
      const person = await invitePerson(h, 'editor', 'Dana Disabled');
      secrets.push(person.password);
      const second = await signedIn(await login(person.email, person.password, { 'X-Forwarded-For': '198.51.100.20' }));
      const disable = await h.call('PATCH', `/api/users/${person.id}`, { disabled: true });
      expect(await disable.json()).toMatchObject({ status: 'disabled' });
      expect((await person.call('GET', '/api/experiments')).status).toBe(401);
      expect((await second.call('GET', '/api/experiments')).status).toBe(401);
      expect((await login(person.email, person.password, { 'X-Forwarded-For': '198.51.100.21' })).status).toBe(401);
      expect((await h.call('PATCH', `/api/users/${person.id}`, { disabled: false })).status).toBe(200);
      // The old sessions stay ended; a new sign-in works.
      expect((await person.call('GET', '/api/experiments')).status).toBe(401);
      await signedIn(await login(person.email, person.password, { 'X-Forwarded-For': '198.51.100.22' }));
    });

    it('changing a password ends every other session of that person', async () => {
      const person = await invitePerson(h, 'viewer', 'Pat Password');
      const other = await signedIn(await login(person.email, person.password, { 'X-Forwarded-For': '198.51.100.30' }));
      expect(await (await person.call('GET', '/api/auth/me')).json()).toMatchObject({ user: { hasPassword: true, sso: false } });
      const wrong = await person.call('POST', '/api/auth/password', { currentPassword: 'not my password!!', newPassword: 'a brand new password' });
      expect(wrong.status).toBe(422);
      expect(((await wrong.json()) as { errors: { field: string; detail: string }[] }).errors).toEqual([expect.objectContaining({ field: 'currentPassword', detail: 'is not your current password' })]);
      const short = await person.call('POST', '/api/auth/password', { currentPassword: person.password, newPassword: 'too short' });
      expect(short.status).toBe(422);
      expect(((await short.json()) as { errors: { field: string; detail: string }[] }).errors).toEqual([expect.objectContaining({ field: 'newPassword', detail: 'must be at least 12 characters' })]);
      const res = await person.call('POST', '/api/auth/password', { currentPassword: person.password, newPassword: 'a brand new password' });
      expect(res.status).toBe(204);
      expect((await other.call('GET', '/api/experiments')).status).toBe(401);
      expect((await person.call('GET', '/api/experiments')).status).toBe(200);
      expect((await login(person.email, person.password, { 'X-Forwarded-For': '198.51.100.31' })).status).toBe(401);
      await signedIn(await login(person.email, 'a brand new password', { 'X-Forwarded-For': '198.51.100.32' }));
      secrets.push(person.password, 'a brand new password');
    });

    it('the last enabled admin cannot be demoted or disabled (409)', async () => {
      const users = (await (await h.call('GET', '/api/users')).json()) as { items: { id: string; role: string; status: string }[] };
      const admins = users.items.filter((u) => u.role === 'admin' && u.status === 'active');
      for (const admin of admins.slice(1)) expect((await h.call('PATCH', `/api/users/${admin.id}`, { role: 'viewer' })).status).toBe(200);
      expect((await h.call('PATCH', `/api/users/${admins[0]!.id}`, { disabled: true })).status).toBe(409);
      expect((await h.call('PATCH', `/api/users/${admins[0]!.id}`, { role: 'editor' })).status).toBe(409);
    });
  });

  describe('invitations', () => {
    it('work once, for 7 days, and refuse short passwords', async () => {
      const invite = async (email: string) => {
        const res = await h.call('POST', '/api/users', { email, name: 'Ivy', role: 'viewer' });
        expect(res.status).toBe(201);
        return new URL(((await res.json()) as { inviteUrl: string }).inviteUrl).hash.slice('#token='.length);
      };
      const token = await invite('ivy@shop.example');
      secrets.push(token, 'twelve chars', 'eleven char');
      expect((await h.call('POST', '/api/users', { email: 'IVY@shop.example', name: 'Ivy', role: 'viewer' })).status).toBe(409);
      expect((await h.call('POST', '/api/auth/accept-invite', { token, password: 'eleven char' }, { key: null })).status).toBe(422);
      expect((await h.call('POST', '/api/auth/accept-invite', { token, password: 'twelve chars' }, { key: null })).status).toBe(200);
      expect((await h.call('POST', '/api/auth/accept-invite', { token, password: 'twelve chars' }, { key: null })).status).toBe(410);
      const late = await invite('late@shop.example');
      secrets.push(late);
      clock += 7 * 24 * HOUR + 1000;
      expect((await h.call('POST', '/api/auth/accept-invite', { token: late, password: 'twelve chars' }, { key: null })).status).toBe(410);
    });
  });

  describe('failed sign-ins', () => {
    it('are limited per email (429 + Retry-After), from any address', async () => {
      const person = await invitePerson(h, 'viewer', 'Rita Ratelimit');
      for (let i = 0; i < 3; i++) expect((await login(person.email, 'wrong password!', { 'X-Forwarded-For': `203.0.113.${i}` })).status).toBe(401);
      const limited = await login(person.email, 'wrong password!', { 'X-Forwarded-For': '203.0.113.50' });
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      // Even the right password waits: the limit is checked first.
      expect((await login(person.email, person.password, { 'X-Forwarded-For': '203.0.113.51' })).status).toBe(429);
    });

    it('are limited per client address, across emails', async () => {
      let last: Response | undefined;
      for (let i = 0; i < 7; i++) last = await login(`someone${i}@shop.example`, 'wrong password!', { 'X-Forwarded-For': '192.0.2.9' });
      expect(last!.status).toBe(429);
      expect(last!.headers.get('retry-after')).toMatch(/^\d+$/);
    });
  });

  describe('keys and the audit', () => {
    it('admin keys carry a role: read-only automation, default admin; SDK keys take none', async () => {
      const readOnly = await h.call('POST', '/api/keys', { type: 'admin', role: 'viewer', name: 'BI export' });
      expect(await readOnly.clone().json()).toMatchObject({ kind: 'admin', role: 'viewer' });
      const key = ((await readOnly.json()) as { secret: string }).secret;
      expect((await h.call('GET', '/api/experiments', undefined, { key })).status).toBe(200);
      expect((await h.call('POST', '/api/touchpoints', fixtures.touchpoint('by-bi'), { key })).status).toBe(403);
      expect(await (await h.call('POST', '/api/keys', { kind: 'admin', name: 'plain' })).json()).toMatchObject({ role: 'admin' });
      expect((await h.call('POST', '/api/keys', { kind: 'sdk', role: 'viewer', name: 'x' })).status).toBe(422);
      expect((await h.call('POST', '/api/keys', { kind: 'sdk', type: 'admin', name: 'x' })).status).toBe(422);
      expect((await h.call('POST', '/api/keys', { name: 'x' })).status).toBe(422);
      expect(await (await h.call('GET', '/api/auth/me', undefined, { key })).json()).toEqual({ role: 'viewer', key: { id: expect.any(String), name: 'BI export' } });
    });

    it('every entry names its actor: the person, or the key', async () => {
      const editor = await invitePerson(h, 'editor', 'Erin Editor');
      await seedCatalog(h);
      expect((await editor.call('POST', '/api/experiments', fixtures.experiment('audited'))).status).toBe(201);
      expect((await h.call('POST', '/api/experiments/audited/start', {})).status).toBe(200);
      const audit = (await (await h.call('GET', '/api/experiments/audited/audit')).json()) as { items: { action: string; actor: unknown }[] };
      expect(audit.items.map((e) => [e.action, e.actor])).toEqual([
        ['start', { type: 'key', id: expect.stringMatching(/^key_/), name: 'test admin' }],
        ['create', { type: 'user', id: editor.id, name: 'Erin Editor' }],
      ]);
    });
  });

  it('no password, setup or invitation token, session secret or CSRF token ever reaches a log line', () => {
    const text = h.logger.lines.map((line) => JSON.stringify(line)).join('\n');
    expect(h.logger.lines.length).toBeGreaterThan(50);
    expect(secrets.length).toBeGreaterThan(10);
    for (const secret of secrets) expect(text.includes(secret), 'a secret in the logs').toBe(false);
  });
});
