import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Server, Agent, request as httpRequest } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { openAsBlob } from 'node:fs';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApp } from '../app.js';
import { withResponseValidation } from '../test/openapi-validator.js';
import { type DatabaseHandle, connect } from '../db/connect.js';
import { type Drain, createDrain } from '../http/drain.js';
import { createMemoryLogger } from '../http/logger.js';

/**
 * Issue 13, finding 8: on SIGTERM a busy keep-alive client was served for the whole grace period and
 * `/ready` kept saying 200. main.ts stops through http/drain.ts; here the same drain runs on the real
 * app behind a real HTTP server, with real keep-alive clients (node:http agents).
 */
interface Answer { status: number; connection: string | undefined; body: string; socket: Socket }

function get(port: number, path: string, agent: Agent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, agent }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, connection: res.headers.connection, body, socket: req.socket! }));
    });
    req.on('error', reject);
    req.end();
  });
}

const closed = (socket: Socket) => (socket.destroyed ? Promise.resolve() : new Promise<void>((resolve) => socket.once('close', () => resolve())));

describe('graceful stop', () => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await connect({ dataDir: 'memory://', loadDataDir: await openAsBlob(inject('pgliteTemplate')) });
  });
  afterAll(() => handle?.close());
  const violations: string[] = [];
  afterAll(() => expect(violations, 'answers that do not match the OpenAPI document').toEqual([]));

  /** The real app on a real port; requests to /held wait until released (a request in flight). */
  async function startServer(graceMs: number) {
    const logger = createMemoryLogger();
    let drain: Drain | undefined;
    // Answers are checked against the OpenAPI document; departures are collected (a server cannot throw them into a test).
    const app = withResponseValidation(createApp({ db: handle.db, logger, now: () => new Date(), maxBodyBytes: 1024 * 1024, draining: () => drain?.draining() ?? false }), {
      onViolation: (message) => violations.push(message),
    });
    const held: Array<() => void> = [];
    const fetch = async (req: Request) => {
      if (new URL(req.url).pathname === '/held') {
        await new Promise<void>((resolve) => held.push(resolve));
        return app.fetch(new Request(new URL('/health', req.url)));
      }
      return app.fetch(req);
    };
    const server = await new Promise<Server>((resolve) => {
      const s = serve({ fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s as Server));
    });
    drain = createDrain(server, { graceMs, logger });
    return { server, drain, app, held, port: (server.address() as AddressInfo).port, logger };
  }

  it('turns /ready to 503 first, closes idle keep-alive connections, sends Connection: close to busy ones, and closes without waiting out the grace period', async () => {
    const { drain, app, held, port } = await startServer(60_000);
    const idleAgent = new Agent({ keepAlive: true, maxSockets: 1 });
    const busyAgent = new Agent({ keepAlive: true, maxSockets: 1 });
    const heldAgent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      // An idle keep-alive connection, a request in flight, and a client that keeps its connection busy.
      const idle = await get(port, '/health', idleAgent);
      expect(idle.connection).toBe('keep-alive');
      const inFlight = get(port, '/held', heldAgent);
      while (held.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      let busyAnswers = 0;
      let busyClosedAnswers = 0;
      let busyStopped: unknown;
      let draining = false;
      const busyLoop = (async () => {
        for (;;) {
          try {
            // Only requests sent once draining has begun count (an answer already on the wire does not).
            const sentWhileDraining = draining;
            const answer = await get(port, '/health', busyAgent);
            if (sentWhileDraining) busyAnswers++;
            if (sentWhileDraining && answer.connection === 'close') busyClosedAnswers++;
          } catch (error) {
            busyStopped = error; // refused: the server no longer accepts connections
            return;
          }
        }
      })();
      await new Promise((resolve) => setTimeout(resolve, 50));

      const stopped = drain.start();
      draining = true;
      // 1. out of rotation at once
      const ready = await app.request('/ready');
      expect(ready.status).toBe(503);
      expect(ready.headers.get('retry-after')).toBeTruthy();
      // 2. the idle connection is closed by the server
      await closed(idle.socket);
      // 3. the busy client is told to go away and then cannot reconnect
      await busyLoop;
      expect(busyStopped).toMatchObject({ code: expect.stringMatching(/ECONNREFUSED|ECONNRESET/) });
      // Its connection was either idle between two requests (closed then) or busy (answered once more,
      // with Connection: close); never served on and on.
      expect(busyAnswers).toBeLessThanOrEqual(1);
      expect(busyClosedAnswers).toBe(busyAnswers);
      // 4. the request in flight is answered, with Connection: close, and its connection then closes
      held.shift()!();
      const answered = await inFlight;
      expect([answered.status, answered.connection]).toEqual([200, 'close']);
      await closed(answered.socket);
      // …and the server closed by itself: the 60 s grace period was not needed.
      expect(await stopped).toEqual({ forced: false });
    } finally {
      for (const agent of [idleAgent, busyAgent, heldAgent]) agent.destroy();
    }
  });

  it('cuts a request that outlives the grace period', async () => {
    const { drain, held, port, logger } = await startServer(300);
    const agent = new Agent({ keepAlive: true });
    try {
      const stuck = get(port, '/held', agent).then(
        () => 'answered',
        (error: NodeJS.ErrnoException) => error.code,
      );
      while (held.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(await drain.start()).toEqual({ forced: true });
      expect(await stuck).toBe('ECONNRESET');
      expect(logger.lines.some((l) => l.message === 'grace period over, closing remaining connections')).toBe(true);
      held.shift()!();
    } finally {
      agent.destroy();
    }
  });
});

it('the real server on SIGTERM: a busy keep-alive client is sent away, and the process stops without waiting out a 60 s grace period', async () => {
  const serverDir = path.resolve(import.meta.dirname, '../..');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'touchpoint-drain-'));
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'info', INIT_CWD: serverDir, SHUTDOWN_GRACE_MS: '60000', RESULTS_REFRESH_SECONDS: '0' };
  delete env.DATABASE_URL;
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', 'src/main.ts'], { cwd: serverDir, env });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    while (!/running at http:\/\/[^:]+:(\d+)/.test(out)) {
      if (child.exitCode !== null) throw new Error(out);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const port = Number(/running at http:\/\/[^:]+:(\d+)/.exec(out)![1]);
    const seen: string[] = [];
    let signalled = false;
    const busy = (async () => {
      for (;;) {
        try {
          const answer = await get(port, '/ready', agent);
          if (signalled) seen.push(`${answer.status} ${answer.connection}`);
        } catch (error) {
          return (error as NodeJS.ErrnoException).code;
        }
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 200));
    signalled = true;
    child.kill('SIGTERM');
    // The busy client is refused or reset soon: never served on until the grace period ends.
    expect(await busy).toMatch(/ECONNREFUSED|ECONNRESET/);
    // Answers sent before the server handled the signal are plain 200s; the first one after is the
    // last: 503 with Connection: close (or the connection was idle and is simply closed).
    expect(seen.join(',')).toMatch(/^(200 keep-alive,)*(200 keep-alive|503 close)?$/);
    expect(await exit).toBe(0);
    const stopped = out.split('\n').filter((l) => l.includes('"message":"stopped"'));
    expect(stopped.map((l) => JSON.parse(l).forcedAfterGrace)).toEqual([false]);
  } finally {
    agent.destroy();
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
}, 120_000);
