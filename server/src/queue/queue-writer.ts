/**
 * A writer of the ingestion queue (INGEST_QUEUE, design.md §12): takes batches from the stream's
 * durable consumer, stores them in the event store with the same idempotent write as direct ingestion
 * (events/event-store.ts: PostgreSQL's storeBatches, or ClickHouse's), and acknowledges each message
 * only after that write.
 *
 * - A writer that dies mid-batch acknowledged nothing of it: after the consumer's ack wait the
 *   messages go to another writer, and the store recognises whatever had been committed (event ids,
 *   an exposure's first item id), so nothing is lost or doubled.
 * - Database unreachable: the batch is kept and written again with a growing pause, and its messages
 *   are marked "in progress" meanwhile so that they are neither redelivered nor counted as failed
 *   deliveries: an outage of any length dead-letters nothing.
 * - Any other failure of a batch: its items are written one by one; an item that fails alone is
 *   redelivered later, and after MAX_DELIVERIES it is a poison item: copied to the dead-letter stream
 *   (with the error) and acknowledged. A message that does not decode is dead-lettered at once.
 */
import type { Kysely } from 'kysely';
import { type Consumer, type JsMsg, headers } from 'nats';
import type { Database } from '../db/schema.js';
import { type EventStore, postgresEventStore } from '../events/event-store.js';
import type { BatchPart } from '../events/repository.js';
import type { Logger } from '../http/logger.js';
import type { IngestStream } from './ingest-stream.js';
import { PoisonItemError, type QueuedItem, decodeItem } from './messages.js';

/** Deliveries of an item before it is dead-lettered (bounded redelivery). */
export const MAX_DELIVERIES = 5;
/** Items per batch: one group write of the direct path holds up to 5,000. */
const BATCH = 2000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface QueueWriterOptions {
  stream: IngestStream;
  db: Kysely<Database>;
  /** Where the items go (EVENT_STORE); default the tables of `db`. */
  store?: EventStore | undefined;
  logger: Logger;
  /** Items per batch (default 2,000). */
  batch?: number;
  /** Called after each committed batch, with its size (tests, metrics). */
  onCommit?: (items: number) => void;
}

interface Delivered {
  msg: JsMsg;
  item: QueuedItem;
}

/** Starts one consuming loop; resolves `stop()` once the batch in hand is finished. */
export function startQueueWriter(options: QueueWriterOptions): { stop: () => Promise<void> } {
  const { stream, logger } = options;
  const store = options.store ?? postgresEventStore(options.db);
  const isDatabaseUnavailable = (error: unknown) => store.isUnavailable(error);
  let stopping = false;
  const deadLetter = async (msg: JsMsg, reason: string): Promise<void> => {
    const h = headers();
    h.set('Touchpoint-Error', reason.slice(0, 500));
    h.set('Touchpoint-Deliveries', String(msg.info.deliveryCount));
    try {
      await stream.js.publish(stream.deadSubject, msg.data, { headers: h, msgID: `dead-${msg.info.streamSequence}` });
      msg.ack();
      logger.warn('ingestion item dead-lettered', { sequence: msg.info.streamSequence, reason: reason.slice(0, 200) });
    } catch (error) {
      // Not dead-lettered: leave it to a later delivery rather than lose it.
      msg.nak(1000);
      logger.warn('ingestion item could not be dead-lettered', { error: String(error) });
    }
  };

  /** Writes `items` until it commits or fails for a reason other than an unreachable database. */
  const writeWhileUnavailable = async (items: Delivered[]): Promise<unknown> => {
    // Pauses stay well inside the ack wait, so that `working()` is sent before the server gives up.
    const longest = Math.min(5000, stream.ackWaitMs / 3);
    for (let pause = 250; ; pause = Math.min(pause * 2, longest)) {
      try {
        await store.storeBatches(toParts(items.map((d) => d.item)));
        return undefined;
      } catch (error) {
        if (!isDatabaseUnavailable(error)) return error;
        if (stopping) return error;
        for (const { msg } of items) msg.working();
        logger.warn('ingestion writer: database unavailable, batch kept', { items: items.length, retryInMs: pause });
        await sleep(pause);
      }
    }
  };

  const handleBatch = async (msgs: JsMsg[]): Promise<void> => {
    const items: Delivered[] = [];
    for (const msg of msgs) {
      try {
        items.push({ msg, item: decodeItem(msg.data) });
      } catch (error) {
        if (error instanceof PoisonItemError) await deadLetter(msg, error.message);
        else throw error;
      }
    }
    if (items.length === 0) return;
    const failure = await writeWhileUnavailable(items);
    if (failure === undefined) {
      for (const { msg } of items) msg.ack();
      options.onCommit?.(items.length);
      return;
    }
    if (isDatabaseUnavailable(failure)) {
      // Stopping while the database is down: hand the batch back for another writer.
      for (const { msg } of items) msg.nak();
      return;
    }
    // The batch was refused as a whole (one statement, nothing written): find the item(s) at fault.
    for (const one of items) {
      const own = items.length === 1 ? failure : await writeWhileUnavailable([one]);
      if (own === undefined) {
        one.msg.ack();
        options.onCommit?.(1);
      } else if (isDatabaseUnavailable(own)) one.msg.nak();
      else if (one.msg.info.deliveryCount >= MAX_DELIVERIES) await deadLetter(one.msg, String(own));
      else one.msg.nak(200 * one.msg.info.deliveryCount);
    }
  };

  // The consuming loop (started once the helpers above exist).
  const done = (async () => {
    let consumer: Consumer | undefined;
    while (!stopping) {
      const msgs: JsMsg[] = [];
      try {
        consumer ??= await stream.js.consumers.get(stream.stream, stream.consumer);
        const fetched = await consumer.fetch({ max_messages: options.batch ?? BATCH, expires: 1000 });
        for await (const msg of fetched) msgs.push(msg);
      } catch (error) {
        // No leader for the consumer (an election), a connection being re-established: try again.
        if (!stopping) logger.warn('ingestion queue fetch failed', { error: String(error) });
        await sleep(250);
        continue;
      }
      if (msgs.length > 0) await handleBatch(msgs);
    }
  })();

  return {
    stop: async () => {
      stopping = true;
      await done.catch((error: unknown) => logger.error('ingestion writer failed', { error: String(error) }));
    },
  };
}

/** One part per receive time (storeBatches stores each part's `receivedAt` with its rows). */
function toParts(items: readonly QueuedItem[]): BatchPart[] {
  const parts = new Map<number, BatchPart>();
  for (const item of items) {
    const key = item.receivedAt.getTime();
    let part = parts.get(key);
    if (!part) parts.set(key, (part = { events: [], exposures: [], aliases: [], receivedAt: item.receivedAt }));
    if (item.kind === 'event') part.events.push(item.row);
    else if (item.kind === 'alias') part.aliases!.push(item.row);
    else part.exposures.push(item.row);
  }
  return [...parts.values()];
}
