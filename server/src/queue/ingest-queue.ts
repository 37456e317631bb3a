import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { EventStore } from '../events/event-store.js';
import type { IngestWriter } from '../events/writer.js';
import type { Logger } from '../http/logger.js';
import { watchIngestStream } from '../telemetry/metrics.js';
import { type IngestStreamOptions, openIngestStream, streamDepth } from './ingest-stream.js';
import { createQueuePublisher } from './queue-publisher.js';
import { startQueueWriter } from './queue-writer.js';

export interface IngestQueue {
  /** What POST /sdk/events hands its items to (AppDeps.ingest). */
  ingest: IngestWriter;
  /** Stops the writers (each finishes its batch in hand), then drains the connection. */
  stop(): Promise<void>;
}

/**
 * INGEST_QUEUE for a server (main.ts) or a worker process (worker-cli.ts): the stream, the publisher
 * and `writers` consuming loops into `db`; its depth on GET /metrics.
 */
export async function startIngestQueue(options: IngestStreamOptions & { db: Kysely<Database>; store?: EventStore | undefined; writers: number; batch?: number }): Promise<IngestQueue> {
  const stream = await openIngestStream(options);
  const unwatch = watchIngestStream({ depth: () => streamDepth(stream) });
  const writers = Array.from({ length: options.writers }, () => startQueueWriter({ stream, db: options.db, store: options.store, logger: options.logger, ...(options.batch && { batch: options.batch }) }));
  return {
    ingest: createQueuePublisher(stream),
    stop: async () => {
      unwatch();
      await Promise.all(writers.map((w) => w.stop()));
      await stream.close();
    },
  };
}
