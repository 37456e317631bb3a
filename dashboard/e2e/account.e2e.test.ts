// @vitest-environment node
/**
 * The account page end to end (design.md §9: POST /api/auth/password), on the real server process as
 * a user starts it (`ADMIN_EMAIL=… ADMIN_PASSWORD=… npm start`: src/main.ts on PGlite, serving the
 * production build) in Debian's headless Chromium: the admin opens the account page from the header,
 * a wrong current password gets the server's message, the change keeps this session and ends the
 * admin's session in another browser (as the page says), and after signing out the old password is
 * refused and the new one works. A second person, trying wrong passwords past LOGIN_FAILURE_LIMIT, is
 * told to wait (429 + Retry-After). axe-core finds nothing serious on the page.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServedDashboard, artifacts, callApi, seriousAxeViolations, serveDashboard, signIn } from './support.js';

const ADMIN = { email: 'olga.owner@shop.test', password: 'olga owner password' };
const NEW_PASSWORD = 'olga has a new password';
/** Failed attempts allowed per email (sign-ins and wrong current passwords alike); low, to reach it quickly. */
const LOGIN_FAILURE_LIMIT = 4;

let served: ServedDashboard | undefined;
let baseUrl = '';
let adminKey = '';

beforeAll(async () => {
  served = await serveDashboard('account', { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, LOGIN_FAILURE_LIMIT: String(LOGIN_FAILURE_LIMIT), RESULTS_REFRESH_SECONDS: '0' });
  baseUrl = served.baseUrl;
  adminKey = /Admin key\s*: (tp_admin_\S+)/.exec(served.banner())![1]!;
}, 360_000);

afterAll(async () => {
  await served?.close();
}, 60_000);


const shot = (page: Page, name: string) => page.screenshot({ path: path.join(artifacts, `account-${name}.png`), fullPage: true });

async function fillChange(page: Page, current: string, next: string) {
  await page.getByLabel('Current password').fill(current);
  await page.getByLabel('New password', { exact: true }).fill(next);
  await page.getByLabel('New password again').fill(next);
  await page.getByRole('button', { name: 'Change password' }).click();
}

describe('the account page in headless Chromium, on the real server process', () => {
  it('changes the password: a wrong current one is refused with the server message, this session stays, the others end, the old password no longer signs in', async () => {
    const elsewhere = await served!.newPerson();
    await signIn(elsewhere.page, baseUrl, ADMIN);
    const { page, errors } = await served!.newPerson();
    await signIn(page, baseUrl, ADMIN);

    // The first admin's name is the email's local part (auth/bootstrap.ts); the header links it to the account page.
    await page.getByTestId('signed-in-as').getByRole('link', { name: 'olga.owner, your account' }).click();
    await page.getByRole('heading', { name: 'Your account', level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/account');
    const profile = await page.locator('dl.facts').innerText();
    expect(profile).toContain(ADMIN.email);
    expect(profile).toMatch(/Role\s+Admin/);
    expect(await page.getByRole('form', { name: 'Change password' }).innerText()).toContain('every other session of yours (other browsers and devices) is signed out');
    expect(await seriousAxeViolations(page)).toEqual([]);

    // A wrong current password: the server's 422 names the field, shown under it.
    await fillChange(page, 'not the password at all', NEW_PASSWORD);
    await page.getByText('Is not your current password.').waitFor({ timeout: 60_000 });
    expect(await page.getByLabel('Current password').getAttribute('aria-invalid')).toBe('true');
    await shot(page, '01-wrong-current');
    expect(await seriousAxeViolations(page)).toEqual([]);

    await fillChange(page, ADMIN.password, NEW_PASSWORD);
    await page.getByText('Password changed.').waitFor({ timeout: 60_000 });
    await shot(page, '02-changed');
    // This session stays signed in: another page loads, no sign-in.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Experiments' }).click();
    await page.getByRole('heading', { name: 'Experiments', level: 1 }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Experiments', level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/experiments');
    // The other browser's session ended: its next request sends it to sign in, saying so.
    await elsewhere.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Experiments' }).click();
    await elsewhere.page.getByText(/Your session has ended/).waitFor();
    expect(new URL(elsewhere.page.url()).pathname).toBe('/sign-in');

    // Signed out, the old password is refused and the new one works.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Password').waitFor();
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Wrong email or password (or the account is disabled).').waitFor({ timeout: 60_000 });
    await page.getByLabel('Password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('signed-in-as').innerText()).toContain('Admin');

    expect([...errors, ...elsewhere.errors]).toEqual([]);
  }, 300_000);

  it('too many wrong current passwords: told to wait (429 + Retry-After)', async () => {
    // A second person, invited and accepted through the API (the admin key of the first start).
    const { inviteUrl } = await callApi<{ inviteUrl: string }>(baseUrl, adminKey, 'POST', '/api/users', { email: 'tim.typo@shop.test', name: 'Tim Typo', role: 'viewer' });
    const token = new URL(inviteUrl).hash.replace('#token=', '');
    const accepted = await fetch(`${baseUrl}/api/auth/accept-invite`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token, password: 'tim typo password' }) });
    expect(accepted.status).toBe(200);

    const { page, errors } = await served!.newPerson();
    await signIn(page, baseUrl, { email: 'tim.typo@shop.test', password: 'tim typo password' }, '/account');
    await page.getByRole('heading', { name: 'Your account', level: 1 }).waitFor();
    for (let i = 0; i < LOGIN_FAILURE_LIMIT; i++) {
      await fillChange(page, `wrong password number ${i}`, 'tim has a new password');
      await page.getByText('Is not your current password.').waitFor({ timeout: 60_000 });
    }
    await fillChange(page, 'tim typo password', 'tim has a new password');
    const alert = page.getByRole('alert').filter({ hasText: 'Too many wrong passwords' });
    await alert.waitFor({ timeout: 60_000 });
    expect(await alert.innerText()).toMatch(/Try again in about \d+ minutes\./);
    await shot(page, '03-rate-limited');
    expect(await page.getByText('Password changed.').count()).toBe(0);
    expect(errors).toEqual([]);
  }, 300_000);
});
