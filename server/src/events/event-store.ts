/**
 * The event store: where exposures and events are written on ingestion, read by the results and
 * erased on request (design.md §12). EVENT_STORE chooses the implementation once, at start-up
 * (main.ts, queue/worker-cli.ts); everything else depends on this interface only:
 * - `postgres` (default): the `events` and `exposures` tables of the catalog's database (PostgreSQL or
 *   PGlite), written by one statement per group of requests (repository.ts);
 * - `clickhouse`: ClickHouse shards (clickhouse/event-store.ts).
 * Identity links (`identify`, table `unit_aliases`) stay in the catalog's database with either store:
 * they are few (one per sign-in), their rules need a lock, and erasure follows them.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { isDatabaseUnavailable } from '../db/errors.js';
import { type EventQueries, postgresEventQueries } from '../results/compute.js';
import type { Phase } from '../results/definitions.js';
import type { ExposureDayStats } from '../results/incremental.js';
import { daysWithReceivedEvents } from '../results/refresh-repository.js';
import { type SegmentAttribute, segmentAttributes } from '../results/segment-attributes.js';
import { type BatchPart, type StoreResult, storeBatches } from './repository.js';

/** What the results read from the event store: the cold computation's queries and the refresh's. */
export interface EventReads extends EventQueries {
  /** UTC days of first exposure whose units have relevant events (or links) received since `since` (refresh-repository.ts). */
  daysWithReceivedEvents(input: Parameters<typeof daysWithReceivedEvents>[1]): Promise<string[]>;
  /**
   * Optional: an incremental refresh's exposure side when the store can tell which exposure days can
   * have changed since `since` without reading every unit (ClickHouse: items carry their receive time,
   * erasures note their days): those days, and `exposureDayStats` of those days only. Without it
   * (PostgreSQL) every refresh reads every day's (refresh.ts).
   */
  touchedExposureDayStats?(input: { experimentId: number; phases: readonly Phase[]; since: Date }): Promise<{ days: string[]; rows: ExposureDayStats[] }>;
  /** The exposure attributes the experiment can be broken down by (segment-attributes.ts). */
  segmentAttributes(experimentId: number): Promise<SegmentAttribute[]>;
}

export interface ErasedItems {
  exposuresDeleted: number;
  eventsDeleted: number;
}

export interface EventStore {
  readonly kind: 'postgres' | 'clickhouse';
  /**
   * Stores the valid items of one or more requests; each request's counts. Idempotent: an event id or
   * exposure item id already stored is a duplicate; the first stored exposure of a unit wins and a
   * second variant flags it. Resolves once the items are durable.
   */
  storeBatches(parts: readonly BatchPart[]): Promise<StoreResult[]>;
  /** Whether a failure means the store is unreachable (503 + Retry-After; queue writers keep the batch). */
  isUnavailable(error: unknown): boolean;
  /**
   * Erases every exposure and event of these unit ids. `trx` is the catalog transaction of the erasure
   * (it holds the identity-link lock and writes the audit entry): the PostgreSQL store deletes in it,
   * the ClickHouse store deletes before it commits, so a failure leaves the links and no audit entry,
   * and the erasure can simply be asked again. `erasedAt`: the request's time (the ClickHouse store
   * notes which exposure days it changed, for the incremental refresh).
   */
  eraseUnits(trx: Kysely<Database>, ids: readonly string[], erasedAt?: Date): Promise<ErasedItems>;
  /**
   * The results' reads. `db` is the catalog connection of the caller (the request pool, or the
   * background jobs' pool with its longer deadline): the PostgreSQL store reads through it.
   */
  reads(db: Kysely<Database>): EventReads;
  /** Whether the store answers (GET /ready). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Reads of the PostgreSQL/PGlite tables. */
export const postgresEventReads = (db: Kysely<Database>): EventReads => ({
  ...postgresEventQueries(db),
  daysWithReceivedEvents: (input) => daysWithReceivedEvents(db, input),
  segmentAttributes: (experimentId) => segmentAttributes(db, experimentId),
});

/** EVENT_STORE=postgres: exposures and events in the catalog's own database (`db`: the request pool). */
export function postgresEventStore(db: Kysely<Database>): EventStore {
  return {
    kind: 'postgres',
    storeBatches: (parts) => storeBatches(db, parts),
    isUnavailable: isDatabaseUnavailable,
    eraseUnits: async (trx, ids) => {
      if (ids.length === 0) return { exposuresDeleted: 0, eventsDeleted: 0 };
      const exposures = await trx.deleteFrom('exposures').where('unit_id', 'in', [...ids]).executeTakeFirst();
      const events = await trx.deleteFrom('events').where('unit_id', 'in', [...ids]).executeTakeFirst();
      return { exposuresDeleted: Number(exposures.numDeletedRows), eventsDeleted: Number(events.numDeletedRows) };
    },
    reads: postgresEventReads,
    // The catalog's readiness is checked by /ready itself.
    ping: async () => {},
    close: async () => {},
  };
}
