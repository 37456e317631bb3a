/**
 * `npm run demo` (options: `npm run demo -w server -- --visitors 30000 --seed 15`; through the root
 * script npm would take `--seed` for its own option): seeds the demo shop into the database the
 * server uses (same DATABASE_URL / DATA_DIR selection), after migrating it and creating the first
 * keys if the database is new (printed once, as the server does on its first start).
 */
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.js';
import { connect } from '../db/connect.js';
import { migrateToLatest } from '../db/migrate.js';
import { DataDirInUseError } from '../db/pglite-lock.js';
import { createLogger } from '../http/logger.js';
import { bootstrapKeys } from '../keys/bootstrap.js';
import { DEFAULT_SEED, DEFAULT_VISITORS, formatDemoSummary, seedDemo } from './seed.js';
import { openEventStore } from '../events/open-event-store.js';

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

const { values } = parseArgs({ options: { visitors: { type: 'string' }, seed: { type: 'string' } } });
const integer = (raw: string | undefined, name: string, fallback: number, min: number, max: number) => {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) fail(`--${name} must be an integer between ${min} and ${max}`);
  return n;
};
const visitors = integer(values.visitors, 'visitors', DEFAULT_VISITORS, 100, 1_000_000);
const seed = integer(values.seed, 'seed', DEFAULT_SEED, 0, 2 ** 32 - 1);

let config;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) fail(`Configuration error: ${error.message}`);
  throw error;
}
// Seeding writes hundreds of thousands of rows in large statements: no request deadline applies.
const handle = await connect({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, statementTimeoutMs: 0 }).catch((error: unknown) =>
  fail(
    error instanceof DataDirInUseError
      ? // The embedded database belongs to one process: with the server running, the demo cannot write to it.
        `The demo did not run: ${error.message}.\nStop the server and run \`npm run demo\` again, or start the server with \`DEMO=1 npm start\` (it seeds on start).`
      : `Cannot open the database (${config.databaseUrl ? 'DATABASE_URL' : config.dataDir}): ${String(error)}`,
  ),
);
try {
  await migrateToLatest(handle.db);
  process.stdout.write(`Database: ${handle.engine === 'pglite' ? `embedded PGlite in ${handle.location}` : `PostgreSQL ${handle.location}`}\n`);
  const { created } = await bootstrapKeys(handle.db, config.adminKey);
  if (created.length) {
    process.stdout.write('API keys created now. Copy them: they are shown only this once and stored only as hashes.\n');
    for (const key of created) process.stdout.write(`  ${key.kind === 'admin' ? 'Admin key' : 'SDK key  '}: ${key.preset ? '(the ADMIN_KEY you set)' : key.secret}\n`);
  }
  const logger = createLogger('warn', (line) => process.stderr.write(`${line}\n`));
  // EVENT_STORE=clickhouse: the traffic goes where the server will read it.
  const events = config.eventStore.kind === 'clickhouse' ? await openEventStore(config.eventStore, handle.db, logger) : undefined;
  try {
    const summary = await seedDemo({ db: handle.db, logger, events }, { visitors, seed });
    process.stdout.write(formatDemoSummary(summary));
    if (summary.status === 'seeded') {
      process.stdout.write('Start the server with `npm start` and open the experiments in the dashboard.\n');
      // Signing in: the server's banner has the way in (this process cannot print a setup link: the
      // server's start would withdraw it and print its own).
      process.stdout.write('Sign in with the one-time setup link its banner prints (no user yet), or start it with ADMIN_EMAIL and ADMIN_PASSWORD.\n');
    }
  } finally {
    await events?.close();
  }
} catch (error) {
  process.stderr.write(`Demo seeding failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  await handle.close();
}
