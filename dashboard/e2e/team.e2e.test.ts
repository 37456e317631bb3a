// @vitest-environment node
/**
 * Team access end to end (issue #12, design.md §9), on the real server process as a user starts it
 * (`ADMIN_EMAIL=… ADMIN_PASSWORD=… npm start`: src/main.ts on PGlite, serving the production build) in
 * Debian's headless Chromium: the admin signs in and invites an editor and a viewer on the Users page;
 * each accepts the invitation in a browser context of their own; the editor creates and starts an
 * experiment; the viewer sees its results but no control to change it (and the server refuses the
 * viewer's write anyway); the admin's history of the experiment names the editor.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServedDashboard, artifacts, serveDashboard, signIn } from './support.js';

const ADMIN = { email: 'olivia.admin@shop.test', password: 'olivia admin password' };

let served: ServedDashboard | undefined;
let baseUrl = '';
let sdkKey = '';

beforeAll(async () => {
  // Results are recomputed on demand here, not behind the test's back.
  served = await serveDashboard('team', { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, RESULTS_REFRESH_SECONDS: '0' });
  baseUrl = served.baseUrl;
  // The banner of a first start: how to sign in, and the first keys (the SDK key sends traffic below).
  expect(served.banner()).toContain(`as ${ADMIN.email} with ADMIN_PASSWORD (admin)`);
  sdkKey = /SDK key\s*: (tp_sdk_\S+)/.exec(served.banner())![1]!;
}, 360_000);

afterAll(async () => {
  await served?.close();
}, 60_000);


const shot = (page: Page, name: string) => page.screenshot({ path: path.join(artifacts, `team-${name}.png`), fullPage: true });

/** Invites someone on the Users page and returns the link shown (once). */
async function invite(page: Page, who: { email: string; name: string; role: 'Viewer' | 'Editor' | 'Admin' }): Promise<string> {
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Name', { exact: true }).fill(who.name);
  await page.getByLabel(new RegExp(`^${who.role}`)).check();
  await page.getByRole('button', { name: 'Invite' }).click();
  const link = (await page.getByLabel('Invitation link', { exact: true }).textContent())!.trim();
  expect(link).toMatch(new RegExp(`^${baseUrl.replace(/[.]/g, '\\.')}/accept-invite#token=[A-Za-z0-9_-]+$`));
  await page.getByRole('button', { name: 'Done' }).click();
  await page.getByTestId(`user-${who.email}`).waitFor();
  expect(await page.getByTestId(`user-${who.email}`).textContent()).toContain('Invited');
  return link;
}

/** Opens an invitation link, chooses a password and lands signed in on the dashboard. */
async function accept(page: Page, link: string, password: string, name: string): Promise<void> {
  await page.goto(link);
  await page.getByLabel('Choose a password').fill(password);
  await page.getByRole('button', { name: 'Accept invitation' }).click();
  await page.getByRole('heading', { name: 'Funnel overview' }).waitFor({ timeout: 60_000 });
  expect(await page.getByTestId('signed-in-as').textContent()).toContain(name);
}

const navLinks = (page: Page) => page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents();

describe('team access in headless Chromium, on the real server process', () => {
  it('admin invites an editor and a viewer; the editor creates and starts an experiment; the viewer only reads; the history names the editor', async () => {
    // The admin (ADMIN_EMAIL / ADMIN_PASSWORD) signs in and invites two people.
    const admin = await served!.newPerson();
    await signIn(admin.page, baseUrl, ADMIN);
    expect(await admin.page.getByTestId('signed-in-as').textContent()).toContain('Admin');
    await admin.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
    await admin.page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
    const editorLink = await invite(admin.page, { email: 'eddie@shop.test', name: 'Eddie Editor', role: 'Editor' });
    const viewerLink = await invite(admin.page, { email: 'vera@shop.test', name: 'Vera Viewer', role: 'Viewer' });
    await shot(admin.page, '01-users');

    // The editor accepts in a browser of their own, and creates and starts an experiment.
    const editor = await served!.newPerson();
    await accept(editor.page, editorLink, 'eddie editor password', 'Eddie Editor');
    expect(await navLinks(editor.page)).toEqual(['Funnel', 'Experiments', 'Metrics', 'Sample size']);
    const e = editor.page;
    await e.getByRole('link', { name: 'New experiment' }).first().click();
    await e.getByRole('heading', { name: 'New experiment', level: 1 }).waitFor();
    await e.locator('#key').fill('team-banner');
    await e.locator('#name').fill('Team banner');
    await e.locator('#new-touchpoint-key').fill('home-banner');
    await e.locator('#new-touchpoint-name').fill('Home banner');
    await e.locator('#new-touchpoint-kind').selectOption('cta');
    await e.locator('#new-touchpoint-stage').selectOption('purchase');
    await e.getByRole('button', { name: 'Create touchpoint' }).click();
    await expect.poll(() => e.locator('#touchpointKey').inputValue(), { timeout: 30_000 }).toBe('home-banner');
    await e.getByRole('button', { name: 'New metric…' }).click();
    await e.locator('#new-metric-key').fill('purchase');
    await e.locator('#new-metric-name').fill('Purchase');
    await e.locator('#new-metric-event').fill('purchase');
    await e.getByRole('button', { name: 'Create metric' }).click();
    await expect.poll(() => e.locator('#primaryMetric').inputValue(), { timeout: 30_000 }).toBe('purchase');
    await e.getByRole('button', { name: 'Create experiment' }).click();
    await e.getByRole('heading', { name: 'Team banner', level: 1 }).waitFor();
    await e.getByRole('button', { name: 'Start' }).click();
    const startDialog = e.getByRole('dialog', { name: 'Start the experiment?' });
    await startDialog.getByRole('button', { name: 'Start' }).click();
    await startDialog.waitFor({ state: 'detached' });
    await expect.poll(() => e.locator('.page-head .badge').first().textContent(), { timeout: 30_000 }).toBe('Running');

    // Traffic through the SDK path (the SDK key of the first start: keys keep working beside sessions).
    const t0 = Date.now() + 500;
    const items: unknown[] = [];
    for (let i = 0; i < 400; i++) {
      const variantKey = i % 2 === 0 ? 'control' : 'variant-a';
      const unitId = `team-unit-${i}`;
      items.push({ id: `x-${i}`, type: 'exposure', unitId, timestamp: new Date(t0 + i).toISOString(), experimentKey: 'team-banner', variantKey });
      if (i % 5 === 0) items.push({ id: `c-${i}`, type: 'event', unitId, name: 'purchase', timestamp: new Date(t0 + i + 1).toISOString() });
    }
    while (Date.now() < t0 + 1_000) await new Promise((resolve) => setTimeout(resolve, 100)); // every timestamp in the past
    const sent = await fetch(`${baseUrl}/sdk/events`, { method: 'POST', headers: { Authorization: `Bearer ${sdkKey}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ items }) });
    expect(sent.status).toBeLessThan(300);
    expect(((await sent.json()) as { rejected: unknown[] }).rejected).toEqual([]);
    // The editor may recompute the results (a viewer may not).
    await e.getByRole('button', { name: 'Recompute now' }).click();
    await e.getByTestId('metric-purchase').getByRole('table').waitFor({ timeout: 60_000 });
    await shot(e, '02-editor-experiment');

    // The viewer accepts in a third browser: reads everything, changes nothing.
    const viewer = await served!.newPerson();
    await accept(viewer.page, viewerLink, 'vera viewer password', 'Vera Viewer');
    const v = viewer.page;
    expect(await navLinks(v)).toEqual(['Funnel', 'Experiments', 'Metrics', 'Sample size']);
    expect(await v.getByRole('link', { name: 'New experiment' }).count()).toBe(0);
    // A new tab of the same browser is still signed in (the session cookie), as after a reload.
    const tab = await viewer.context.newPage();
    await tab.goto(`${baseUrl}/experiments/team-banner`);
    await tab.getByRole('heading', { name: 'Team banner', level: 1 }).waitFor();
    await tab.getByTestId('metric-purchase').getByRole('table').waitFor();
    expect(await tab.getByTestId('metric-purchase').getByRole('table').textContent()).toContain('Control');
    for (const name of ['Start', 'Pause', 'Stop', 'Edit', 'Archive', 'Recompute now']) {
      expect(await tab.getByRole('button', { name, exact: true }).count(), name).toBe(0);
      expect(await tab.getByRole('link', { name, exact: true }).count(), name).toBe(0);
    }
    expect(await tab.getByTestId('read-only-note').textContent()).toContain('Only editors and admins can change');
    await tab.reload();
    await tab.getByRole('heading', { name: 'Team banner', level: 1 }).waitFor();
    await shot(tab, '03-viewer-experiment');
    // An admin page opened directly explains instead of failing.
    await tab.goto(`${baseUrl}/users`);
    await tab.getByText('Only admins can manage users; you are signed in as a viewer.').waitFor();
    // The server decides, whatever the page shows: the viewer's session cannot pause it (403, nothing written).
    const refused = await tab.evaluate(async () => {
      const me = (await (await fetch('/api/auth/me')).json()) as { csrfToken: string };
      const res = await fetch('/api/experiments/team-banner/pause', { method: 'POST', headers: { 'X-CSRF-Token': me.csrfToken } });
      return res.status;
    });
    expect(refused).toBe(403);

    // The admin's history of the experiment names the editor.
    await admin.page.goto(`${baseUrl}/experiments/team-banner`);
    await admin.page.getByRole('heading', { name: 'History' }).waitFor();
    const history = admin.page.getByRole('heading', { name: 'History' }).locator('xpath=..');
    await history.getByText(/Started by Eddie Editor ·/).waitFor();
    await history.getByText(/Created by Eddie Editor ·/).waitFor();
    expect(await history.textContent()).not.toContain('Paused');
    expect(await admin.page.locator('.page-head .badge').first().textContent()).toBe('Running');
    await shot(admin.page, '04-admin-history');

    // Disabling the viewer ends their session at once: their next request sends them to sign in.
    await admin.page.goto(`${baseUrl}/users`);
    await admin.page.getByRole('button', { name: 'Disable Vera Viewer' }).click();
    await admin.page.getByRole('button', { name: 'Enable Vera Viewer' }).waitFor();
    await tab.goto(`${baseUrl}/experiments`);
    await tab.getByLabel('Password').waitFor();
    expect(new URL(tab.url()).pathname).toBe('/sign-in');

    expect([...admin.errors, ...editor.errors, ...viewer.errors]).toEqual([]);
  }, 300_000);
});
