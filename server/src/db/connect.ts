import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import type { Database } from './schema.js';
import { lockDataDir } from './pglite-lock.js';
import { DEFAULT_STATEMENT_TIMEOUT_MS, type Deadlines, deadlinesFor, withDeadlineRecovery } from './deadlines.js';
import { redactDatabaseUrl } from '../http/redact.js';
import { type ChangeFeed, createPgliteChangeFeed, createPostgresChangeFeed, registerChangeFeed } from './change-feed.js';

export type Engine = 'pglite' | 'postgres';

export interface DatabaseHandle {
  db: Kysely<Database>;
  engine: Engine;
  /** Human-readable location, without credentials, for logs. */
  location: string;
  close(): Promise<void>;
  /**
   * Another pool on the same PostgreSQL database with its own statement deadline (0 = none): for
   * migrations (a lock wait or an index build may take minutes) and background jobs. PGlite is one
   * in-process database: the same handle, and its close() closes nothing.
   */
  withDeadline(statementTimeoutMs: number, poolSize?: number): Promise<DatabaseHandle>;
  /** PostgreSQL only: a connection of its own, outside the pool, with the same deadlines (a session-level advisory lock lives on one). */
  openSession?: () => Promise<pg.Client>;
  /** PGlite only: the whole data directory as a tarball (used to make test templates). */
  dumpDataDir?: () => Promise<Blob>;
  /** Change notifications of this database (change-feed.ts); the listener connection opens on first subscribe and closes with the handle. */
  changes: ChangeFeed;
  /** PostgreSQL only: the pool's connections (open, idle) and requests waiting for one, for GET /metrics. */
  poolStats?: () => { total: number; idle: number; waiting: number };
}

export interface ConnectOptions {
  databaseUrl?: string | undefined;
  /** PGlite directory, or `memory://` for a throw-away database. */
  dataDir?: string;
  /** A PGlite data directory dump to start from (tests load a migrated template: much faster than initdb). */
  loadDataDir?: Blob | File;
  /** PostgreSQL pool size. */
  poolSize?: number;
  /**
   * PostgreSQL: the deadline of every statement, in milliseconds (DB_STATEMENT_TIMEOUT_MS; default
   * 5 s; 0 = none). See deadlines.ts for what it sets. PGlite runs in-process: no network to lose.
   */
  statementTimeoutMs?: number;
}


// int8 (counts, bigserial ids) and numeric come back as strings from PostgreSQL; we parse them once,
// here, so that both engines hand the application plain numbers. All our int8 values stay far below 2^53.
const INT8 = 20;
const NUMERIC = 1700;
const toNumber = (value: string): number => Number(value);

export async function connect(options: ConnectOptions): Promise<DatabaseHandle> {
  if (options.databaseUrl) return connectPostgres(options.databaseUrl, options.poolSize ?? 10, deadlinesFor(options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS));
  return connectPglite(options.dataDir ?? 'memory://', options.loadDataDir);
}

const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8 || oid === NUMERIC ? toNumber : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

async function connectPostgres(databaseUrl: string, poolSize: number, deadlines: Deadlines): Promise<DatabaseHandle> {
  // Values in DATABASE_URL's query string (…?statement_timeout=…) take precedence over these.
  const clientConfig = { connectionString: databaseUrl, types, ...deadlines.client };
  const pool = new pg.Pool({ ...clientConfig, max: poolSize, connectionTimeoutMillis: deadlines.acquireMs });
  // A client that loses its server emits 'error' — on the pool when idle, on the client itself when
  // checked out. Without listeners that is an uncaught exception that kills the process; the failed
  // query still rejects, so the request still gets its 503.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: withDeadlineRecovery(pool) }) });
  const openSession = async () => {
    const client = new pg.Client({ ...clientConfig, connectionTimeoutMillis: deadlines.acquireMs });
    client.on('error', () => {});
    await client.connect();
    return client;
  };
  const changes = createPostgresChangeFeed(openSession);
  registerChangeFeed(db, changes);
  return {
    db,
    engine: 'postgres',
    location: redactDatabaseUrl(databaseUrl),
    changes,
    close: async () => {
      await changes.close();
      await db.destroy();
    },
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    withDeadline: (statementTimeoutMs, size = 1) => connectPostgres(databaseUrl, size, deadlinesFor(statementTimeoutMs)),
    openSession,
  };
}

async function connectPglite(dataDir: string, loadDataDir?: Blob | File): Promise<DatabaseHandle> {
  let unlock = () => {};
  if (!dataDir.startsWith('memory://')) {
    mkdirSync(dataDir, { recursive: true });
    // Before PGlite touches a file: a second process must not open the same directory (pglite-lock.ts).
    unlock = lockDataDir(dataDir);
  }
  const pglite = await PGlite.create(dataDir, {
    ...(loadDataDir ? { loadDataDir } : {}),
    parsers: { [INT8]: toNumber, [NUMERIC]: toNumber },
  }).catch((error: unknown) => {
    unlock();
    throw error;
  });
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  const changes = createPgliteChangeFeed(pglite);
  registerChangeFeed(db, changes);
  const handle: DatabaseHandle = {
    db,
    engine: 'pglite',
    location: dataDir,
    changes,
    withDeadline: async () => ({ db, engine: 'pglite', location: dataDir, changes, close: async () => {}, withDeadline: handle.withDeadline }),
    dumpDataDir: async () => (await pglite.dumpDataDir('none')) as Blob,
    close: async () => {
      await changes.close();
      await db.destroy();
      if (!pglite.closed) await pglite.close();
      unlock();
    },
  };
  return handle;
}
