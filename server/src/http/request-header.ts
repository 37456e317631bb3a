import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';

/**
 * A request header, read from Node's own parsed headers when the app runs under @hono/node-server.
 * `c.req.header()` builds a web `Headers` object from every raw header on first use, which costs
 * more than everything else /sdk/config does (issue 16's benchmark); the hot-path middlewares read
 * their few headers here instead. Elsewhere (tests' app.request, other runtimes) it is c.req.header.
 */
export function requestHeader(c: Context, name: string): string | undefined {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (incoming?.headers) {
    const value = incoming.headers[name];
    return Array.isArray(value) ? value.join(', ') : value;
  }
  return c.req.header(name);
}
