import { Hono } from 'hono';
import { access } from '../access/declare.js';
import { sql } from 'kysely';
import type { AppDeps, AppEnv } from '../http/context.js';

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
        return c.json({ status: 'ready', database: 'ok' });
      } catch (error) {
        deps.logger.warn('readiness check failed', { requestId: c.get('requestId'), error: String(error) });
        c.header('Retry-After', '5');
        return c.json({ status: 'unavailable', database: 'unreachable' }, 503);
      }
    });
}
