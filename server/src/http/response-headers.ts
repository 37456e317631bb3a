import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from './context.js';

/**
 * Headers that middlewares decide before the handler runs (request id, security headers, CORS), kept
 * as a plain object instead of Hono's `c.header()`, which builds a web `Headers` per request.
 *
 * Why (issue 16's benchmark, profiled): @hono/node-server writes a Response built from a string body
 * and a plain headers object straight to Node (`writeHead(status, object)`); a web `Headers` costs a
 * validated set per header and a sorted copy when written, which made up much of what `/sdk/config`
 * spent beyond a bare Hono endpoint. A hot handler answers with `respond()`, which merges these
 * headers into its own plain object; every other response gets them from `withResponseHeaders()` after
 * the handler, through the Headers API as before. Either way every response carries them, and a
 * header the handler set itself wins (as it did when middlewares used `c.header()` before it).
 * Names are lower case, as a web Headers object writes them.
 */
export function withResponseHeaders(): MiddlewareHandler<AppEnv> {
  return async function responseHeadersMiddleware(c, next) {
    const headers: Record<string, string> = {};
    c.set('responseHeaders', headers);
    await next();
    if (c.get('responseHeadersSent')) return;
    const res = c.res;
    let merged: Headers | undefined;
    for (const name in headers) {
      if (res.headers.has(name)) continue;
      merged ??= new Headers(res.headers);
      merged.set(name, headers[name]!);
    }
    // A new Response rather than setting on res.headers in place: set in place, the CORS headers of a
    // POST /sdk/events answer were missing from what Chromium received through @hono/node-server
    // (client-sdk/e2e/sdk.e2e.test.ts), although app.fetch's Response showed them.
    if (merged) c.res = new Response(res.body, { status: res.status, statusText: res.statusText, headers: merged });
  };
}

/** Sets (or, with undefined, removes) a header every response to this request carries. */
export function setResponseHeader(c: Context<AppEnv>, name: Lowercase<string>, value: string | undefined): void {
  const headers = c.get('responseHeaders');
  if (!headers) {
    // Outside the app's middleware chain (a route mounted alone in a test): Hono's own headers.
    c.header(name, value);
    return;
  }
  if (value === undefined) delete headers[name];
  else headers[name] = value;
}

/** Sets every header of a prepared set (lower-case names), as `setResponseHeader` one by one would. */
export function setResponseHeaders(c: Context<AppEnv>, set: Record<Lowercase<string>, string>): void {
  const headers = c.get('responseHeaders');
  for (const name in set) {
    if (headers) headers[name] = set[name as Lowercase<string>]!;
    else c.header(name, set[name as Lowercase<string>]);
  }
}

/**
 * The hot-path answer: a string (or no) body with the request's headers and the handler's own (lower
 * case names) in one plain object, which @hono/node-server writes without the Headers API.
 */
export function respond(c: Context<AppEnv>, body: string | null, status: number, own: Record<Lowercase<string>, string>): Response {
  const collected = c.get('responseHeaders');
  if (!collected) return c.newResponse(body, status as 200, own);
  c.set('responseHeadersSent', true);
  // In place: the request's object is not read again once the answer carries it.
  for (const name in own) collected[name] = own[name as Lowercase<string>]!;
  return new Response(body, { status, headers: collected });
}
