import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import type { AppEnv } from './context.js';
import type { Logger } from './logger.js';
import { loggedPath } from './redact.js';
import { requestHeader } from './request-header.js';
import { setResponseHeader } from './response-headers.js';

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;

/**
 * Gives every request an id (the caller's X-Request-Id when it is safe to echo) and writes one JSON
 * line per request: id, method, path, status, duration. The path is the matched route's pattern
 * (`/api/units/:unitId`), never the ids in it (redact.ts).
 */
export function requestLog(logger: Logger): MiddlewareHandler<AppEnv> {
  return async function requestLogMiddleware(c, next) {
    const started = performance.now();
    const incoming = requestHeader(c, 'x-request-id');
    const requestId = incoming && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    c.set('requestId', requestId);
    setResponseHeader(c, 'x-request-id', requestId);
    await next();
    logger.info('request', {
      requestId,
      method: c.req.method,
      // The most specific route that matched (the last one), even when a middleware answered first.
      path: loggedPath(c.req.path, matchedRoutes(c).at(-1)?.path),
      status: c.res.status,
      durationMs: Math.round((performance.now() - started) * 100) / 100,
    });
  };
}
