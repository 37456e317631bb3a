import type { Env, MiddlewareHandler, Next } from 'hono';

/**
 * Several middlewares as one entry of the app's chain, run in the given order, each one's `next` the
 * following one. Every entry of Hono's chain costs an async dispatch of its own on every request
 * (issue 16: /sdk/config runs a dozen); grouping the small ones saves those without merging their code.
 *
 * Only for middlewares that do nothing once `next()` has resolved or thrown: Hono turns an error into
 * a problem answer at the entry where it was thrown, so a middleware that reads the answer after
 * `next()` (request log, metrics, response headers) must stay an entry of its own to see it.
 */
export function inOrder<E extends Env>(...middlewares: MiddlewareHandler<E>[]): MiddlewareHandler<E> {
  return middlewares.reduceRight<MiddlewareHandler<E>>(
    (rest, first) => (c, next) => first(c, (() => rest(c, next)) as Next),
    (_c, next) => next(),
  );
}
