import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { connect } from '../db/connect.js';
import { migrateToLatest } from '../db/migrate.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
    databaseEngines: string[];
  }
}

/**
 * Runs once per `vitest run`: migrates one PGlite database and dumps it, so every test file starts
 * from a copy in under a second instead of running initdb (~6 s) itself — the template-database
 * approach, on the embedded engine.
 */
export default async function setup(project: TestProject): Promise<() => void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'touchpoint-pglite-'));
  const file = path.join(dir, 'template.tar');
  const handle = await connect({ dataDir: 'memory://' });
  await migrateToLatest(handle.db);
  const dump = await handle.dumpDataDir!();
  writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  await handle.close();
  const engines = ['pglite', ...(process.env.DATABASE_URL ? ['postgres'] : [])];
  project.provide('pgliteTemplate', file);
  project.provide('databaseEngines', engines);
  const where = process.env.DATABASE_URL ? ` and PostgreSQL (${new URL(process.env.DATABASE_URL).host})` : ' only (set DATABASE_URL to add PostgreSQL)';
  process.stdout.write(`\n[touchpoint] database tests run on: PGlite${where}\n\n`);
  return () => rmSync(dir, { recursive: true, force: true });
}
