import { Hono } from 'hono';
import { access } from '../access/declare.js';
import { sql } from 'kysely';
import { type AppDeps, type AppEnv, eventStoreOf } from '../http/context.js';

export function healthRoutes(deps: AppDeps) {
  return new Hono<AppEnv>()
    .get('/health', access('public'), (c) => c.json({ status: 'ok' }))
    .get('/ready', access('public'), async (c) => {
      // Shutting down (http/drain.ts): out of rotation first, before the listener closes.
      if (deps.draining?.()) {
        c.header('Retry-After', '5');
        return c.json({ status: 'unavailable', database: 'not checked: shutting down' }, 503);
      }
      try {
        await sql`select 1`.execute(deps.db);
      } catch (error) {
        deps.logger.warn('readiness check failed', { requestId: c.get('requestId'), error: String(error) });
        c.header('Retry-After', '5');
        return c.json({ status: 'unavailable', database: 'unreachable' }, 503);
      }
      // EVENT_STORE=clickhouse: results and erasure need it (ingestion through INGEST_QUEUE does not).
      const events = eventStoreOf(deps);
      if (events.kind === 'postgres') return c.json({ status: 'ready', database: 'ok' });
      try {
        await events.ping();
        return c.json({ status: 'ready', database: 'ok', eventStore: 'ok' });
      } catch (error) {
        deps.logger.warn('readiness check failed: event store', { requestId: c.get('requestId'), error: String(error) });
        c.header('Retry-After', '5');
        return c.json({ status: 'unavailable', database: 'ok', eventStore: 'unreachable' }, 503);
      }
    });
}
