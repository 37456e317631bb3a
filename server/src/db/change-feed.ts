import type { PGlite } from '@electric-sql/pglite';
import type { Kysely } from 'kysely';
import type pg from 'pg';
import type { Database } from './schema.js';

/** The channel migrations/0013 notifies on, with the changed table's name as payload. */
export const CATALOG_CHANNEL = 'touchpoint_catalog';

export interface ChangeSubscriber {
  /** A committed change to `table` (experiments, variants, api_keys). */
  onChange(table: string): void;
  /** The listener is (again) in place, after a start or a reconnect: changes may have been missed, reload everything. */
  onResync(): void;
  /** The listener connection was lost (it is being re-established). */
  onLost?(error: unknown): void;
}

/**
 * PostgreSQL change notifications (LISTEN/NOTIFY) for the in-process views of this instance
 * (server/src/live/). One listener connection per database handle, opened when the first subscriber
 * arrives, closed with the handle.
 */
export interface ChangeFeed {
  subscribe(subscriber: ChangeSubscriber): () => void;
  /** Whether the listener is in place now. */
  readonly listening: boolean;
  /** Times the listener was put in place (1 after the start; each reconnect adds one). */
  readonly connections: number;
  close(): Promise<void>;
}

interface Subscribers {
  all: Set<ChangeSubscriber>;
  change(table: string): void;
  resync(): void;
  lost(error: unknown): void;
}

function subscribers(): Subscribers {
  const all = new Set<ChangeSubscriber>();
  // A subscriber's failure must not keep the others from hearing about a change.
  const each = (call: (s: ChangeSubscriber) => void) => {
    for (const s of all) {
      try {
        call(s);
      } catch {
        /* the subscriber logs its own failures */
      }
    }
  };
  return {
    all,
    change: (table) => each((s) => s.onChange(table)),
    resync: () => each((s) => s.onResync()),
    lost: (error) => each((s) => s.onLost?.(error)),
  };
}

/**
 * PGlite: one process, one database; `listen` delivers a notification when the writing transaction
 * commits, before the writing query resolves — a write is seen at once. The connection cannot drop.
 */
export function createPgliteChangeFeed(pglite: PGlite): ChangeFeed {
  const subs = subscribers();
  let unlisten: Promise<() => Promise<void>> | undefined;
  let listening = false;
  let connections = 0;
  return {
    subscribe(subscriber) {
      subs.all.add(subscriber);
      if (!unlisten) {
        unlisten = pglite.listen(CATALOG_CHANNEL, (payload) => subs.change(payload));
        void unlisten.then(() => {
          listening = true;
          connections++;
          subs.resync();
        }, () => {});
      } else if (listening) queueMicrotask(() => subscriber.onResync());
      return () => void subs.all.delete(subscriber);
    },
    get listening() {
      return listening;
    },
    get connections() {
      return connections;
    },
    async close() {
      subs.all.clear();
      listening = false;
      if (unlisten && !pglite.closed) await (await unlisten.catch(() => async () => {}))().catch(() => {});
    },
  };
}

export interface PostgresFeedOptions {
  /** A query on the listener connection this often proves it alive (a silent partition sends no error). */
  heartbeatMs?: number;
  /** A heartbeat not answered within this long means the connection is lost. */
  heartbeatTimeoutMs?: number;
  /** First reconnect delay; doubles up to maxBackoffMs (500 ms: two cheap connection attempts a second per instance while the database is away, and a change made during an outage is served well within a second after it ends). */
  backoffMs?: number;
  maxBackoffMs?: number;
}

/** Server-side keepalive on the listener session, as on the leader lock's (db/leader-lock.ts). */
const SERVER_KEEPALIVE = { idle: 10, interval: 5, count: 3 };

/**
 * PostgreSQL: a dedicated connection (outside the pool: LISTEN belongs to a session) that runs
 * `LISTEN touchpoint_catalog`. A lost connection is noticed by the client's error/end events (a reset,
 * a server restart) or by an unanswered heartbeat (a silent partition: TCP keepalive alone would take
 * tens of seconds); it is then replaced with exponential backoff, and every subscriber is told to
 * resync once the new LISTEN is in place, since notifications sent meanwhile are lost.
 */
export function createPostgresChangeFeed(open: () => Promise<pg.Client>, options: PostgresFeedOptions = {}): ChangeFeed {
  const { heartbeatMs = 2_000, heartbeatTimeoutMs = 2_000, backoffMs = 100, maxBackoffMs = 500 } = options;
  const subs = subscribers();
  let client: pg.Client | undefined;
  let started = false;
  let closed = false;
  let connections = 0;
  let heartbeat: NodeJS.Timeout | undefined;
  let retry: NodeJS.Timeout | undefined;
  let connecting: Promise<void> | undefined;

  const discard = (c: pg.Client) => {
    // end() waits for the server's goodbye, which a cut network never sends: destroy the socket too.
    void c.end().catch(() => {});
    (c as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
  };

  const lose = (lost: pg.Client, error: unknown) => {
    if (client !== lost) return;
    client = undefined;
    clearInterval(heartbeat);
    discard(lost);
    if (closed) return;
    subs.lost(error);
    reconnect(0);
  };

  const reconnect = (attempt: number) => {
    if (closed || connecting) return;
    const delay = attempt === 0 ? 0 : Math.min(maxBackoffMs, backoffMs * 2 ** (attempt - 1));
    retry = setTimeout(() => {
      connecting = establish().then(
        () => {
          connecting = undefined;
        },
        () => {
          connecting = undefined;
          reconnect(attempt + 1);
        },
      );
    }, delay);
    retry.unref();
  };

  const establish = async () => {
    const fresh = await open();
    try {
      fresh.on('error', (error) => lose(fresh, error));
      fresh.on('end', () => lose(fresh, new Error('listener connection ended')));
      fresh.on('notification', (message) => {
        if (message.channel === CATALOG_CHANNEL) subs.change(message.payload ?? '');
      });
      await fresh.query(
        `select set_config('tcp_keepalives_idle', $1, false), set_config('tcp_keepalives_interval', $2, false), set_config('tcp_keepalives_count', $3, false)`,
        [String(SERVER_KEEPALIVE.idle), String(SERVER_KEEPALIVE.interval), String(SERVER_KEEPALIVE.count)],
      );
      await fresh.query(`listen ${CATALOG_CHANNEL}`);
    } catch (error) {
      discard(fresh);
      throw error;
    }
    if (closed) return discard(fresh);
    client = fresh;
    connections++;
    let inFlight = false;
    heartbeat = setInterval(() => {
      if (inFlight) return;
      inFlight = true;
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`listener heartbeat unanswered after ${heartbeatTimeoutMs} ms`)), heartbeatTimeoutMs);
      });
      Promise.race([fresh.query('select 1'), late])
        .catch((error: unknown) => lose(fresh, error))
        .finally(() => {
          clearTimeout(timer);
          inFlight = false;
        });
    }, heartbeatMs);
    heartbeat.unref();
    subs.resync();
  };

  return {
    subscribe(subscriber) {
      subs.all.add(subscriber);
      if (!started) {
        started = true;
        reconnect(0);
      } else if (client) queueMicrotask(() => subscriber.onResync());
      return () => void subs.all.delete(subscriber);
    },
    get listening() {
      return client !== undefined;
    },
    get connections() {
      return connections;
    },
    async close() {
      closed = true;
      subs.all.clear();
      clearTimeout(retry);
      clearInterval(heartbeat);
      await connecting?.catch(() => {});
      const last = client;
      client = undefined;
      if (last) await Promise.race([last.end().catch(() => {}), new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
      if (last) discard(last);
    },
  };
}

/**
 * The feed of the handle that made a Kysely instance (connect.ts registers it), so that code given
 * only `db` (createApp in tests) finds the notifications of that very database.
 */
const feeds = new WeakMap<Kysely<Database>, ChangeFeed>();

export function registerChangeFeed(db: Kysely<Database>, feed: ChangeFeed): void {
  feeds.set(db, feed);
}

export function changeFeedOf(db: Kysely<Database>): ChangeFeed | undefined {
  return feeds.get(db);
}
