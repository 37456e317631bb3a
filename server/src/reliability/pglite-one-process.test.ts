import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { LOCK_FILE } from '../db/pglite-lock.js';

/**
 * Issue 13, finding 10: `npm run demo` while `npm start` ran on the same ./data reported success, and
 * the server could not open the database again ("RuntimeError: Aborted()"): all data and keys lost.
 * Real processes on one data directory: a second server and the demo must stop with a clear message
 * and touch nothing; the data opens afterwards, also after the owner was killed with SIGKILL.
 */
const serverDir = path.resolve(import.meta.dirname, '../..');
const dataDir = mkdtempSync(path.join(tmpdir(), 'touchpoint-lock-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function env(): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn', INIT_CWD: serverDir, RESULTS_REFRESH_SECONDS: '0' };
  delete e.DATABASE_URL;
  return e;
}

function run(script: string, args: string[] = []): { child: ChildProcess; output: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', script, ...args], { cwd: serverDir, env: env() });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exit };
}

async function startServer() {
  const server = run('src/main.ts');
  const deadline = Date.now() + 90_000;
  let exited = false;
  void server.exit.then(() => (exited = true));
  while (!/running at (http:\/\/\S+)/.test(server.output())) {
    if (exited || Date.now() > deadline) throw new Error(`no start-up banner:\n${server.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { ...server, url: /running at (http:\/\/\S+)/.exec(server.output())![1]! };
}

it('a second server and the demo refuse a data directory in use, write nothing, and the data opens afterwards (after SIGTERM and after SIGKILL)', async () => {
  const first = await startServer();
  const admin = /Admin key\s*: (tp_admin_\w+)/.exec(first.output())?.[1];
  expect(admin, first.output()).toBeDefined();
  const created = await fetch(`${first.url}/api/touchpoints`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${admin}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ key: 'pdp-gallery', name: 'Product gallery', kind: 'product_page', funnelStage: 'consideration' }),
  });
  expect(created.status).toBe(201);
  expect(readFileSync(path.join(dataDir, LOCK_FILE), 'utf8').trim()).toBe(String(first.child.pid));

  // A second server on the same directory.
  const second = run('src/main.ts');
  expect(await second.exit).toBe(1);
  expect(second.output()).toContain(`the data directory ${dataDir} is in use by process ${first.child.pid}; stop it or use DATABASE_URL`);
  expect(second.output()).not.toMatch(/running at|Aborted/);
  // The demo, as the README used to invite.
  const demo = run('src/demo/cli.ts', ['--visitors', '100']);
  expect(await demo.exit).toBe(1);
  expect(demo.output()).toContain(`is in use by process ${first.child.pid}`);
  expect(demo.output()).toMatch(/Stop the server and run `npm run demo` again, or start the server with `DEMO=1 npm start`/);
  expect(demo.output()).not.toMatch(/seeded/i);

  // The owner is still fine, and a graceful stop frees the directory.
  const list = await fetch(`${first.url}/api/touchpoints/pdp-gallery`, { headers: { Authorization: `Bearer ${admin}` } });
  expect(list.status).toBe(200);
  first.child.kill('SIGTERM');
  expect(await first.exit).toBe(0);
  expect(existsSync(path.join(dataDir, LOCK_FILE))).toBe(false);

  // The data opens again; then the owner dies without cleaning up (SIGKILL): its lock is stale.
  const again = await startServer();
  const read = await fetch(`${again.url}/api/touchpoints/pdp-gallery`, { headers: { Authorization: `Bearer ${admin}` } });
  expect(read.status).toBe(200);
  again.child.kill('SIGKILL');
  await again.exit;
  expect(readFileSync(path.join(dataDir, LOCK_FILE), 'utf8').trim()).toBe(String(again.child.pid));

  const afterKill = await startServer();
  const readAgain = await fetch(`${afterKill.url}/api/touchpoints/pdp-gallery`, { headers: { Authorization: `Bearer ${admin}` } });
  expect(readAgain.status).toBe(200);
  afterKill.child.kill('SIGTERM');
  expect(await afterKill.exit).toBe(0);
}, 240_000);

it('a lock file naming a process that no longer runs is taken over; one naming a live process, or this process twice, is refused', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'touchpoint-stale-'));
  try {
    // A pid far above any pid_max the kernel allows (4,194,304): certainly not running.
    writeFileSync(path.join(dir, LOCK_FILE), '99999999\n');
    const { lockDataDir, DataDirInUseError } = await import('../db/pglite-lock.js');
    const release = lockDataDir(dir);
    expect(readFileSync(path.join(dir, LOCK_FILE), 'utf8').trim()).toBe(String(process.pid));
    // Not twice in one process either.
    expect(() => lockDataDir(dir)).toThrow(`is in use by process ${process.pid}`);
    release();
    expect(existsSync(path.join(dir, LOCK_FILE))).toBe(false);
    // A lock in the name of another live process (our parent) is refused, naming it.
    writeFileSync(path.join(dir, LOCK_FILE), `${process.ppid}\n`);
    expect(() => lockDataDir(dir)).toThrow(DataDirInUseError);
    expect(() => lockDataDir(dir)).toThrow(`is in use by process ${process.ppid}`);
    expect(readFileSync(path.join(dir, LOCK_FILE), 'utf8').trim()).toBe(String(process.ppid));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
