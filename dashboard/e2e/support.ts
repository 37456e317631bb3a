/**
 * What the dashboard's end-to-end suites share: the production build, the real server in-process on an
 * in-memory PGlite database with an admin key, every API answer checked against the OpenAPI document,
 * and Debian's headless Chromium (never a downloaded browser).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { type Browser, chromium } from 'playwright-core';
import { build } from 'vite';
import { createApp } from '../../server/src/app.js';
import { type DatabaseHandle, connect } from '../../server/src/db/connect.js';
import { migrateToLatest } from '../../server/src/db/migrate.js';
import type { AppDeps } from '../../server/src/http/context.js';
import { createLogger } from '../../server/src/http/logger.js';
import { createKey } from '../../server/src/keys/repository.js';
import { outsideApi, withResponseValidation } from '../../server/src/test/openapi-validator.js';

const CHROMIUM = '/usr/bin/chromium';
const dashboardDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const artifacts = path.join(dashboardDir, 'test-artifacts');

export interface DashboardUnderTest {
  baseUrl: string;
  adminKey: string;
  handle: DatabaseHandle;
  browser: Browser;
  /** Departures from the OpenAPI document in the server's answers; a suite asserts it is empty. */
  violations: string[];
  close(): Promise<void>;
}

export async function startDashboard(deps: Partial<AppDeps> = {}): Promise<DashboardUnderTest> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: the dashboard end-to-end tests need Debian's chromium package. ` +
        'Install it with `apt-get install -y chromium` (.ci/run does this); never download a browser.',
    );
  }
  mkdirSync(artifacts, { recursive: true });
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

  const handle = await connect({ dataDir: 'memory://' });
  await migrateToLatest(handle.db);
  const adminKey = (await createKey(handle.db, { keyId: null, requestId: 'e2e' }, { kind: 'admin', name: 'E2E admin' })).secret;
  const violations: string[] = [];
  // The pages and assets the server serves for the dashboard are not API operations.
  const app = withResponseValidation(
    createApp({ db: handle.db, logger: createLogger('error'), now: () => new Date(), maxBodyBytes: 1024 * 1024, dashboardDir: distDir, ...deps }),
    { onViolation: (message) => violations.push(message), skip: outsideApi },
  );
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    timeout: 30_000,
  });
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    adminKey,
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
