import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type pg from 'pg';

/**
 * Deadlines for every PostgreSQL call, set once in the pool so no caller can forget them (design.md
 * §11). A statement that is merely slow is cancelled by the server (`statement_timeout`, SQLSTATE
 * 57014) and its connection stays usable. A database that has gone silent (a partition that drops
 * packets: no reset, no answer) is caught by the client: `query_timeout` a little after the server's
 * own deadline, `connectionTimeoutMillis` on connecting and on waiting for a pooled connection, and
 * TCP keepalive on idle connections. Either way the request fails within about the statement
 * timeout, and the app answers 503 (db/errors.ts).
 */
export interface Deadlines {
  /** pg client settings. */
  client: Pick<pg.ClientConfig, 'statement_timeout' | 'query_timeout' | 'idle_in_transaction_session_timeout' | 'keepAlive' | 'keepAliveInitialDelayMillis'>;
  /** Waiting for a pooled connection, including opening a new one. */
  acquireMs: number;
}

/** DB_STATEMENT_TIMEOUT_MS when unset: long enough for any request's statement, short enough to fail over. */
export const DEFAULT_STATEMENT_TIMEOUT_MS = 5_000;

/**
 * Time the server's own cancellation gets to arrive before the client gives up on the connection: a
 * slow statement then ends as a clean 57014 on a connection that stays in the pool.
 */
const CLIENT_GRACE_MS = 250;
/** Connecting when no statement deadline is set (migrations): still bounded. */
const CONNECT_WITHOUT_DEADLINE_MS = 10_000;
/** First TCP keepalive probe on an idle connection. */
const KEEPALIVE_IDLE_MS = 10_000;

/** `statementTimeoutMs` 0 means no statement deadline (migrations); connecting stays bounded. */
export function deadlinesFor(statementTimeoutMs: number): Deadlines {
  const base = { keepAlive: true, keepAliveInitialDelayMillis: KEEPALIVE_IDLE_MS };
  if (statementTimeoutMs <= 0) return { client: base, acquireMs: CONNECT_WITHOUT_DEADLINE_MS };
  return {
    client: {
      ...base,
      statement_timeout: statementTimeoutMs,
      query_timeout: statementTimeoutMs + CLIENT_GRACE_MS,
      // An app cut off in the middle of a transaction would hold its row locks until PostgreSQL notices
      // the dead socket (hours, by default). Between two statements of one transaction the app does
      // only a little JS work, so a transaction idle this long is an abandoned one.
      idle_in_transaction_session_timeout: Math.max(2 * statementTimeoutMs, 10_000),
    },
    acquireMs: statementTimeoutMs,
  };
}

/** pg's message when `query_timeout` fires. */
export const QUERY_TIMEOUT_MESSAGE = 'Query read timeout';

/**
 * A query that timed out on the client leaves its connection in an unknown state (the statement may
 * still be running, the answer may still arrive and be read as the next query's). The connection is
 * then refused for anything else (so a transaction's ROLLBACK fails at once instead of waiting out a
 * second deadline) and removed from the pool when released, instead of going back to it.
 */
export function withDeadlineRecovery(pool: pg.Pool): PostgresPool {
  return {
    async connect(): Promise<PostgresPoolClient> {
      const client = await pool.connect();
      let broken: Error | undefined;
      const query = async (sql: string, parameters: ReadonlyArray<unknown>) => {
        if (broken) throw new Error(`${QUERY_TIMEOUT_MESSAGE} (earlier on this connection)`);
        try {
          return await client.query(sql, parameters as unknown[]);
        } catch (error) {
          if (error instanceof Error && error.message === QUERY_TIMEOUT_MESSAGE) broken = error;
          throw error;
        }
      };
      return {
        // Kysely calls query(sql, parameters); the cursor form is only used for streaming, which needs a
        // cursor class in the dialect config (we configure none).
        query: query as unknown as PostgresPoolClient['query'],
        release: () => client.release(broken),
      };
    },
    end: () => pool.end(),
  };
}
