/**
 * What the dashboard's end-to-end suites share: the production build, the real server in-process on an
 * in-memory PGlite database with an admin user (made as ADMIN_EMAIL/ADMIN_PASSWORD make it on first
 * start) and an admin key for set-up through the API, every API answer checked against the OpenAPI
 * document, Debian's headless Chromium (never a downloaded browser), signing in through the page, and
 * axe-core's serious and critical findings on a page.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { type Browser, type BrowserContext, type Page, chromium } from 'playwright-core';
import { build } from 'vite';
import { createApp } from '../../server/src/app.js';
import { type DatabaseHandle, connect } from '../../server/src/db/connect.js';
import { migrateToLatest } from '../../server/src/db/migrate.js';
import type { AppDeps } from '../../server/src/http/context.js';
import { createLogger } from '../../server/src/http/logger.js';
import { bootstrapPeople } from '../../server/src/auth/bootstrap.js';
import { createKey } from '../../server/src/keys/repository.js';
import { outsideApi, withResponseValidation } from '../../server/src/test/openapi-validator.js';
import { type ServerProcess, startServerProcess, stopServerProcess } from '../../server/src/test/server-process.js';

const CHROMIUM = '/usr/bin/chromium';
const dashboardDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const artifacts = path.join(dashboardDir, 'test-artifacts');

/** The first admin of every suite: as `ADMIN_EMAIL=… ADMIN_PASSWORD=… npm start` creates it. */
export const E2E_ADMIN = { email: 'admin@e2e.test', password: 'e2e admin password 1' } as const;

export interface DashboardUnderTest {
  baseUrl: string;
  /** For set-up through the API (Bearer): key-based automation works beside sessions. */
  adminKey: string;
  /** Sign in as this person in the browser (signIn below). */
  admin: { email: string; password: string };
  handle: DatabaseHandle;
  browser: Browser;
  /** Departures from the OpenAPI document in the server's answers; a suite asserts it is empty. */
  violations: string[];
  close(): Promise<void>;
}

/** The production build into a fresh folder (removed by the caller), as `npm start` serves it. */
export async function buildDashboard(): Promise<string> {
  // Each suite builds into a folder of its own: suites run in parallel, and a build empties its folder.
  const distDir = mkdtempSync(path.join(os.tmpdir(), 'touchpoint-dashboard-e2e-'));
  // The production build, as `npm start` serves it (vitest sets NODE_ENV=test, which would bundle React's dev build).
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      root: dashboardDir,
      configFile: path.join(dashboardDir, 'vite.config.ts'),
      mode: 'production',
      logLevel: 'warn',
      build: { outDir: distDir, emptyOutDir: true },
    });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
  return distDir;
}

/** Debian's headless Chromium. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: the dashboard end-to-end tests need Debian's chromium package. ` +
        'Install it with `apt-get install -y chromium` (.ci/run does this); never download a browser.',
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    timeout: 30_000,
  });
}

/**
 * Signs in through the sign-in page with email and password, and waits for the signed-in layout.
 * Opens `path` first (default `/`): signed out, the page sends you to sign in and back there.
 */
/** A call to the real server with a Bearer key, as automation makes it; throws with the answer on a non-2xx. */
export async function callApi<T>(baseUrl: string, key: string, method: string, route: string, body?: unknown): Promise<T> {
  const res = await fetch(`${baseUrl}${route}`, {
    method,
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export async function signIn(page: Page, baseUrl: string, who: { email: string; password: string }, path = '/'): Promise<void> {
  await page.goto(`${baseUrl}${path}`);
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  // Password hashes (scrypt) take seconds on a loaded machine.
  await page.getByRole('button', { name: 'Sign out' }).waitFor({ timeout: 60_000 });
}

export async function startDashboard(deps: Partial<AppDeps> = {}): Promise<DashboardUnderTest> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: the dashboard end-to-end tests need Debian's chromium package. ` +
        'Install it with `apt-get install -y chromium` (.ci/run does this); never download a browser.',
    );
  }
  mkdirSync(artifacts, { recursive: true });
  const distDir = await buildDashboard();

  const handle = await connect({ dataDir: 'memory://' });
  await migrateToLatest(handle.db);
  const adminKey = (await createKey(handle.db, { keyId: null, requestId: 'e2e' }, { kind: 'admin', name: 'E2E admin key' })).secret;
  // What main.ts does on start with ADMIN_EMAIL and ADMIN_PASSWORD.
  await bootstrapPeople(handle.db, E2E_ADMIN, new Date());
  const violations: string[] = [];
  // The pages and assets the server serves for the dashboard are not API operations.
  const app = withResponseValidation(
    createApp({ db: handle.db, logger: createLogger('error'), now: () => new Date(), maxBodyBytes: 1024 * 1024, dashboardDir: distDir, ...deps }),
    { onViolation: (message) => violations.push(message), skip: outsideApi },
  );
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const browser = await launchChromium();
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    adminKey,
    admin: { ...E2E_ADMIN },
    handle,
    browser,
    violations,
    async close() {
      await browser.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await handle.close();
      rmSync(distDir, { recursive: true, force: true });
    },
  };
}

/** axe-core's own build, evaluated in the page (an injected <script> would be refused by the server's CSP). */
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Serious and critical axe-core violations on the page, with every <details> opened first: "rule: target". */
export async function seriousAxeViolations(page: Page): Promise<string[]> {
  await page.evaluate(() => document.querySelectorAll('details').forEach((d) => (d.open = true)));
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: { id: string; impact: string | null; nodes: { target: unknown[] }[] }[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.map((n) => JSON.stringify(n.target)) }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').flatMap((v) => v.targets.map((t) => `${v.id} (${v.impact}): ${t}`));
}

/**
 * The real server process as a user starts it (`npm start`: src/main.ts on PGlite in a fresh data
 * folder, serving the production build) with `env` added, its first-start banner read whole, and
 * Chromium; each `newPerson()` is another person's browser (its own cookie jar) with a page open, page
 * errors collected; `close()` ends it all.
 */
export interface ServedDashboard {
  server: ServerProcess;
  baseUrl: string;
  /** The first-start banner (how to sign in, the first SDK and admin keys). */
  banner: () => string;
  newPerson(): Promise<{ context: BrowserContext; page: Page; errors: string[] }>;
  close(): Promise<void>;
}

export async function serveDashboard(label: string, env: Record<string, string>): Promise<ServedDashboard> {
  const distDir = await buildDashboard();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `touchpoint-${label}-e2e-`));
  // On a loaded machine the first start (tsx, migrations, hashing ADMIN_PASSWORD) can take minutes.
  const server = await startServerProcess({ DATA_DIR: dataDir, DASHBOARD_DIR: distDir, ...env }, { bannerTimeoutMs: 180_000 });
  // The banner is one write, but a pipe may deliver it in pieces: wait for its last key line.
  for (let i = 0; i < 100 && !/SDK key\s*: tp_sdk_\S+\n/.test(server.output()); i++) await new Promise((resolve) => setTimeout(resolve, 100));
  const browser = await launchChromium();
  const contexts: BrowserContext[] = [];
  return {
    server,
    baseUrl: server.url,
    banner: () => server.output(),
    newPerson: async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      contexts.push(context);
      const page = await context.newPage();
      // Password hashes (scrypt) take seconds on a loaded machine.
      page.setDefaultTimeout(30_000);
      page.setDefaultNavigationTimeout(30_000);
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(String(error)));
      return { context, page, errors };
    },
    close: async () => {
      for (const context of contexts) await context.close().catch(() => {});
      await browser.close();
      await stopServerProcess(server.child);
      rmSync(distDir, { recursive: true, force: true });
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
