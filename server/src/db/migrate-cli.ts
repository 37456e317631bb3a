import { loadConfig } from '../config.js';
import { connect } from './connect.js';
import { migrateDown, migrateToLatest } from './migrate.js';

// `npm run migrate` / `npm run migrate:down`: same database selection as the server.
const direction = process.argv[2] === 'down' ? 'down' : 'up';
const config = loadConfig();
// Migrations run without a statement deadline (an index build on a large table may take minutes).
const handle = await connect({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, statementTimeoutMs: 0 });
try {
  const applied = direction === 'up' ? await migrateToLatest(handle.db) : await migrateDown(handle.db);
  const verb = direction === 'up' ? 'applied' : 'reverted';
  console.log(applied.length ? `${verb}: ${applied.join(', ')} (${handle.location})` : `nothing to do (${handle.location})`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  await handle.close();
}
