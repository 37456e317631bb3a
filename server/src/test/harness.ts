import type { Kysely } from 'kysely';
import { createApp } from '../app.js';
import type { Database } from '../db/schema.js';
import type { IngestWriter } from '../events/writer.js';
import type { EventStore } from '../events/event-store.js';
import { createMemoryLogger } from '../http/logger.js';
import { createKey } from '../keys/repository.js';
import { withResponseValidation } from './openapi-validator.js';
import type { RateLimits } from '../http/rate-limit.js';
import type { AccessSettings } from '../auth/settings.js';

const SYSTEM = { keyId: null, requestId: 'test' };

export interface Harness {
  app: ReturnType<typeof createApp>;
  adminKey: string;
  sdkKey: string;
  logger: ReturnType<typeof createMemoryLogger>;
  /** JSON request with the admin key unless `key` says otherwise (null = no Authorization header). */
  call(method: string, path: string, body?: unknown, options?: { key?: string | null; headers?: Record<string, string> }): Promise<Response>;
}

/** A real app on a real database, with fresh admin and SDK keys; nothing is mocked. */
export async function createHarness(
  db: Kysely<Database>,
  options: { now?: () => Date; maxBodyBytes?: number; webhookAllowPrivate?: boolean; ingest?: IngestWriter; dashboardDir?: string; rateLimits?: RateLimits; access?: AccessSettings; events?: EventStore } = {},
): Promise<Harness> {
  const logger = createMemoryLogger();
  // Every response a test sees is checked against the OpenAPI document (openapi-validator.ts).
  const app = withResponseValidation(createApp({ db, ingest: options.ingest, logger, now: options.now ?? (() => new Date()), maxBodyBytes: options.maxBodyBytes ?? 1024 * 1024, webhookAllowPrivate: options.webhookAllowPrivate ?? false, dashboardDir: options.dashboardDir, ...(options.rateLimits && { rateLimits: options.rateLimits }), ...(options.access && { access: options.access }), ...(options.events && { events: options.events }) }));
  const adminKey = (await createKey(db, SYSTEM, { kind: 'admin', name: 'test admin' })).secret;
  const sdkKey = (await createKey(db, SYSTEM, { kind: 'sdk', name: 'test sdk' })).secret;
  return {
    app,
    adminKey,
    sdkKey,
    logger,
    call: (method, path, body, { key = adminKey, headers = {} } = {}) =>
      Promise.resolve(
        app.request(path, {
          method,
          headers: {
            ...(key !== null && { Authorization: `Bearer ${key}` }),
            ...(body !== undefined && { 'Content-Type': 'application/json' }),
            ...headers,
          },
          ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
        }),
      ),
  };
}

/** Minimal valid fixtures along a shop funnel. */
export const fixtures = {
  touchpoint: (key = 'checkout-cta') => ({ key, name: 'Checkout CTA', kind: 'cta', funnelStage: 'purchase' }),
  metric: (key = 'purchase') => ({ key, name: 'Purchase', type: 'conversion', eventName: 'purchase' }),
  experiment: (key = 'checkout-cta-copy', overrides: Record<string, unknown> = {}) => ({
    key,
    name: 'Checkout CTA copy',
    hypothesis: 'Urgency lifts purchases',
    touchpointKey: 'checkout-cta',
    variants: [
      { key: 'control', name: 'Buy now', weight: 0.5, payload: { label: 'Buy now' } },
      { key: 'urgent', name: 'Buy now, ships today', weight: 0.5, payload: { label: 'Buy now, ships today' } },
    ],
    primaryMetric: 'purchase',
    ...overrides,
  }),
};

/** Creates the touchpoint and metric the experiment fixture refers to. */
export async function seedCatalog(h: Harness): Promise<void> {
  for (const [path, body] of [['/api/touchpoints', fixtures.touchpoint()], ['/api/metrics', fixtures.metric()]] as const) {
    const res = await h.call('POST', path, body);
    if (res.status !== 201 && res.status !== 409) throw new Error(`seed ${path}: ${res.status} ${await res.text()}`);
  }
}
