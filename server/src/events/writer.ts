import { type AppDeps, eventStoreOf } from '../http/context.js';
import { ProblemError } from '../http/problem.js';
import { watchIngestQueue } from '../telemetry/metrics.js';
import type { BatchPart, StoreResult } from './repository.js';
import { createWriteCoalescer } from './write-coalescer.js';

/**
 * Group-commit writers by default (INGEST_WRITERS overrides). Fewer writers make larger groups, and a
 * larger group costs less CPU per item in Node and in PostgreSQL; two still overlap one write's round
 * trip with the next. On the 2-core bench machine 2 writers used about 10 % less CPU per item than 4
 * (bench/ingest.bench.ts, BENCH_WRITERS). A PostgreSQL with more cores may take more.
 */
export const INGEST_WRITERS = 2;
/** Items per group write: the JSON parameter stays around a megabyte. */
const MAX_ITEMS_PER_WRITE = 5000;
/**
 * Items allowed to wait for a writer: ten full group writes, a few seconds of a busy database. Past
 * that, requests are refused with 503 + Retry-After (the SDK keeps its items and retries) rather than
 * held in memory while the database falls further behind.
 */
const MAX_WAITING_ITEMS = 10 * MAX_ITEMS_PER_WRITE;

export type IngestWriter = (part: BatchPart) => Promise<StoreResult>;

/**
 * The one way exposures and events reach the event store (POST /sdk/events and the exposures that
 * POST /sdk/assign logs): concurrent requests share writes (write-coalescer.ts), each answered after
 * its own commit. A request with nothing valid to write does not wait for a writer.
 */
export function createIngestWriter(deps: Pick<AppDeps, 'db' | 'events' | 'ingestWriters'>): IngestWriter {
  const events = eventStoreOf(deps);
  const store = createWriteCoalescer<BatchPart, StoreResult>((parts) => events.storeBatches(parts), {
    maxConcurrent: deps.ingestWriters ?? INGEST_WRITERS,
    maxItems: MAX_ITEMS_PER_WRITE,
    size: (part) => part.events.length + part.exposures.length + (part.aliases?.length ?? 0),
    isUnavailable: (error) => events.isUnavailable(error),
    maxWaitingItems: MAX_WAITING_ITEMS,
    overloaded: () => new ProblemError('service-unavailable', 'Ingestion is saturated; retry later.', { headers: { 'Retry-After': '2' } }),
  });
  // Items handed over and not yet committed, for touchpoint_ingest_queue_items (GET /metrics).
  let pending = 0;
  const probe = { depth: () => pending };
  watchIngestQueue(probe);
  return async (part) => {
    const size = part.events.length + part.exposures.length + (part.aliases?.length ?? 0);
    if (size === 0) return { accepted: 0, duplicates: 0 };
    void probe; // held by this closure: the queue is counted for as long as the writer lives
    pending += size;
    try {
      return await store(part);
    } finally {
      pending -= size;
    }
  };
}
