/**
 * `npm run worker -w server`: a separate ingestion writer process (design.md §12). It consumes the
 * JetStream ingestion stream (INGEST_QUEUE) into the database of DATABASE_URL and does nothing else;
 * run as many as the database takes. SIGTERM/SIGINT: the batch in hand is committed and acknowledged
 * (or handed back), then it exits.
 */
import { ConfigError, loadConfig } from '../config.js';
import { connect } from '../db/connect.js';
import { migrateToLatest } from '../db/migrate.js';
import { createLogger } from '../http/logger.js';
import { startIngestQueue } from './ingest-queue.js';
import { openEventStore } from '../events/open-event-store.js';

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

let config;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) fail(`Configuration error: ${error.message}`);
  throw error;
}
if (!config.ingestQueue) fail('The worker needs INGEST_QUEUE (the NATS servers of the ingestion stream).');
// PGlite lives inside one process: the server's own writers (INGEST_QUEUE_WRITERS) consume then.
if (!config.databaseUrl) fail('The worker needs DATABASE_URL: a separate writer must reach a shared PostgreSQL.');
const logger = createLogger(config.logLevel);
const handle = await connect({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, statementTimeoutMs: config.dbStatementTimeoutMs });
// Usually a no-op (the servers migrate): a worker started first still finds its tables.
const maintenance = await handle.withDeadline(0);
await migrateToLatest(maintenance.db);
await maintenance.close();
// EVENT_STORE: the items go where the servers read them (ClickHouse's schema migrated if need be).
const events = await openEventStore(config.eventStore, handle.db, logger).catch((error: unknown) => fail(`Cannot open the event store (EVENT_STORE=${config.eventStore.kind}): ${String(error)}`));
const writers = Math.max(1, config.ingestQueueWriters);
const queue = await startIngestQueue({ servers: config.ingestQueue, stream: config.ingestStream, replicas: config.ingestReplicas, ackWaitMs: config.ingestAckWaitSeconds * 1000, logger, db: handle.db, store: events, writers });
process.stdout.write(`Touchpoint ingestion worker: ${writers} writer(s) on stream ${config.ingestStream}\n`);

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  logger.info('worker stopping', { signal });
  await queue.stop();
  await events.close();
  await handle.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
