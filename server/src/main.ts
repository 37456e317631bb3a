import { serve } from '@hono/node-server';
import type { ServerType } from '@hono/node-server';
import type { Server } from 'node:http';
import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { connect } from './db/connect.js';
import { MigrationError, migrateToLatest } from './db/migrate.js';
import { DataDirInUseError } from './db/pglite-lock.js';
import { createLeadership, sharedLeadership } from './db/leader-lock.js';
import { type Drain, createDrain } from './http/drain.js';
import { createLogger } from './http/logger.js';
import { bootstrapKeys } from './keys/bootstrap.js';
import { bootstrapPeople, signInLines } from './auth/bootstrap.js';
import { startResultsScheduler } from './results/scheduler.js';
import { startWebhookWorker } from './webhooks/worker.js';
import { watchPool } from './telemetry/metrics.js';
import { seedDemo } from './demo/seed.js';
import { startIngestQueue } from './queue/ingest-queue.js';
import { openEventStore } from './events/open-event-store.js';

/** Start-up: config → database → migrations → bootstrap keys → HTTP; shutdown in the reverse order. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) fail(`Configuration error: ${error.message}`);
    throw error;
  }
  const logger = createLogger(config.logLevel);
  const handle = await connect({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, statementTimeoutMs: config.dbStatementTimeoutMs }).catch((error: unknown) =>
    fail(
      error instanceof DataDirInUseError
        ? `Touchpoint did not start: ${error.message}.`
        : `Cannot open the database (${config.databaseUrl ? 'DATABASE_URL' : config.dataDir}): ${String(error)}`,
    ),
  );
  // Migrations and demo seeding run without a statement deadline: waiting for another instance's
  // migration lock, or building an index on a large table, may take longer than any request should.
  const maintenance = await handle.withDeadline(0);
  try {
    const applied = await migrateToLatest(maintenance.db);
    if (applied.length) logger.info('migrations applied', { migrations: applied });
  } catch (error) {
    await maintenance.close().catch(() => {});
    await handle.close().catch(() => {});
    if (error instanceof MigrationError) fail(`${error.message}\nThe server did not start. Fix the database or the migration, then start again.`);
    fail(`Cannot migrate the database: ${String(error)}`);
  }

  const { created } = await bootstrapKeys(handle.db, config.adminKey);
  const people = await bootstrapPeople(handle.db, { email: config.adminEmail, password: config.adminPassword }, new Date());
  watchPool({ stats: () => handle.poolStats?.() });
  // EVENT_STORE (design.md §12): where exposures and events live; ClickHouse's schema is migrated here.
  const events = await openEventStore(config.eventStore, handle.db, logger).catch(async (error: unknown) => {
    await maintenance.close().catch(() => {});
    await handle.close().catch(() => {});
    return fail(`Cannot open the event store (EVENT_STORE=${config.eventStore.kind}, CLICKHOUSE_URL): ${String(error)}`);
  });
  // DEMO=1: after bootstrap (the demo's own temporary keys must not count as "the first keys"). Its
  // traffic goes to the configured event store (the maintenance connection's tables by default).
  if (config.demo) await seedDemo({ db: maintenance.db, logger, events: events.kind === 'clickhouse' ? events : undefined });
  await maintenance.close();
  // INGEST_QUEUE (design.md §12): /sdk/events answers once JetStream holds the items; this server's
  // own writers (INGEST_QUEUE_WRITERS, and any `npm run worker`) store them.
  const queue = config.ingestQueue
    ? await startIngestQueue({ servers: config.ingestQueue, stream: config.ingestStream, replicas: config.ingestReplicas, ackWaitMs: config.ingestAckWaitSeconds * 1000, logger, db: handle.db, store: events, writers: config.ingestQueueWriters }).catch((error: unknown) =>
        fail(`Cannot open the ingestion queue (INGEST_QUEUE): ${String(error)}`),
      )
    : undefined;
  let drain: Drain | undefined;
  const app = createApp({ ingest: queue?.ingest, events, db: handle.db, changes: handle.changes, logger, now: () => new Date(), maxBodyBytes: config.maxBodyBytes, dashboardDir: config.dashboardDir, ingestWriters: config.ingestWriters, rateLimits: config.rateLimits, access: config.access, metricsToken: config.metricsToken, webhookAllowPrivate: config.webhookAllowPrivate, draining: () => drain?.draining() ?? false });
  // Results snapshots of running experiments are refreshed in the background, so opening an
  // experiment page reads a snapshot instead of rescanning every event. Background jobs have their own
  // connection and deadline (DB_JOB_TIMEOUT_MS: a full refresh of a large experiment is one long
  // scan), and run on one instance at a time (db/leader-lock.ts).
  const jobs = await handle.withDeadline(config.dbJobTimeoutMs, 1);
  // One leader lock for every background job: the instance that refreshes results also sends webhooks.
  const leadership = sharedLeadership(createLeadership(handle, logger));
  const stopResults = config.resultsRefreshSeconds > 0
    ? startResultsScheduler({ db: jobs.db, events, logger, now: () => new Date() }, { intervalMs: config.resultsRefreshSeconds * 1000, leadership })
    : async () => {};
  // The webhook outbox (webhooks/worker.ts) uses the request pool: its statements are short.
  const stopWebhooks = startWebhookWorker({ db: handle.db, logger, now: () => new Date(), allowPrivate: config.webhookAllowPrivate }, { leadership });
  const stopScheduler = async () => {
    await Promise.all([stopResults(), stopWebhooks()]);
  };

  const server: ServerType = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) => {
    const url = `http://${info.address.includes(':') ? `[${info.address}]` : info.address}:${info.port}`;
    const lines = [
      '',
      `  Touchpoint is running at ${url}`,
      `  Database: ${handle.engine === 'pglite' ? `embedded PGlite in ${handle.location}` : `PostgreSQL ${handle.location}`}`,
      ...(config.eventStore.kind === 'clickhouse' ? [`  Events: ClickHouse, ${config.eventStore.urls.length} shard(s)${config.eventStore.cluster ? ` of cluster ${config.eventStore.cluster}` : ''}`] : []),
      ...(config.ingestQueue ? [`  Ingestion: JetStream stream ${config.ingestStream} (${config.ingestQueueWriters} writer(s) here)`] : []),
      `  API docs: ${url}/openapi.json`,
      '',
      ...signInLines(people, config.access.publicUrl ?? url),
    ];
    if (created.length) {
      lines.push('', '  API keys created now. Copy them: they are shown only this once and stored only as hashes.');
      for (const key of created) lines.push(`    ${key.kind === 'admin' ? 'Admin key' : 'SDK key  '}: ${key.preset ? '(the ADMIN_KEY you set)' : key.secret}`);
    }
    lines.push('');
    process.stdout.write(`${lines.join('\n')}\n`);
  });
  server.on('error', (error) => fail(`Cannot listen on ${config.host}:${config.port}: ${error.message}`));
  drain = createDrain(server as Server, { graceMs: config.shutdownGraceMs, logger });
  // Requests Node's HTTP parser rejects (bad framing, a body longer than its Content-Length…) never
  // reach the app; answer them with a problem document too instead of a bare "400 Bad Request".
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable || error.code === 'ECONNRESET') return void socket.destroy();
    const body = JSON.stringify({ type: '/problems/malformed-request', title: 'Malformed request', status: 400, detail: 'The HTTP request could not be parsed.' });
    socket.end(`HTTP/1.1 400 Bad Request\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    // /ready → 503, stop accepting, close idle keep-alive connections, `Connection: close` on the rest,
    // cut at the grace period (http/drain.ts). The scheduler's tick in progress gets the same grace.
    const grace = new Promise((resolve) => setTimeout(resolve, config.shutdownGraceMs).unref());
    const [{ forced }] = await Promise.all([drain!.start(), Promise.race([stopScheduler(), grace])]);
    // After the last request: every item acknowledged to a client is in the stream already.
    await Promise.race([queue?.stop(), grace]);
    await events.close().catch((error: unknown) => logger.error('event store close failed', { error: String(error) }));
    for (const pool of [jobs, handle]) await pool.close().catch((error: unknown) => logger.error('database close failed', { error: String(error) }));
    logger.info('stopped', { forcedAfterGrace: forced });
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

await main();
