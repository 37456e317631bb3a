import type { Kysely } from 'kysely';
import type { Database, Role } from '../db/schema.js';
import type { ChangeFeed } from '../db/change-feed.js';
import { type EventStore, postgresEventStore } from '../events/event-store.js';
import type { IngestWriter } from '../events/writer.js';
import type { LiveCatalog } from '../live/catalog.js';
import type { Logger } from './logger.js';
import type { AuthFailureLimiter, RateLimits } from './rate-limit.js';
import type { AccessSettings } from '../auth/settings.js';

export interface AuthenticatedKey {
  id: string;
  kind: 'admin' | 'sdk';
  allowedOrigins: string[];
  name: string;
  role: Role | null;
}

/** Who a request on /api acts as (access/authorize.ts): a signed-in person or an admin key. */
export interface Principal {
  type: 'user' | 'key';
  id: string;
  name: string;
  role: Role;
  /** Users: their email; the session and its CSRF token when signed in with a cookie. */
  email?: string;
  session?: { id: string; csrfToken: string; expiresAt: Date };
}

/** Hono environment shared by every route: per-request values set by middleware. */
export interface AppEnv {
  Variables: {
    requestId: string;
    apiKey: AuthenticatedKey;
    principal: Principal;
    /** Set by the body-size middleware (http/body.ts). */
    maxBodyBytes: number;
    /** Headers every response to the request carries, decided before the handler (http/response-headers.ts). */
    responseHeaders: Record<string, string>;
    /** True once a handler answered with those headers already merged in (respond()). */
    responseHeadersSent: boolean;
  };
}

/** Everything the app needs from the outside, passed in (never imported as singletons). */
export interface AppDeps {
  db: Kysely<Database>;
  logger: Logger;
  /** Injected so tests can control time. */
  now: () => Date;
  maxBodyBytes: number;
  dashboardDir?: string | undefined;
  /**
   * Where /sdk/events and /sdk/assign's exposures go instead of the database (INGEST_QUEUE:
   * queue/queue-publisher.ts); absent = written directly, each request answered after its commit.
   */
  ingest?: IngestWriter | undefined;
  /**
   * Where exposures and events are stored, read and erased (EVENT_STORE, events/event-store.ts);
   * absent = the tables of `db` (eventStoreOf).
   */
  events?: EventStore | undefined;
  /** Ingestion writes in flight at once (events/write-coalescer.ts); default INGEST_WRITERS. */
  ingestWriters?: number;
  /**
   * The in-process view the SDK endpoints read (live/catalog.ts); createApp makes one when absent,
   * listening to `changes` or, failing that, to the feed of the handle that made `db`.
   */
  catalog?: LiveCatalog;
  /** Change notifications of `db` (db/change-feed.ts); main.ts passes the handle's. */
  changes?: ChangeFeed | undefined;
  /** True once a graceful stop has begun (http/drain.ts): `/ready` answers 503. */
  draining?: () => boolean;
  /** Rate limits (http/rate-limit.ts); none when absent. main.ts passes the configured ones. */
  rateLimits?: RateLimits;
  /** Failed-authentication counter shared by every authenticating middleware; createApp makes it from rateLimits. */
  authFailures?: AuthFailureLimiter;
  /** Bearer token for GET /metrics; without it only loopback clients may scrape (telemetry/routes.ts). */
  metricsToken?: string | undefined;
  /** Team access: sessions, cookies, links, SSO (auth/settings.ts); defaults when absent. */
  access?: AccessSettings;
  /** WEBHOOK_ALLOW_PRIVATE=1: webhooks may point at private, loopback and link-local addresses (webhooks/address-guard.ts). */
  webhookAllowPrivate?: boolean;
}

/** The app's event store: the configured one, else the tables of `db`. */
export function eventStoreOf(deps: Pick<AppDeps, 'db' | 'events'>): EventStore {
  return deps.events ?? postgresEventStore(deps.db);
}
