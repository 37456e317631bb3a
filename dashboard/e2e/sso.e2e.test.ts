// @vitest-environment node
/**
 * Sign in with SSO end to end (#12, design.md §9) in Debian's headless Chromium: the built dashboard
 * and the real server (support.ts), and a real OpenID provider (oidc-provider, started here on
 * 127.0.0.1; server/src/test/oidc-provider.ts). The browser goes to the provider, signs in on its
 * login page, comes back through Touchpoint's callback (code + PKCE, state, nonce) and is signed in:
 * the header names the person, the session cookie is HttpOnly and survives a new tab, and GET
 * /api/auth/me names the person; the account page explains that the provider keeps the password (no
 * form). A refused sign-in (a disabled person) comes back to the sign-in page
 * with the reason.
 */
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SESSION_POLICY } from '../../server/src/auth/sessions.js';
import { type OidcTestProvider, startOidcProvider } from '../../server/src/test/oidc-provider.js';
import { type DashboardUnderTest, artifacts, startDashboard } from './support.js';

let dut: DashboardUnderTest | undefined;
let idp: OidcTestProvider | undefined;

beforeAll(async () => {
  // Touchpoint's address is known only once it listens; the provider registers its callback then.
  idp = await startOidcProvider({
    redirectUri: () => `${dut!.baseUrl}/api/auth/oidc/callback`,
    people: [{ sub: 'sso-sam', email: 'sam.sso@shop.example', name: 'Sam Single-Sign-On', password: 'sam at the provider' }],
  });
  dut = await startDashboard({ access: { sessions: DEFAULT_SESSION_POLICY, cookieSecure: false, oidc: idp.settings('viewer') } });
}, 120_000);

afterAll(async () => {
  await dut?.close();
  await idp?.close();
  expect(dut?.violations, 'API answers that do not match the OpenAPI document').toEqual([]);
  expect(idp?.errors, 'errors the provider reported').toEqual([]);
});

async function newPage(context: BrowserContext): Promise<Page & { problems: string[] }> {
  const page = (await context.newPage()) as Page & { problems: string[] };
  page.setDefaultTimeout(20_000);
  page.setDefaultNavigationTimeout(30_000);
  page.problems = [];
  page.on('pageerror', (error) => page.problems.push(String(error)));
  return page;
}

/** The provider's login form (ours, server/src/test/oidc-provider.ts). */
async function signInAtProviderPage(page: Page, email: string, password: string) {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

const me = (page: Page) =>
  page.evaluate(async () => {
    const res = await fetch('/api/auth/me', { credentials: 'same-origin' });
    return { status: res.status, body: (await res.json()) as { role?: string; user?: { email: string; name: string; sso: boolean }; csrfToken?: string } };
  });

describe('SSO in headless Chromium', () => {
  it('signs in at the provider and lands back in the dashboard, signed in', { timeout: 180_000 }, async () => {
    const context = await dut!.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await newPage(context);
    // Signed out, the dashboard shows its sign-in page, which offers SSO (GET /api/auth/config says it is configured).
    await page.goto(dut!.baseUrl);
    expect((await me(page)).status).toBe(401);
    await page.getByRole('link', { name: 'Sign in with SSO' }).click();

    // The provider's login page, on the provider's origin.
    await page.getByRole('heading', { name: 'Test identity provider' }).waitFor();
    expect(new URL(page.url()).origin).toBe(idp!.issuer);
    await signInAtProviderPage(page, 'sam.sso@shop.example', 'sam at the provider');

    // Back at Touchpoint, through the callback, on the dashboard's home: the header names the person.
    await page.waitForURL(`${dut!.baseUrl}/`);
    await page.getByRole('button', { name: 'Sign out' }).waitFor({ timeout: 60_000 });
    await expect.poll(() => page.getByTestId('signed-in-as').innerText()).toMatch(/Sam Single-Sign-On\s+Viewer/);
    expect(idp!.tokenOutcomes).toEqual(['ok']);
    const signedIn = await me(page);
    expect(signedIn.status).toBe(200);
    expect(signedIn.body).toMatchObject({ role: 'viewer', user: { email: 'sam.sso@shop.example', name: 'Sam Single-Sign-On', sso: true, hasPassword: false } });
    await page.screenshot({ path: path.join(artifacts, 'sso-signed-in.png'), fullPage: true });

    // The account page has no password form for someone whose password the identity provider keeps.
    await page.getByTestId('signed-in-as').getByRole('link', { name: 'Sam Single-Sign-On, your account' }).click();
    await page.getByRole('heading', { name: 'Your account', level: 1 }).waitFor();
    expect(await page.getByTestId('sso-password-note').innerText()).toMatch(/managed by your identity provider/);
    expect(await page.getByLabel('Current password').count()).toBe(0);

    // The session cookie: HttpOnly (no script reads it), SameSite=Lax, for the whole site; the flow cookie is gone.
    const cookies = await context.cookies(dut!.baseUrl);
    expect(cookies.find((c) => c.name === 'tp_session')).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/', secure: false });
    expect(cookies.find((c) => c.name === 'tp_oidc')).toBeUndefined();
    expect(await page.evaluate(() => document.cookie)).not.toMatch(/tp_session/);

    // A new tab of the same browser is signed in too, and gets the same CSRF token.
    const tab = await newPage(context);
    await tab.goto(dut!.baseUrl);
    expect(await me(tab)).toEqual(signedIn);

    // Another browser (no cookie) is not.
    const stranger = await newPage(await dut!.browser.newContext());
    await stranger.goto(dut!.baseUrl);
    expect((await me(stranger)).status).toBe(401);

    // Signing out ends the session in every tab.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('link', { name: 'Sign in with SSO' }).waitFor();
    expect((await me(tab)).status).toBe(401);

    expect([...page.problems, ...tab.problems]).toEqual([]);
    await context.close();
  });

  it('a refused SSO sign-in comes back to the sign-in page with the reason', { timeout: 180_000 }, async () => {
    // An admin disables Sam (with the automation key); Sam then tries SSO in a fresh browser.
    const users = (await (await fetch(`${dut!.baseUrl}/api/users`, { headers: { Authorization: `Bearer ${dut!.adminKey}` } })).json()) as { items: { id: string; email: string }[] };
    const sam = users.items.find((u) => u.email === 'sam.sso@shop.example')!;
    const disabled = await fetch(`${dut!.baseUrl}/api/users/${sam.id}`, { method: 'PATCH', headers: { Authorization: `Bearer ${dut!.adminKey}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ disabled: true }) });
    expect(disabled.status).toBe(200);

    const context = await dut!.browser.newContext();
    const page = await newPage(context);
    await page.goto(dut!.baseUrl);
    await page.getByRole('link', { name: 'Sign in with SSO' }).click();
    await page.getByRole('heading', { name: 'Test identity provider' }).waitFor();
    await signInAtProviderPage(page, 'sam.sso@shop.example', 'sam at the provider');
    await page.getByText('SSO sign-in failed: Your account is disabled; ask an admin.').waitFor();
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    expect((await context.cookies(dut!.baseUrl)).map((c) => c.name)).not.toContain('tp_session');
    expect((await me(page)).status).toBe(401);
    expect(page.problems).toEqual([]);
    await context.close();
  });
});
