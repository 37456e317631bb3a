import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe } from 'vitest';
import { natsServerBin } from '../queue/test-support.js';
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

/** A suite that needs a JetStream cluster and ClickHouse (it starts both); skipped by name without either server. */
export function describeQueueIntoClickHouse(name: string, suite: () => void): void {
  const missing = [!natsServerBin && 'nats-server', !clickhouseServerBin && 'clickhouse-server'].filter(Boolean);
  if (!missing.length) return void describe(`${name} [jetstream cluster, clickhouse 2 shards]`, suite);
  process.stdout.write(`[touchpoint] skipped "${name}": it needs ${missing.join(' and ')}\n`);
  describe.skip(`${name} — skipped: needs ${missing.join(' and ')}`, suite);
}

/**
 * Where two results documents differ: numbers equal to 1e-9 (relative above 1, absolute below),
 * everything else exactly; the path of each difference (empty: equal).
 */
export function differences(a: unknown, b: unknown, path = '$'): string[] {
  if (typeof a === 'number' && typeof b === 'number') {
    return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b)) ? [] : [`${path}: ${a} vs ${b}`];
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return [`${path}: length ${a.length} vs ${b.length}`];
    return a.flatMap((x, i) => differences(x, b[i], `${path}[${i}]`));
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((k) => differences((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`));
  }
  return Object.is(a, b) ? [] : [`${path}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`];
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
