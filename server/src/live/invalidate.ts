import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../http/context.js';
import type { LiveCatalog } from './catalog.js';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** The routes that write what the view holds (experiments with their variants, touchpoint URL patterns, keys); calculators and the rest do not. */
const WRITES_THE_VIEW = /^\/api\/(experiments|keys|touchpoints)(\/|$)/;

/**
 * After a write through this instance's API answers successfully, its in-process view is marked
 * stale: the client that paused an experiment or revoked a key and then reads /sdk/config on the same
 * instance sees its change, without waiting for the notification (which arrives within milliseconds,
 * and is what the other instances rely on).
 */
export function invalidateOnWrite(catalog: LiveCatalog): MiddlewareHandler<AppEnv> {
  return async function invalidateCatalogOnWrite(c, next) {
    await next();
    if (!READS.has(c.req.method) && c.res.status < 400 && WRITES_THE_VIEW.test(c.req.path)) catalog.invalidate();
  };
}
