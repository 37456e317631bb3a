import type pg from 'pg';
import type { Logger } from '../http/logger.js';
import type { DatabaseHandle } from './connect.js';

/**
 * One instance at a time runs the background jobs (design.md §2, §11): the one that holds a
 * PostgreSQL session-level advisory lock on a connection of its own, outside the pool.
 *
 * Why a session lock on a dedicated connection: it is held between ticks without an open transaction,
 * and it goes away with the session. When the holder dies (a crash, kill -9, a stop), its socket closes
 * and PostgreSQL releases the lock at once; another instance takes it on its next tick. When the
 * network to the holder is cut instead, the holder finds out on its next tick (the liveness query
 * fails within the statement deadline) and steps down; PostgreSQL finds out through the TCP keepalive
 * this session asks the server for (about 25 s), and only then can another instance take over. Nobody
 * runs the jobs in that window, which is the safe side. The worst overlap is one tick: a holder that
 * is mid-tick when its lock session is lost finishes that tick (the jobs are idempotent refreshes).
 *
 * PGlite is one process (its data directory is locked, pglite-lock.ts): it always leads.
 */
export interface Leadership {
  /** Whether this instance may run the jobs now; takes the lock if it is free. Never throws. */
  acquire(): Promise<boolean>;
  /** Gives the lock up (on shutdown); another instance takes it on its next tick. */
  release(): Promise<void>;
}

/** The advisory lock key of the background jobs (any constant no other lock of ours uses). */
export const BACKGROUND_JOBS_LOCK = '7203418590312611201';

/** Server-side keepalive on the lock session: a holder cut off loses the lock after about 10 + 3 × 5 s. */
const SERVER_KEEPALIVE = { idle: 10, interval: 5, count: 3 };

export function createLeadership(handle: Pick<DatabaseHandle, 'openSession'>, logger: Logger, key = BACKGROUND_JOBS_LOCK): Leadership {
  const open = handle.openSession;
  if (!open) return { acquire: async () => true, release: async () => {} };
  let session: pg.Client | undefined;
  let leading = false;

  const drop = async () => {
    const closing = session;
    session = undefined;
    if (leading) logger.warn('background jobs: lost the leader lock; another instance may take over');
    leading = false;
    // end() waits for the server's goodbye, which a cut network never sends; the socket is destroyed then.
    await Promise.race([closing?.end().catch(() => {}), new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
  };

  return {
    async acquire() {
      try {
        if (!session) {
          session = await open();
          await session.query(
            `select set_config('tcp_keepalives_idle', $1, false), set_config('tcp_keepalives_interval', $2, false), set_config('tcp_keepalives_count', $3, false)`,
            [String(SERVER_KEEPALIVE.idle), String(SERVER_KEEPALIVE.interval), String(SERVER_KEEPALIVE.count)],
          );
        }
        if (leading) {
          // Still our session, still our lock (a session lock lasts as long as the session).
          await session.query('select 1');
          return true;
        }
        const { rows } = await session.query<{ locked: boolean }>('select pg_try_advisory_lock($1::bigint) as locked', [key]);
        leading = rows[0]!.locked;
        if (leading) logger.info('background jobs: this instance holds the leader lock');
        return leading;
      } catch (error) {
        logger.warn('background jobs: leader lock session failed', { error: String(error) });
        await drop();
        return false;
      }
    },
    async release() {
      if (session && leading) await session.query('select pg_advisory_unlock($1::bigint)', [key]).catch(() => {});
      leading = false;
      await drop();
    },
  };
}

/**
 * One Leadership for several jobs on their own timers: concurrent `acquire` calls share one answer,
 * so two ticks arriving together never open two lock sessions; the jobs stopping together release once.
 */
export function sharedLeadership(leadership: Leadership): Leadership {
  let asking: Promise<boolean> | undefined;
  let releasing: Promise<void> | undefined;
  return {
    acquire: () =>
      (asking ??= leadership.acquire().finally(() => {
        asking = undefined;
      })),
    release: () => (releasing ??= leadership.release()),
  };
}
