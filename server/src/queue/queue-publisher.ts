/**
 * POST /sdk/events through the queue (INGEST_QUEUE): each valid item is published to the ingestion
 * stream with the item's id as message id, and the request is answered 202 once the stream has
 * acknowledged every item (stored on a majority of its replicas). The database is not touched, so
 * ingestion keeps answering while it is down; writers (queue-writer.ts) store the items later.
 *
 * A publish that fails (no stream leader during an election, a node gone) is sent again with the
 * same id until PUBLISH_DEADLINE_MS: the stream drops a repeated id within its duplicate window, so
 * a publish whose acknowledgement was lost is not stored twice. Only past the deadline does the
 * request answer 503 (the SDK keeps its items and retries the same ids).
 */
import type { PubAck } from 'nats';
import type { IngestWriter } from '../events/writer.js';
import { ProblemError } from '../http/problem.js';
import type { IngestStream } from './ingest-stream.js';
import { encodeAlias, encodeEvent, encodeExposure } from './messages.js';

/** Longer than a JetStream leader election (a few seconds), shorter than the SDK's request timeout. */
export const PUBLISH_DEADLINE_MS = 20_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createQueuePublisher(stream: IngestStream, { deadlineMs = PUBLISH_DEADLINE_MS } = {}): IngestWriter {
  const publish = async (id: string, data: Uint8Array, deadline: number): Promise<PubAck> => {
    for (let delay = 50; ; delay = Math.min(delay * 2, 1000)) {
      try {
        return await stream.js.publish(stream.subject, data, { msgID: id, expect: { streamName: stream.stream }, timeout: 4000 });
      } catch (error) {
        if (Date.now() + delay >= deadline) {
          throw new ProblemError('service-unavailable', 'The ingestion queue did not acknowledge the items; retry later.', { headers: { 'Retry-After': '5' } });
        }
        await sleep(delay);
      }
    }
  };
  return async ({ events, exposures, aliases = [], receivedAt }) => {
    const deadline = Date.now() + deadlineMs;
    // Published together: the client pipelines them on one connection, the stream acknowledges each.
    const acks = await Promise.all([
      ...events.map((row) => publish(row.eventId, encodeEvent(row, receivedAt), deadline)),
      ...exposures.map((row) => publish(row.itemId, encodeExposure(row, receivedAt), deadline)),
      ...aliases.map((row) => publish(row.itemId, encodeAlias(row, receivedAt), deadline)),
    ]);
    // A duplicate is an id the stream saw within its window: a retried request. Older retries are
    // accepted again and recognised by the writer's idempotent store instead.
    const duplicates = acks.filter((ack) => ack.duplicate).length;
    return { accepted: acks.length - duplicates, duplicates };
  };
}
