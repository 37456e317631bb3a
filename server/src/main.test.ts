import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { startServerProcess, stopServerProcess } from './test/server-process.js';

/**
 * The real entry point as a user runs it: a process on embedded PGlite in a data folder. Checks the
 * start-up banner, the one-time bootstrap keys, graceful shutdown on SIGTERM and that data survives
 * a restart.
 */
const dataDir = mkdtempSync(path.join(tmpdir(), 'touchpoint-main-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const start = () => startServerProcess({ DATA_DIR: dataDir });
const stop = stopServerProcess;

it('starts on PGlite, prints the keys once, shuts down cleanly and keeps data across restarts', async () => {
  const first = await start();
  const admin = /Admin key\s*: (tp_admin_\w+)/.exec(first.output())?.[1];
  expect(admin, first.output()).toBeDefined();
  expect(first.output()).toMatch(/SDK key\s*: tp_sdk_\w+/);
  expect(first.output()).toContain(`embedded PGlite in ${dataDir}`);

  const created = await fetch(`${first.url}/api/touchpoints`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${admin}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ key: 'pdp-gallery', name: 'Product gallery', kind: 'product_page', funnelStage: 'consideration' }),
  });
  expect(created.status).toBe(201);
  // A request in flight when SIGTERM arrives still gets its answer.
  const inFlight = fetch(`${first.url}/api/touchpoints`, { headers: { Authorization: `Bearer ${admin}` } });
  await new Promise((r) => setTimeout(r, 5));
  const exit = stop(first.child);
  expect((await inFlight).status).toBe(200);
  expect(await exit).toBe(0);

  const second = await start();
  expect(second.output()).not.toMatch(/tp_admin_|tp_sdk_/);
  const read = await fetch(`${second.url}/api/touchpoints/pdp-gallery`, { headers: { Authorization: `Bearer ${admin}` } });
  expect(read.status).toBe(200);
  expect(await read.json()).toMatchObject({ key: 'pdp-gallery', funnelStage: 'consideration' });
  expect(await stop(second.child)).toBe(0);
}, 120_000);

it('refuses to start when a migration fails, saying which one and why', async () => {
  const brokenDir = mkdtempSync(path.join(tmpdir(), 'touchpoint-broken-'));
  try {
    const { connect } = await import('./db/connect.js');
    const handle = await connect({ dataDir: brokenDir });
    // A stray table where the first migration wants to create its own.
    await handle.db.schema.createTable('touchpoints').addColumn('junk', 'text').execute();
    await handle.close();
    const outcome = await startServerProcess({ DATA_DIR: brokenDir }).then(
      async (running) => `started:\n${running.output()} (exit ${await stopServerProcess(running.child)})`,
      (error: Error) => error.message,
    );
    expect(outcome).toMatch(/^exited with 1:/);
    expect(outcome).toMatch(/Migration up failed at 0001_catalog: relation "touchpoints" already exists/);
    expect(outcome).toMatch(/did not start/);
  } finally {
    rmSync(brokenDir, { recursive: true, force: true });
  }
}, 120_000);
