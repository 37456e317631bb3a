import type { Kysely } from 'kysely';
import type { EventStoreConfig } from '../config.js';
import type { Database } from '../db/schema.js';
import type { Logger } from '../http/logger.js';
import { type EventStore, postgresEventStore } from './event-store.js';

/**
 * The event store EVENT_STORE names (config.ts): the catalog's own tables, or ClickHouse with its schema
 * migrated (its client is loaded only then). `db` is the catalog's request pool.
 */
export async function openEventStore(config: EventStoreConfig, db: Kysely<Database>, logger: Logger): Promise<EventStore> {
  if (config.kind === 'postgres') return postgresEventStore(db);
  const { openClickHouseEventStore } = await import('../clickhouse/event-store.js');
  const store = await openClickHouseEventStore({ urls: config.urls, cluster: config.cluster }, db);
  if (store.migrationsApplied.length) logger.info('clickhouse migrations applied', { migrations: store.migrationsApplied });
  return store;
}
