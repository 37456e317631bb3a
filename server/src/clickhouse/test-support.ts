import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe } from 'vitest';
import { findExecutable } from '../test/executable.js';

const run = promisify(execFile);
const script = path.resolve(import.meta.dirname, '../../../scripts/engines/clickhouse.sh');

/** clickhouse-server: CLICKHOUSE_SERVER, else PATH, else Debian's /usr/sbin/clickhouse-server. */
export const clickhouseServerBin: string | undefined = findExecutable('CLICKHOUSE_SERVER', 'clickhouse-server');

/** A suite that needs ClickHouse (two local shards it starts itself); skipped by name without clickhouse-server. */
export function describeClickHouse(name: string, suite: () => void): void {
  if (clickhouseServerBin) return void describe(`${name} [clickhouse, 2 shards]`, suite);
  process.stdout.write(`[touchpoint] skipped "${name}": it needs clickhouse-server (apt-get install clickhouse-server, or CLICKHOUSE_SERVER=…)\n`);
  describe.skip(`${name} [clickhouse] — skipped: needs clickhouse-server`, suite);
}

export interface ClickHouseCluster {
  /** HTTP URL of each shard. */
  urls: string[];
  /** The cluster both servers know (remote_servers). */
  cluster: string;
  stop(): Promise<void>;
}

const portFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

/** Two servers, one shard each, on ports of their own (scripts/engines/clickhouse.sh). */
export async function startClickHouse(): Promise<ClickHouseCluster> {
  const dir = mkdtempSync(path.join(tmpdir(), 'touchpoint-ch-'));
  let base = 0;
  for (let attempt = 0; attempt < 50 && base === 0; attempt++) {
    const candidate = 40_000 + Math.floor(Math.random() * 2000) * 10;
    const ports = [11, 12, 13, 21, 22, 23].map((offset) => candidate + offset);
    if ((await Promise.all(ports.map(portFree))).every(Boolean)) base = candidate;
  }
  if (base === 0) throw new Error('no free ports for ClickHouse');
  const env = { ...process.env, CLICKHOUSE_SERVER: clickhouseServerBin! };
  await run(script, ['start', dir, String(base)], { env });
  return {
    urls: [`http://127.0.0.1:${base + 11}`, `http://127.0.0.1:${base + 21}`],
    cluster: 'touchpoint_test',
    stop: async () => void (await run(script, ['stop', dir], { env })),
  };
}
