import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe } from 'vitest';
import { findExecutable } from '../test/executable.js';
import { postgresUrl } from '../reliability/postgres-support.js';

const run = promisify(execFile);
const script = path.resolve(import.meta.dirname, '../../../scripts/engines/nats-cluster.sh');

/** nats-server: NATS_SERVER, else PATH, else Debian's /usr/sbin/nats-server. */
export const natsServerBin: string | undefined = findExecutable('NATS_SERVER', 'nats-server');

/**
 * A suite that needs a 3-node JetStream cluster (started by the suite, scripts/engines/nats-cluster.sh)
 * and PostgreSQL (writer processes share it). Skipped, by name, when either is missing.
 */
export function describeJetStream(name: string, suite: () => void): void {
  const missing = [!natsServerBin && 'nats-server (apt-get install nats-server, or NATS_SERVER=…)', !postgresUrl && 'PostgreSQL (DATABASE_URL)'].filter(Boolean);
  if (missing.length === 0) return void describe(`${name} [jetstream cluster]`, suite);
  process.stdout.write(`[touchpoint] skipped "${name}": it needs ${missing.join(' and ')}\n`);
  describe.skip(`${name} [jetstream cluster] — skipped: needs ${missing.join(' and ')}`, suite);
}

export interface NatsCluster {
  servers: string[];
  /** SIGKILL node 1–3 (a crash) / start it again on its store. */
  kill(node: number): Promise<void>;
  restart(node: number): Promise<void>;
  stop(): Promise<void>;
}

const portFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

/** A cluster of three on ports of its own (clients base+1..3, routes +11..13, monitoring +21..23). */
export async function startNatsCluster(): Promise<NatsCluster> {
  const dir = mkdtempSync(path.join(tmpdir(), 'touchpoint-nats-'));
  let base = 0;
  for (let attempt = 0; attempt < 50 && base === 0; attempt++) {
    const candidate = 30_000 + Math.floor(Math.random() * 2500) * 10;
    const ports = [1, 2, 3, 11, 12, 13, 21, 22, 23].map((offset) => candidate + offset);
    if ((await Promise.all(ports.map(portFree))).every(Boolean)) base = candidate;
  }
  if (base === 0) throw new Error('no free ports for a NATS cluster');
  const env = { ...process.env, NATS_SERVER: natsServerBin! };
  const { stdout } = await run(script, ['start', dir, String(base)], { env });
  return {
    servers: stdout.trim().split(','),
    kill: async (node) => void (await run(script, ['kill', dir, String(node)], { env })),
    restart: async (node) => void (await run(script, ['restart', dir, String(node)], { env })),
    stop: async () => void (await run(script, ['stop', dir], { env })),
  };
}
