import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../http/context.js';
import type { Access } from './roles.js';

const declared = new WeakMap<object, Access>();

/**
 * The role a route needs, declared where the route is registered:
 * `.post('/', access('editor'), async (c) => …)`. The marker itself does nothing; the one middleware
 * that decides (authorize.ts) reads it from the routes a request matched, and a test walks
 * `app.routes` so that a route without a declaration fails the suite (access/declared.test.ts).
 */
export function access(need: Access): MiddlewareHandler<AppEnv> {
  // Not async: it is on every request's chain, and a promise of its own per request buys nothing.
  const marker: MiddlewareHandler<AppEnv> = function accessDeclaration(_c, next) {
    return next();
  };
  declared.set(marker, need);
  return marker;
}

/** The access a registered handler declares, if it is a marker (Hono may wrap sub-app handlers). */
export function declaredAccess(handler: unknown): Access | undefined {
  if (typeof handler !== 'function') return undefined;
  return declared.get(handler) ?? declared.get((handler as unknown as Record<string, unknown>).__COMPOSED_HANDLER as object);
}
