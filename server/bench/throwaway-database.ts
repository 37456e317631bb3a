/**
 * A bench's own PostgreSQL database, created empty next to the one in DATABASE_URL (on the same server,
 * through it), so that a bench never touches real data, and dropped afterwards `with (force)`: a
 * connection the bench left open (a killed child server's pool) does not keep it.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface ThrowawayDatabase {
  /** `touchpoint_bench_<label>_<time>_<random>`: a name no two runs share, that says who left it. */
  name: string;
  /** DATABASE_URL with this database in its path. */
  url: string;
  drop(): Promise<void>;
}

/** One statement on its own connection to `url`. */
async function run(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** `baseUrl` with database `name` (one of ours, kept by an earlier run: BENCH_KEEP, BENCH_REUSE); dropping it is up to the caller. */
export function benchDatabase(baseUrl: string, name: string): ThrowawayDatabase {
  if (!/^touchpoint_bench_\w+$/.test(name)) throw new Error(`not a touchpoint_bench_… database (one a bench created and kept): ${name}`);
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return { name, url: url.toString(), drop: () => run(baseUrl, `drop database if exists ${name} with (force)`) };
}

/** Creates the database (`label`: which bench, in its name). */
export async function createThrowawayDatabase(baseUrl: string, label: string): Promise<ThrowawayDatabase> {
  const database = benchDatabase(baseUrl, `touchpoint_bench_${label}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`);
  await run(baseUrl, `create database ${database.name}`);
  return database;
}
