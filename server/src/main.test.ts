import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';

/**
 * The real entry point as a user runs it: a process on embedded PGlite in a data folder. Checks the
 * start-up banner, the one-time bootstrap keys, graceful shutdown on SIGTERM and that data survives
 * a restart.
 */
const serverDir = path.resolve(import.meta.dirname, '..');
const dataDir = mkdtempSync(path.join(tmpdir(), 'touchpoint-main-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

interface Running { child: ChildProcess; url: string; output: () => string }

function start(): Promise<Running> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn', INIT_CWD: serverDir };
  delete env.DATABASE_URL;
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', 'src/main.ts'], { cwd: serverDir, env });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start-up banner:\n${out}`)), 60_000);
    const check = () => {
      const match = /running at (http:\/\/\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1]!, output: () => out });
      }
    };
    child.stdout.on('data', check);
    child.on('exit', (code) => reject(new Error(`exited with ${code}:\n${out}`)));
  });
}

const stop = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    child.removeAllListeners('exit');
    child.on('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });

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
    const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: brokenDir, PORT: '0', INIT_CWD: serverDir };
    delete env.DATABASE_URL;
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', 'src/main.ts'], { cwd: serverDir, env });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(err).toMatch(/Migration up failed at 0001_catalog: relation "touchpoints" already exists/);
    expect(err).toMatch(/did not start/);
  } finally {
    rmSync(brokenDir, { recursive: true, force: true });
  }
}, 120_000);
