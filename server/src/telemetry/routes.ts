import { timingSafeEqual } from 'node:crypto';
import { access } from '../access/declare.js';
import type { MiddlewareHandler } from 'hono';
import { Hono } from 'hono';
import { routePath } from 'hono/route';
import { clientAddress } from '../http/client-address.js';
import type { AppDeps, AppEnv } from '../http/context.js';
import { ProblemError } from '../http/problem.js';
import type { Operation } from '../openapi/registry.js';
import { httpDuration, registry } from './metrics.js';

/**
 * Counts every request by its route pattern (`/api/experiments/:key`, never the concrete path: ids
 * and unit ids stay out of the labels, and their number stays bounded) and status.
 */
export function httpMetrics(): MiddlewareHandler<AppEnv> {
  return async function httpMetricsMiddleware(c, next) {
    const started = performance.now();
    await next();
    // The pattern of whatever answered: a route, or the middleware that refused (`/api/*` for a 401).
    // Counted by the histogram alone: touchpoint_http_requests_total reads its counts (metrics.ts).
    httpDuration.observe(c.req.method, routePath(c) || 'unmatched', c.res.status, (performance.now() - started) / 1000);
  };
}

const LOOPBACK = /^(?:127\.|::1$|::ffff:127\.|local$)/;

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * GET /metrics in Prometheus text format. With METRICS_TOKEN set, a scraper sends it as a bearer
 * token (from anywhere); without it, only loopback clients may scrape (a Prometheus or agent on the
 * same host). `local` is an in-process request (tests' app.request), which has no socket.
 */
export function metricsRoutes(deps: Pick<AppDeps, 'metricsToken' | 'rateLimits'>) {
  return new Hono<AppEnv>().get('/', access('public'), async (c) => {
    if (deps.metricsToken) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header('authorization') ?? '');
      if (!match || !sameSecret(match[1]!, deps.metricsToken)) {
        throw new ProblemError('unauthorized', 'GET /metrics needs "Authorization: Bearer <METRICS_TOKEN>".', { headers: { 'WWW-Authenticate': 'Bearer realm="touchpoint-metrics"' } });
      }
    } else if (!LOOPBACK.test(clientAddress(c, deps.rateLimits?.trustedProxyHops ?? 0))) {
      throw new ProblemError('forbidden', 'GET /metrics is open to loopback clients only; set METRICS_TOKEN to scrape from elsewhere.');
    }
    return c.body(await registry.metrics(), 200, { 'Content-Type': registry.contentType, 'Cache-Control': 'no-store' });
  });
}

export const metricsOperation: Operation = {
  method: 'get',
  path: '/metrics',
  summary: 'Prometheus metrics (text format): requests by route and status with latency histograms, ingested items, ingest queue depth, results refresh durations, database pool. Loopback clients only, or `Authorization: Bearer <METRICS_TOKEN>` when it is set',
  tag: 'operations',
  auth: 'none',
  alternates: { 'text/plain': 'Prometheus text exposition format 0.0.4 (`text/plain; version=0.0.4`)' },
  headers: ['Cache-Control'],
  problems: [401, 403],
};
