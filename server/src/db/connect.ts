import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import type { Database } from './schema.js';

export type Engine = 'pglite' | 'postgres';

export interface DatabaseHandle {
  db: Kysely<Database>;
  engine: Engine;
  /** Human-readable location, without credentials, for logs. */
  location: string;
  close(): Promise<void>;
  /** PGlite only: the whole data directory as a tarball (used to make test templates). */
  dumpDataDir?: () => Promise<Blob>;
}

export interface ConnectOptions {
  databaseUrl?: string | undefined;
  /** PGlite directory, or `memory://` for a throw-away database. */
  dataDir?: string;
  /** A PGlite data directory dump to start from (tests load a migrated template: much faster than initdb). */
  loadDataDir?: Blob | File;
  /** PostgreSQL pool size. */
  poolSize?: number;
}

// int8 (counts, bigserial ids) and numeric come back as strings from PostgreSQL; we parse them once,
// here, so that both engines hand the application plain numbers. All our int8 values stay far below 2^53.
const INT8 = 20;
const NUMERIC = 1700;
const toNumber = (value: string): number => Number(value);

export async function connect(options: ConnectOptions): Promise<DatabaseHandle> {
  if (options.databaseUrl) return connectPostgres(options.databaseUrl, options.poolSize ?? 10);
  return connectPglite(options.dataDir ?? 'memory://', options.loadDataDir);
}

async function connectPostgres(databaseUrl: string, poolSize: number): Promise<DatabaseHandle> {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: poolSize,
    connectionTimeoutMillis: 5_000,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8 || oid === NUMERIC ? toNumber : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // A client that loses its server emits 'error' — on the pool when idle, on the client itself when
  // checked out. Without listeners that is an uncaught exception that kills the process; the failed
  // query still rejects, so the request still gets its 503.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, engine: 'postgres', location: redact(databaseUrl), close: () => db.destroy() };
}

async function connectPglite(dataDir: string, loadDataDir?: Blob | File): Promise<DatabaseHandle> {
  if (!dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true });
  const pglite = await PGlite.create(dataDir, {
    ...(loadDataDir ? { loadDataDir } : {}),
    parsers: { [INT8]: toNumber, [NUMERIC]: toNumber },
  });
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  return {
    db,
    engine: 'pglite',
    location: dataDir,
    dumpDataDir: async () => (await pglite.dumpDataDir('none')) as Blob,
    close: async () => {
      await db.destroy();
      if (!pglite.closed) await pglite.close();
    },
  };
}

function redact(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return 'postgres (unparseable URL)';
  }
}
