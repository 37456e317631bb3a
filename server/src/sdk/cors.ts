import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../http/context.js';
import { ProblemError } from '../http/problem.js';
import { requestHeader } from '../http/request-header.js';
import { setResponseHeader } from '../http/response-headers.js';

const ALLOW_HEADERS = 'Authorization, Content-Type, If-None-Match, X-Request-Id';
const EXPOSE_HEADERS = 'ETag, Retry-After, X-Request-Id';

/**
 * CORS for /sdk/*. A preflight carries no key, so it is answered for any origin; the real request
 * is then checked against the allowed origins of the key it presents (an empty list allows any
 * origin: SDK keys are public, the list narrows who may send with one).
 */
export function preflight(): MiddlewareHandler<AppEnv> {
  // Not async (no promise of its own per request): nothing to wait for.
  return function sdkPreflight(c, next) {
    const origin = requestHeader(c, 'origin');
    if (c.req.method === 'OPTIONS' && origin) {
      // A promise, as Hono's middleware type asks of an answer (preflights are rare; the rest is not async).
      return Promise.resolve(c.body(null, 204, {
        'Access-Control-Allow-Origin': origin,
        'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
        'Access-Control-Allow-Headers': ALLOW_HEADERS,
        'Access-Control-Max-Age': '600',
        Vary: 'Origin',
      }));
    }
    if (origin) {
      // Also on errors (401, 503…), so the SDK can read them and back off instead of seeing a network error.
      setResponseHeader(c, 'access-control-allow-origin', origin);
      setResponseHeader(c, 'access-control-expose-headers', EXPOSE_HEADERS);
      setResponseHeader(c, 'vary', 'Origin');
    }
    return next();
  };
}

/** After authentication: refuse a browser origin the SDK key does not allow. */
export function checkOrigin(): MiddlewareHandler<AppEnv> {
  return function sdkOriginCheck(c, next) {
    const origin = requestHeader(c, 'origin');
    const key = c.get('apiKey');
    if (origin && key.kind === 'sdk' && key.allowedOrigins.length > 0 && !key.allowedOrigins.includes('*') && !key.allowedOrigins.includes(origin)) {
      setResponseHeader(c, 'access-control-allow-origin', undefined);
      throw new ProblemError('forbidden', `Origin ${origin} is not allowed for this SDK key.`);
    }
    return next();
  };
}
