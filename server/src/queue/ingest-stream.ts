/**
 * The JetStream side of INGEST_QUEUE (design.md §12): one connection, the ingestion stream and its
 * dead-letter stream, the durable consumer every writer shares. Streams and consumer are created (or
 * brought to this configuration) at start, so a fresh cluster needs no manual set-up.
 */
import {
  AckPolicy,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  type NatsConnection,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
  connect,
  nanos,
} from 'nats';
import type { Logger } from '../http/logger.js';

export interface IngestStreamOptions {
  servers: string[];
  /** Stream name (INGEST_STREAM); its subject is `<stream>.items`, the dead letters' `<stream>-dead.items`. */
  stream: string;
  /** Copies of each message (INGEST_REPLICAS); default 3 when the cluster has at least three nodes, else 1. */
  replicas?: number | undefined;
  /** A delivered item not acknowledged within this time goes to another writer (a writer died mid-batch). */
  ackWaitMs?: number;
  logger: Logger;
}

export interface IngestStream {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  stream: string;
  subject: string;
  deadStream: string;
  deadSubject: string;
  /** The durable pull consumer the writers share. */
  consumer: string;
  replicas: number;
  /** The consumer's ack wait: a writer holding a batch longer says so before it runs out. */
  ackWaitMs: number;
  close(): Promise<void>;
}

export const WRITERS_CONSUMER = 'writers';
/** How long a publisher may be re-sent with the same id and still be recognised as a duplicate. */
const DUPLICATE_WINDOW_MS = 2 * 60_000;

export async function openIngestStream(options: IngestStreamOptions): Promise<IngestStream> {
  // Reconnect for ever: a cluster being restarted node by node must not take the server down with it.
  const nc = await connect({ servers: options.servers, name: 'touchpoint', maxReconnectAttempts: -1, reconnectTimeWait: 250, timeout: 5000 });
  try {
    const jsm = await nc.jetstreamManager({ timeout: 10_000 });
    const clusterSize = Math.max(options.servers.length, nc.info?.connect_urls?.length ?? 0);
    const replicas = options.replicas ?? (clusterSize >= 3 ? 3 : 1);
    const subject = `${options.stream}.items`;
    const deadStream = `${options.stream}-dead`;
    const deadSubject = `${deadStream}.items`;
    // Work-queue retention: an item leaves the stream once a writer has acknowledged it (after commit),
    // so the stream holds exactly what is not stored yet, and its size is the queue depth.
    await ensureStream(jsm, { name: options.stream, subjects: [subject], retention: RetentionPolicy.Workqueue, storage: StorageType.File, num_replicas: replicas, duplicate_window: nanos(DUPLICATE_WINDOW_MS) });
    // Dead letters stay until an operator looks at them (limits retention, a week).
    await ensureStream(jsm, { name: deadStream, subjects: [deadSubject], retention: RetentionPolicy.Limits, storage: StorageType.File, num_replicas: replicas, max_age: nanos(7 * 24 * 3600_000) });
    const consumer = {
      durable_name: WRITERS_CONSUMER,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(options.ackWaitMs ?? 30_000),
      // Unbounded here: the writer counts deliveries itself and dead-letters a poison item after
      // MAX_DELIVERIES (queue-writer.ts). A bound here would silently drop items that were merely
      // redelivered while the database was down, and never tell anyone.
      max_deliver: -1,
      max_ack_pending: 20_000,
    };
    try {
      await jsm.consumers.add(options.stream, consumer);
    } catch {
      await jsm.consumers.update(options.stream, WRITERS_CONSUMER, { ack_wait: consumer.ack_wait, max_ack_pending: consumer.max_ack_pending, max_deliver: consumer.max_deliver });
    }
    options.logger.info('ingestion queue ready', { stream: options.stream, replicas });
    return {
      nc,
      js: nc.jetstream({ timeout: 5000 }),
      jsm,
      stream: options.stream,
      subject,
      deadStream,
      deadSubject,
      consumer: WRITERS_CONSUMER,
      replicas,
      ackWaitMs: options.ackWaitMs ?? 30_000,
      close: async () => {
        await nc.drain().catch(() => nc.close());
      },
    };
  } catch (error) {
    await nc.close();
    throw error;
  }
}

async function ensureStream(jsm: JetStreamManager, config: Partial<StreamConfig> & { name: string }): Promise<void> {
  try {
    await jsm.streams.add(config);
  } catch (error) {
    // Created before with other settings (an operator changed INGEST_REPLICAS): apply ours.
    if (!/already in use/i.test(String(error))) throw error;
    await jsm.streams.update(config.name, config);
  }
}

/** Items not yet committed (in the stream, delivered or not) and dead letters; undefined when NATS does not answer. */
export async function streamDepth(stream: IngestStream): Promise<{ pending: number; dead: number } | undefined> {
  try {
    const [main, dead] = await Promise.all([stream.jsm.streams.info(stream.stream), stream.jsm.streams.info(stream.deadStream)]);
    return { pending: main.state.messages, dead: dead.state.messages };
  } catch {
    return undefined;
  }
}
