import { describe } from 'vitest';
import { type ConnectOptions, type DatabaseHandle, connect } from '../db/connect.js';
import { migrateToLatest } from '../db/migrate.js';
import { type TcpProxy, startTcpProxy } from '../events/tcp-proxy.js';
import { createPostgresDatabase } from '../test/engines.js';

/** The PostgreSQL of the test run (CI sets DATABASE_URL), or undefined. */
export const postgresUrl = process.env.DATABASE_URL || undefined;

/**
 * A suite that needs a real PostgreSQL server (a TCP connection to black-hole, two sessions that
 * deadlock, an advisory lock shared by two instances). Without DATABASE_URL it is skipped, and its
 * name says why in the test report.
 */
export function describePostgres(name: string, suite: () => void): void {
  if (postgresUrl) return void describe(`${name} [postgres]`, suite);
  process.stdout.write(`[touchpoint] skipped "${name}": it needs PostgreSQL; set DATABASE_URL to run it\n`);
  describe.skip(`${name} [postgres] — skipped: set DATABASE_URL to run it`, suite);
}

export interface TestDatabase {
  url: string;
  /** A pool on it, opened with `options`. */
  open(options?: Omit<ConnectOptions, 'databaseUrl'>): Promise<DatabaseHandle>;
  /** A pool that reaches it through a TCP proxy the test can cut or black-hole. */
  openProxied(options?: Omit<ConnectOptions, 'databaseUrl'>): Promise<{ handle: DatabaseHandle; proxy: TcpProxy }>;
  /** Closes every pool and proxy opened, then drops the database. */
  drop(): Promise<void>;
}

/** A fresh, migrated database next to DATABASE_URL's, for one suite. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const created = await createPostgresDatabase(postgresUrl!);
  const opened: Array<() => Promise<void>> = [];
  const open = async (options: Omit<ConnectOptions, 'databaseUrl'> = {}, url = created.url) => {
    const handle = await connect({ poolSize: 4, ...options, databaseUrl: url });
    opened.push(() => handle.close());
    return handle;
  };
  const migrator = await open({ statementTimeoutMs: 0 });
  await migrateToLatest(migrator.db);
  return {
    url: created.url,
    open,
    openProxied: async (options = {}) => {
      const target = new URL(created.url);
      const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
      opened.push(() => proxy.close());
      const via = new URL(created.url);
      via.hostname = '127.0.0.1';
      via.port = String(proxy.port);
      return { handle: await open(options, via.toString()), proxy };
    },
    drop: async () => {
      for (const close of opened.reverse()) await close().catch(() => {});
      await created.drop();
    },
  };
}
