/**
 * Sign in with SSO (design.md §9) against a real OpenID provider (oidc-provider on 127.0.0.1, started
 * here; test/oidc-provider.ts): the authorization code flow with PKCE, state and nonce checked by
 * openid-client, the policy for new, invited, unverified, email-less and disabled people, the cookies'
 * flags, and no code or token in the logs. The provider is the library's; what the tests tamper with
 * is only what a browser or an attacker could (the callback's query, the flow cookie) or Touchpoint's
 * own stored flow (to show that a check really runs).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { describeEachEngine } from '../test/engines.js';
import { type Harness, createHarness } from '../test/harness.js';
import { type OidcTestProvider, signInAtProvider, startOidcProvider } from '../test/oidc-provider.js';
import { sessionCookieOf } from './test-support.js';
import { digest } from './tokens.js';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const PUBLIC_URL = 'http://touchpoint.test';
const CALLBACK = `${PUBLIC_URL}/api/auth/oidc/callback`;
const POLICY = { idleSeconds: 2 * 3600, maxSeconds: 24 * 3600 };

describeEachEngine('SSO with a real OpenID provider', (getDb) => {
  let idp: OidcTestProvider;
  let h: Harness;
  /** Secrets seen during the suite that must never reach a log line. */
  const secrets: string[] = [];

  beforeAll(async () => {
    idp = await startOidcProvider({
      redirectUri: CALLBACK,
      people: [
        { sub: 'sub-nora', email: 'Nora.New@shop.example', name: 'Nora New', password: 'nora at the provider' },
        { sub: 'sub-ivan', email: 'ivan.invited@shop.example', name: 'Ivan at the IdP', password: 'ivan at the provider' },
        { sub: 'sub-una', email: 'una.unverified@shop.example', emailVerified: false, name: 'Una', password: 'una at the provider' },
        { sub: 'sub-vic', email: 'vic.unverified@shop.example', emailVerified: false, name: 'Vic', password: 'vic at the provider' },
        { sub: 'sub-nomail', name: 'No Mail', password: 'no mail at the provider' },
        { sub: 'sub-dora', email: 'dora@shop.example', name: 'Dora', password: 'dora at the provider' },
      ],
    });
    h = await createHarness(getDb().db, { access: { sessions: POLICY, cookieSecure: false, publicUrl: PUBLIC_URL, oidc: idp.settings('viewer') } });
    secrets.push(idp.clientSecret);
  });

  afterAll(async () => {
    await idp?.close();
  });

  /** GET /api/auth/oidc/start, as a browser: the provider's address and the flow cookie. */
  const start = async (app: Harness = h) => {
    const res = await app.call('GET', '/api/auth/oidc/start', undefined, { key: null });
    expect(res.status, await res.clone().text()).toBe(302);
    const flowHeader = res.headers.getSetCookie().find((line) => line.startsWith('tp_oidc='))!;
    const flowCookie = flowHeader.split(';')[0]!;
    secrets.push(flowCookie.slice('tp_oidc='.length));
    return { location: new URL(res.headers.get('location')!), flowHeader, flowCookie };
  };
  /** The provider's answer delivered to Touchpoint's callback, with the browser's cookie (if any). */
  const callback = async (answer: URL, cookie: string | undefined, app: Harness = h) => {
    expect(`${answer.origin}${answer.pathname}`).toBe(CALLBACK);
    for (const name of ['code', 'state']) if (answer.searchParams.get(name)) secrets.push(answer.searchParams.get(name)!);
    return app.call('GET', `${answer.pathname}${answer.search}`, undefined, { key: null, headers: cookie ? { Cookie: cookie } : {} });
  };
  const refused = (res: Response) => {
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location')!, PUBLIC_URL);
    expect(location.pathname).toBe('/sign-in');
    expect(sessionCookieOf(res)).toBeUndefined();
    return location.searchParams.get('sso_error')!;
  };
  const me = async (cookie: string) => {
    const res = await h.call('GET', '/api/auth/me', undefined, { key: null, headers: { Cookie: cookie } });
    expect(res.status).toBe(200);
    return (await res.json()) as { role: string; user: { id: string; email: string; name: string; sso: boolean; status: string }; csrfToken: string };
  };
  const signIn = async (email: string, password: string, app: Harness = h) => {
    const flow = await start(app);
    const answer = await signInAtProvider(flow.location.href, email, password);
    return { flow, answer, res: await callback(answer, flow.flowCookie, app) };
  };

  it('says SSO is configured', async () => {
    expect(await (await h.call('GET', '/api/auth/config', undefined, { key: null })).json()).toMatchObject({ sso: true });
  });

  it('the code flow with PKCE signs a new person in with OIDC_DEFAULT_ROLE, in an HttpOnly SameSite=Lax cookie', async () => {
    const flow = await start();
    // The authorization request: code flow, S256 code challenge, state and nonce, our callback.
    expect(`${flow.location.origin}${flow.location.pathname}`).toBe(`${idp.issuer}/auth`);
    const asked = flow.location.searchParams;
    expect(Object.fromEntries(['response_type', 'client_id', 'redirect_uri', 'code_challenge_method'].map((k) => [k, asked.get(k)]))).toEqual({
      response_type: 'code',
      client_id: idp.clientId,
      redirect_uri: CALLBACK,
      code_challenge_method: 'S256',
    });
    expect(asked.get('scope')!.split(' ').sort()).toEqual(['email', 'openid', 'profile']);
    expect(asked.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(asked.get('state')).toMatch(/^[\w-]{20,}$/);
    expect(asked.get('nonce')).toMatch(/^[\w-]{20,}$/);
    // The flow cookie binds the answer to this browser: HttpOnly, Lax, only for the SSO routes, 10 minutes.
    expect(flow.flowHeader).toMatch(/; HttpOnly/);
    expect(flow.flowHeader).toMatch(/; SameSite=Lax/);
    expect(flow.flowHeader).toMatch(/; Path=\/api\/auth\/oidc/);
    expect(flow.flowHeader).toMatch(/; Max-Age=600/);
    expect(flow.flowHeader).not.toMatch(/Secure/);

    const answer = await signInAtProvider(flow.location.href, 'Nora.New@shop.example', 'nora at the provider');
    expect(answer.searchParams.get('state')).toBe(asked.get('state'));
    expect(answer.searchParams.get('code')).toBeTruthy();
    const res = await callback(answer, flow.flowCookie);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/');
    expect(idp.tokenOutcomes.at(-1)).toBe('ok');
    const header = res.headers.getSetCookie().find((line) => line.startsWith('tp_session='))!;
    expect(header).toMatch(/; HttpOnly/);
    expect(header).toMatch(/; SameSite=Lax/);
    expect(header).toMatch(/; Path=\//);
    expect(header).toMatch(/; Max-Age=86400/);
    expect(header).not.toMatch(/Secure/);
    // The flow cookie is spent.
    expect(res.headers.getSetCookie().find((line) => line.startsWith('tp_oidc='))).toMatch(/Max-Age=0/);
    const cookie = sessionCookieOf(res)!;
    secrets.push(cookie.slice('tp_session='.length));

    // The email and name came from the provider's UserInfo (its ID token carries only sub by default).
    const session = await me(cookie);
    expect(session).toMatchObject({ role: 'viewer', user: { email: 'nora.new@shop.example', name: 'Nora New', sso: true, hasPassword: false, status: 'active' } });
    secrets.push(session.csrfToken);
    // No password here to change: the provider keeps it (403, said plainly, and no failed attempt counted).
    const change = await h.call('POST', '/api/auth/password', { currentPassword: 'nora at the provider', newPassword: 'a brand new password' }, { key: null, headers: { Cookie: cookie, 'X-CSRF-Token': session.csrfToken } });
    expect(change.status).toBe(403);
    expect(((await change.json()) as { detail: string }).detail).toMatch(/SSO.*identity provider/);
    // A session like any other: reads work, writes need the CSRF token, and the viewer cannot write.
    expect((await h.call('GET', '/api/experiments', undefined, { key: null, headers: { Cookie: cookie } })).status).toBe(200);
    const write = (headers: Record<string, string>) => h.call('POST', '/api/touchpoints', { key: 'sso-tp', name: 'x', kind: 'cta', funnelStage: 'purchase' }, { key: null, headers: { Cookie: cookie, ...headers } });
    expect((await write({})).status).toBe(403);
    expect((await write({ 'X-CSRF-Token': session.csrfToken })).status).toBe(403);

    // Replaying the same answer (same code, same browser) finds no flow: refused, no session.
    expect(refused(await callback(answer, flow.flowCookie))).toMatch(/expired or was already used/);

    // Signing in again is the same person, known by issuer and subject, even with a new email at the provider.
    idp.people.find((p) => p.sub === 'sub-nora')!.email = 'nora.renamed@shop.example';
    const again = await signIn('nora.renamed@shop.example', 'nora at the provider');
    expect((await me(sessionCookieOf(again.res)!)).user.id).toBe(session.user.id);
    const users = (await (await h.call('GET', '/api/users')).json()) as { items: { email: string }[] };
    expect(users.items.filter((u) => u.email.startsWith('nora'))).toHaveLength(1);
  });

  it('over https (or COOKIE_SECURE=1) the session and flow cookies are Secure', async () => {
    const secure = await createHarness(getDb().db, { access: { sessions: POLICY, cookieSecure: true, publicUrl: PUBLIC_URL, oidc: idp.settings('viewer') } });
    const { flow, res } = await signIn('dora@shop.example', 'dora at the provider', secure);
    expect(flow.flowHeader).toMatch(/; Secure/);
    expect(res.headers.getSetCookie().find((line) => line.startsWith('tp_session='))).toMatch(/; HttpOnly.*; Secure|; Secure.*; HttpOnly/);
    secrets.push(sessionCookieOf(res)!.slice('tp_session='.length));
  });

  describe('state', () => {
    it('an answer whose state is not the flow\'s is refused before the code is redeemed: no session', async () => {
      const flow = await start();
      const answer = await signInAtProvider(flow.location.href, 'dora@shop.example', 'dora at the provider');
      const forged = new URL(answer);
      forged.searchParams.set('state', 'an-attacker-chosen-state-value-123456');
      const redeemed = idp.tokenOutcomes.length;
      expect(refused(await callback(forged, flow.flowCookie))).toMatch(/could not be verified/);
      // openid-client checked the state first: the code never reached the token endpoint.
      expect(idp.tokenOutcomes.length).toBe(redeemed);
      // And the flow is spent: the genuine answer cannot be replayed after a failed attempt.
      expect(refused(await callback(answer, flow.flowCookie))).toMatch(/expired or was already used/);
    });

    it('another browser\'s answer (login CSRF) is refused: its state is not this browser\'s flow', async () => {
      const victim = await start();
      const attacker = await start();
      const attackerAnswer = await signInAtProvider(attacker.location.href, 'dora@shop.example', 'dora at the provider');
      const redeemed = idp.tokenOutcomes.length;
      expect(refused(await callback(attackerAnswer, victim.flowCookie))).toMatch(/could not be verified/);
      expect(idp.tokenOutcomes.length).toBe(redeemed);
    });

    it('an answer without the flow cookie is refused', async () => {
      const flow = await start();
      const answer = await signInAtProvider(flow.location.href, 'dora@shop.example', 'dora at the provider');
      expect(refused(await callback(answer, undefined))).toMatch(/not started in this browser/);
      expect(refused(await callback(answer, 'tp_oidc=not-a-flow-we-know'))).toMatch(/expired or was already used/);
    });

    it('the provider\'s error answer (access_denied) is refused', async () => {
      const flow = await start();
      const denied = new URL(CALLBACK);
      denied.search = new URLSearchParams({ error: 'access_denied', state: flow.location.searchParams.get('state')!, iss: idp.issuer }).toString();
      expect(refused(await callback(denied, flow.flowCookie))).toMatch(/refused the sign-in/);
    });
  });

  it('nonce: an ID token whose nonce is not the one this flow sent is refused', async () => {
    const flow = await start();
    const flowSecret = flow.flowCookie.slice('tp_oidc='.length);
    // The provider puts the nonce it was sent into the ID token; Touchpoint expects another one.
    await getDb().db.updateTable('oidc_flows').set({ nonce: 'not-the-nonce-sent-to-the-provider' }).where('id_hash', '=', digest(flowSecret)).execute();
    const answer = await signInAtProvider(flow.location.href, 'dora@shop.example', 'dora at the provider');
    expect(refused(await callback(answer, flow.flowCookie))).toMatch(/could not be verified/);
    // The provider did issue tokens (the code was good), its ID token carrying the nonce Touchpoint sent.
    expect(idp.tokenOutcomes.at(-1)).toBe('ok');
    const idToken = idp.issuedTokens.filter((token) => token.split('.').length === 3).at(-1)!;
    const payload = JSON.parse(Buffer.from(idToken.split('.')[1]!, 'base64url').toString()) as { nonce?: string };
    expect(payload.nonce).toBe(flow.location.searchParams.get('nonce'));
    secrets.push(payload.nonce!);
    // The log says which check failed (for the operator), without the values.
    expect(h.logger.lines.filter((l) => l.message === 'SSO sign-in refused').at(-1)).toMatchObject({ code: 'OAUTH_JWT_CLAIM_COMPARISON_FAILED', claim: 'nonce' });
  });

  it('PKCE: a code redeemed with another verifier gets invalid_grant from the provider', async () => {
    const flow = await start();
    await getDb().db.updateTable('oidc_flows').set({ code_verifier: 'x'.repeat(43) }).where('id_hash', '=', digest(flow.flowCookie.slice('tp_oidc='.length))).execute();
    const answer = await signInAtProvider(flow.location.href, 'dora@shop.example', 'dora at the provider');
    expect(refused(await callback(answer, flow.flowCookie))).toMatch(/refused the sign-in/);
    expect(idp.tokenOutcomes.at(-1)).toBe('invalid_grant');
  });

  describe('who gets in', () => {
    it('an invited colleague with the same verified email is linked and keeps the invited role', async () => {
      const invited = await h.call('POST', '/api/users', { email: 'ivan.invited@shop.example', name: 'Ivan Invited', role: 'editor' });
      expect(invited.status).toBe(201);
      const { user } = (await invited.json()) as { user: { id: string } };
      const { res } = await signIn('ivan.invited@shop.example', 'ivan at the provider');
      expect(res.headers.get('location')).toBe('/');
      expect(await me(sessionCookieOf(res)!)).toMatchObject({ role: 'editor', user: { id: user.id, name: 'Ivan Invited', sso: true, hasPassword: false, status: 'active' } });
    });

    it('an existing email the provider has not verified is refused (no takeover of that account)', async () => {
      const existing = await h.call('POST', '/api/users', { email: 'una.unverified@shop.example', name: 'Una Admin', role: 'admin' });
      expect(existing.status).toBe(201);
      const { res } = await signIn('una.unverified@shop.example', 'una at the provider');
      expect(refused(res)).toMatch(/not verified/);
      const users = (await (await h.call('GET', '/api/users')).json()) as { items: { email: string; sso: boolean }[] };
      expect(users.items.find((u) => u.email === 'una.unverified@shop.example')).toMatchObject({ sso: false });
    });

    it('a new person whose email the provider has not verified is refused, and no user is made', async () => {
      const { res } = await signIn('vic.unverified@shop.example', 'vic at the provider');
      expect(refused(res)).toMatch(/not verified your email/);
      const users = (await (await h.call('GET', '/api/users')).json()) as { items: { email: string }[] };
      expect(users.items.some((u) => u.email === 'vic.unverified@shop.example')).toBe(false);
    });

    it('a person without an email at the provider is refused', async () => {
      // Signing in at the provider needs an email in our login form: give this one a login address only there.
      const person = idp.people.find((p) => p.sub === 'sub-nomail')!;
      const flow = await start();
      person.email = 'login-only@idp.example';
      const answer = await signInAtProvider(flow.location.href, 'login-only@idp.example', 'no mail at the provider');
      delete person.email;
      expect(refused(await callback(answer, flow.flowCookie))).toMatch(/did not share an email/);
    });

    it('a disabled person is refused, and their SSO sessions end', async () => {
      const first = await signIn('dora@shop.example', 'dora at the provider');
      const cookie = sessionCookieOf(first.res)!;
      const { user } = await me(cookie);
      expect((await h.call('PATCH', `/api/users/${user.id}`, { disabled: true })).status).toBe(200);
      expect((await h.call('GET', '/api/auth/me', undefined, { key: null, headers: { Cookie: cookie } })).status).toBe(401);
      expect(refused((await signIn('dora@shop.example', 'dora at the provider')).res)).toMatch(/disabled/);
    });

    it('OIDC_DEFAULT_ROLE=editor makes new people editors', async () => {
      idp.people.push({ sub: 'sub-ed', email: 'ed.new@shop.example', name: 'Ed New', password: 'ed at the provider' });
      const editors = await createHarness(getDb().db, { access: { sessions: POLICY, cookieSecure: false, publicUrl: PUBLIC_URL, oidc: idp.settings('editor') } });
      const { res } = await signIn('ed.new@shop.example', 'ed at the provider', editors);
      expect(await me(sessionCookieOf(res)!)).toMatchObject({ role: 'editor', user: { name: 'Ed New' } });
    });
  });

  it('no code, state, token, client secret or session secret reaches a log line', () => {
    const text = [...h.logger.lines].map((line) => JSON.stringify(line)).join('\n');
    expect(h.logger.lines.length).toBeGreaterThan(20);
    const all = [...secrets, ...idp.issuedTokens];
    expect(idp.issuedTokens.length).toBeGreaterThan(4);
    for (const secret of all) expect(text.includes(secret), `a secret in the logs: ${secret.slice(0, 6)}…`).toBe(false);
  });

  it('a provider that cannot be reached: 503 with Retry-After, not a 500', async () => {
    const gone = await startOidcProvider({ redirectUri: CALLBACK });
    const settings = gone.settings('viewer');
    await gone.close();
    const app = await createHarness(getDb().db, { access: { sessions: POLICY, cookieSecure: false, publicUrl: PUBLIC_URL, oidc: settings } });
    const res = await app.call('GET', '/api/auth/oidc/start', undefined, { key: null });
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
  });
});
