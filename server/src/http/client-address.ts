import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';

/**
 * The address a request comes from, for per-client limits. With `trustedProxyHops` = 0 it is the
 * socket's peer; behind n reverse proxies it is the n-th entry of X-Forwarded-For counted from the
 * right (the one the nearest trusted proxy saw; entries further left are whatever the client wrote).
 * Requests made in-process (tests' app.request) have no socket: 'local'.
 */
export function clientAddress(c: Context, trustedProxyHops: number): string {
  if (trustedProxyHops > 0) {
    const hops = (c.req.header('x-forwarded-for') ?? '').split(',').map((part) => part.trim()).filter(Boolean);
    const seen = hops[hops.length - trustedProxyHops];
    if (seen) return seen;
  }
  try {
    return getConnInfo(c).remote.address ?? 'local';
  } catch {
    return 'local';
  }
}
