import { openAsBlob } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, inject } from 'vitest';
import { type DatabaseHandle, type Engine, connect } from '../db/connect.js';
import { migrateToLatest } from '../db/migrate.js';

/**
 * Runs a suite once per database engine: always on PGlite, and on PostgreSQL too when DATABASE_URL
 * is set. Each suite gets its own database (a PGlite copy of the migrated template, or a fresh
 * PostgreSQL database created and dropped around the suite), so files run in parallel safely.
 */
export function describeEachEngine(name: string, suite: (db: () => DatabaseHandle, engine: Engine) => void): void {
  for (const engine of inject('databaseEngines') as Engine[]) {
    describe(`${name} [${engine}]`, () => {
      let handle: DatabaseHandle | undefined;
      let dropDatabase: (() => Promise<void>) | undefined;
      beforeAll(async () => {
        if (engine === 'pglite') {
          handle = await connect({ dataDir: 'memory://', loadDataDir: await openAsBlob(inject('pgliteTemplate')) });
        } else {
          const created = await createPostgresDatabase(process.env.DATABASE_URL!);
          dropDatabase = created.drop;
          handle = await connect({ databaseUrl: created.url, poolSize: 5 });
          await migrateToLatest(handle.db);
        }
      });
      afterAll(async () => {
        await handle?.close();
        await dropDatabase?.();
      });
      suite(() => {
        if (!handle) throw new Error('database not ready');
        return handle;
      }, engine);
    });
  }
}

/** Creates a uniquely named database next to the one in `baseUrl`; `drop` removes it. */
export async function createPostgresDatabase(baseUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `touchpoint_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: baseUrl });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

export { sql };
