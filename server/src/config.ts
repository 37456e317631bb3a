import path from 'node:path';
import { DEFAULT_STATEMENT_TIMEOUT_MS } from './db/deadlines.js';
import { INGEST_WRITERS } from './events/writer.js';
import type { RateLimits } from './http/rate-limit.js';
import type { AccessSettings, OidcSettings } from './auth/settings.js';
import { passwordProblem } from './auth/passwords.js';
import { isRole } from './access/roles.js';

/**
 * The one place that reads `process.env`. Everything else receives a `Config`.
 * Every variable is documented in the README's Configuration section.
 */
export interface Config {
  port: number;
  host: string;
  /** PostgreSQL connection string; when absent the embedded PGlite engine is used. */
  databaseUrl: string | undefined;
  /** Where PGlite keeps its files (ignored with DATABASE_URL). `memory://` keeps nothing. */
  dataDir: string;
  /** Optional preset admin key (adminKeyProblem: at least 20 characters and an estimated 64 bits). */
  adminKey: string | undefined;
  /** Largest accepted request body, in bytes. */
  maxBodyBytes: number;
  /** Built dashboard to serve at `/`, if present. */
  dashboardDir: string;
  /** Milliseconds to wait for in-flight requests on shutdown. */
  shutdownGraceMs: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** Seconds between background refreshes of running experiments' results; 0 turns it off. */
  resultsRefreshSeconds: number;
  /** Ingestion writes in flight at once (group commit, events/writer.ts). */
  ingestWriters: number;
  /** INGEST_QUEUE: NATS servers of the JetStream ingestion log (design.md §12); absent = direct writes. */
  ingestQueue: string[] | undefined;
  /** INGEST_STREAM: the JetStream stream's name. */
  ingestStream: string;
  /** INGEST_REPLICAS: copies of each queued item; absent = 3 on a cluster of three or more nodes, else 1. */
  ingestReplicas: number | undefined;
  /** INGEST_ACK_WAIT_SECONDS: a queued item delivered to a writer that neither commits nor answers within this goes to another writer. */
  ingestAckWaitSeconds: number;
  /** INGEST_QUEUE_WRITERS: queue writers run inside this server (0: only `npm run worker` processes write). */
  ingestQueueWriters: number;
  /**
   * EVENT_STORE: where exposures and events live (design.md §12). `postgres` (default): the tables of
   * DATABASE_URL or PGlite; `clickhouse`: ClickHouse at CLICKHOUSE_URL. The catalog and snapshots
   * always stay in PostgreSQL/PGlite.
   */
  eventStore: EventStoreConfig;
  /** DEMO=1: seed demo touchpoints, metrics, experiments and traffic on start (once). */
  demo: boolean;
  /** PostgreSQL: deadline of every statement of the request pool, in ms (db/deadlines.ts). */
  dbStatementTimeoutMs: number;
  /** PostgreSQL: deadline of every statement of background jobs (results refresh), in ms; 0 = none. */
  dbJobTimeoutMs: number;
  /** Failed-authentication and SDK request limits (http/rate-limit.ts). */
  rateLimits: RateLimits;
  /** Bearer token that GET /metrics requires; unset: loopback clients only (telemetry/routes.ts). */
  metricsToken: string | undefined;
  /** ADMIN_EMAIL + ADMIN_PASSWORD: the first admin user (auth/bootstrap.ts). */
  adminEmail: string | undefined;
  adminPassword: string | undefined;
  /** Sessions, cookies, links and SSO (auth/settings.ts). */
  access: AccessSettings;
  /** WEBHOOK_ALLOW_PRIVATE=1: webhooks may target private, loopback and link-local addresses (off: 422 / refused at delivery). */
  webhookAllowPrivate: boolean;
}

export type EventStoreConfig =
  | { kind: 'postgres' }
  /** `urls`: one HTTP URL per shard (CLICKHOUSE_URL, comma-separated); `cluster`: CLICKHOUSE_CLUSTER. */
  | { kind: 'clickhouse'; urls: string[]; cluster: string | undefined };

export class ConfigError extends Error {}

/** Minimum estimated entropy of a preset ADMIN_KEY; generated keys carry about 190 bits. */
export const MIN_ADMIN_KEY_BITS = 64;
export const MIN_ADMIN_KEY_LENGTH = 20;

/**
 * An estimate of a key's entropy: the length of its shortest repeating unit ("password1password1…"
 * counts as "password1") times the Shannon entropy of that unit's own character frequencies.
 * "aaaaaaaaaaaaaaaa" scores 0 and "abab…" 1 bit, while a random base62 key of 20 characters scores
 * about 80. It cannot see every weak key (a keyboard walk of distinct characters scores well), so
 * the README says to generate the key; it refuses the obviously weak ones typed by hand.
 */
export function estimatedBits(key: string): number {
  const all = [...key];
  // Shortest period p: every character equals the one p places before it.
  let period = 1;
  while (period < all.length && !all.every((ch, i) => i < period || ch === all[i - period])) period++;
  const chars = all.slice(0, period);
  const counts = new Map<string, number>();
  for (const ch of chars) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let perChar = 0;
  for (const n of counts.values()) perChar -= (n / chars.length) * Math.log2(n / chars.length);
  return chars.length * perChar;
}

/** INGEST_QUEUE: comma-separated nats:// (or tls://) URLs. */
function ingestQueue(raw: string | undefined): string[] | undefined {
  if (!raw) return undefined;
  const urls = raw.split(',').map((s) => s.trim()).filter(Boolean);
  for (const url of urls) {
    if (!/^(nats|tls):\/\/[^\s/]+\/?$/.test(url)) throw new ConfigError(`INGEST_QUEUE must list nats://host:port URLs separated by commas, got "${url}"`);
  }
  if (urls.length === 0) throw new ConfigError('INGEST_QUEUE is empty');
  return urls;
}

/** EVENT_STORE, CLICKHOUSE_URL, CLICKHOUSE_CLUSTER. */
function eventStore(env: NodeJS.ProcessEnv): EventStoreConfig {
  const kind = (env.EVENT_STORE || 'postgres').trim();
  if (kind !== 'postgres' && kind !== 'clickhouse') throw new ConfigError(`EVENT_STORE must be postgres or clickhouse, got "${kind}"`);
  if (kind === 'postgres') {
    if (env.CLICKHOUSE_URL || env.CLICKHOUSE_CLUSTER) throw new ConfigError('CLICKHOUSE_URL and CLICKHOUSE_CLUSTER need EVENT_STORE=clickhouse (events are stored in PostgreSQL otherwise)');
    return { kind };
  }
  const urls = (env.CLICKHOUSE_URL ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (urls.length === 0) throw new ConfigError('EVENT_STORE=clickhouse needs CLICKHOUSE_URL: the HTTP URL of each shard, comma-separated (e.g. http://ch1:8123,http://ch2:8123)');
  for (const url of urls) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new ConfigError(`CLICKHOUSE_URL must list http(s)://host:port URLs separated by commas, got "${url}"`);
    }
    if ((parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || parsed.search || parsed.hash || (parsed.pathname !== '/' && parsed.pathname !== '')) {
      throw new ConfigError(`CLICKHOUSE_URL must list http(s)://host:port URLs separated by commas, got "${url}"`);
    }
  }
  if (new Set(urls.map((u) => new URL(u).href)).size !== urls.length) throw new ConfigError('CLICKHOUSE_URL lists a shard twice');
  const cluster = env.CLICKHOUSE_CLUSTER?.trim() || undefined;
  // The cluster name is pasted into DDL (Distributed(cluster, …)): an identifier, nothing else.
  if (cluster !== undefined && !/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(cluster)) throw new ConfigError('CLICKHOUSE_CLUSTER must be the name of a cluster of the servers\' remote_servers (letters, digits, "_")');
  // Without a cluster nothing routes rows to other shards: every write would land on the first.
  if (urls.length > 1 && !cluster) throw new ConfigError('CLICKHOUSE_URL lists several shards: set CLICKHOUSE_CLUSTER to the cluster (remote_servers) they form, so rows are routed by unit id');
  return { kind, urls, cluster };
}

function streamName(raw: string | undefined): string {
  const name = raw || 'touchpoint-ingest';
  // JetStream names: no dots, spaces, wildcards or path separators.
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(name)) throw new ConfigError('INGEST_STREAM must be 1 to 32 letters, digits, "-" or "_"');
  return name;
}

function metricsToken(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  if (raw.length < 16 || raw.length > 200 || /\s/.test(raw)) throw new ConfigError('METRICS_TOKEN must be 16 to 200 characters without whitespace');
  return raw;
}

/** Why a preset ADMIN_KEY is refused, or null. */
export function adminKeyProblem(key: string): string | null {
  if (key.length < MIN_ADMIN_KEY_LENGTH || key.length > 200 || /\s/.test(key)) {
    return `ADMIN_KEY must be ${MIN_ADMIN_KEY_LENGTH} to 200 characters without whitespace`;
  }
  const bits = estimatedBits(key);
  if (bits < MIN_ADMIN_KEY_BITS) {
    return `ADMIN_KEY is too guessable (about ${Math.floor(bits)} bits by its character frequencies, at least ${MIN_ADMIN_KEY_BITS} needed): generate one, e.g. \`openssl rand -base64 32\``;
  }
  return null;
}

const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

function adminPerson(env: NodeJS.ProcessEnv): { adminEmail: string | undefined; adminPassword: string | undefined } {
  const adminEmail = env.ADMIN_EMAIL?.trim() || undefined;
  const adminPassword = env.ADMIN_PASSWORD || undefined;
  if (!adminEmail !== !adminPassword) throw new ConfigError('ADMIN_EMAIL and ADMIN_PASSWORD go together: set both or neither');
  if (adminEmail && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(adminEmail)) throw new ConfigError('ADMIN_EMAIL must be an email address');
  const problem = adminPassword ? passwordProblem(adminPassword) : null;
  if (problem) throw new ConfigError(`ADMIN_PASSWORD ${problem}`);
  return { adminEmail, adminPassword };
}

function oidcSettings(env: NodeJS.ProcessEnv): OidcSettings | undefined {
  const issuer = env.OIDC_ISSUER || undefined;
  const clientId = env.OIDC_CLIENT_ID || undefined;
  const clientSecret = env.OIDC_CLIENT_SECRET || undefined;
  if (!issuer && !clientId && !clientSecret) return undefined;
  if (!issuer || !clientId || !clientSecret) throw new ConfigError('SSO needs OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET together');
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new ConfigError('OIDC_ISSUER must be a URL');
  }
  const loopback = /^(127\.|localhost$|\[::1\]$)/.test(url.hostname);
  if (url.protocol !== 'https:' && !loopback) throw new ConfigError('OIDC_ISSUER must be https (plain http only for a provider on this machine)');
  const defaultRole = env.OIDC_DEFAULT_ROLE || 'viewer';
  if (!isRole(defaultRole)) throw new ConfigError('OIDC_DEFAULT_ROLE must be viewer, editor or admin');
  return { issuer, clientId, clientSecret, defaultRole, allowInsecureIssuer: url.protocol === 'http:' };
}

function publicUrl(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  try {
    const url = new URL(raw);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error();
    return url.href.replace(/\/+$/, '');
  } catch {
    throw new ConfigError('PUBLIC_URL must be an http(s) URL such as https://touchpoint.shop.example');
  }
}

function intVar(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
  }
  return value;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // npm runs workspace scripts inside the workspace folder; INIT_CWD is where the user typed the
  // command, so relative paths such as ./data mean what the user expects.
  const baseDir = env.INIT_CWD ?? process.cwd();
  const repoRoot = path.resolve(import.meta.dirname, '../..');
  const adminKey = env.ADMIN_KEY || undefined;
  const adminKeyRefusal = adminKey === undefined ? null : adminKeyProblem(adminKey);
  if (adminKeyRefusal) throw new ConfigError(adminKeyRefusal);
  const logLevel = (env.LOG_LEVEL ?? 'info') as Config['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  }
  const dataDir = env.DATA_DIR ?? './data';
  return {
    port: intVar(env, 'PORT', 3000, 0, 65535),
    host: env.HOST || '127.0.0.1',
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: dataDir.startsWith('memory://') ? dataDir : path.resolve(baseDir, dataDir),
    adminKey,
    maxBodyBytes: intVar(env, 'MAX_BODY_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
    dashboardDir: path.resolve(baseDir, env.DASHBOARD_DIR ?? path.join(repoRoot, 'dashboard/dist')),
    shutdownGraceMs: intVar(env, 'SHUTDOWN_GRACE_MS', 10_000, 0, 600_000),
    logLevel,
    resultsRefreshSeconds: intVar(env, 'RESULTS_REFRESH_SECONDS', 60, 0, 86_400),
    // At most 8 of the pool's 10 connections, so every other route always finds one.
    ingestWriters: intVar(env, 'INGEST_WRITERS', INGEST_WRITERS, 1, 8),
    ingestQueue: ingestQueue(env.INGEST_QUEUE),
    ingestStream: streamName(env.INGEST_STREAM),
    ingestReplicas: env.INGEST_REPLICAS ? intVar(env, 'INGEST_REPLICAS', 3, 1, 5) : undefined,
    ingestAckWaitSeconds: intVar(env, 'INGEST_ACK_WAIT_SECONDS', 30, 1, 3600),
    ingestQueueWriters: intVar(env, 'INGEST_QUEUE_WRITERS', 1, 0, 16),
    eventStore: eventStore(env),
    demo: env.DEMO === '1' || env.DEMO === 'true',
    dbStatementTimeoutMs: intVar(env, 'DB_STATEMENT_TIMEOUT_MS', DEFAULT_STATEMENT_TIMEOUT_MS, 100, 600_000),
    dbJobTimeoutMs: intVar(env, 'DB_JOB_TIMEOUT_MS', 300_000, 0, 3_600_000),
    metricsToken: metricsToken(env.METRICS_TOKEN),
    webhookAllowPrivate: env.WEBHOOK_ALLOW_PRIVATE === '1' || env.WEBHOOK_ALLOW_PRIVATE === 'true',
    ...adminPerson(env),
    access: {
      sessions: {
        idleSeconds: intVar(env, 'SESSION_IDLE_MINUTES', 720, 5, 43_200) * 60,
        maxSeconds: intVar(env, 'SESSION_MAX_HOURS', 168, 1, 8_760) * 3600,
      },
      cookieSecure: env.COOKIE_SECURE === '1' || env.COOKIE_SECURE === 'true',
      publicUrl: publicUrl(env.PUBLIC_URL),
      oidc: oidcSettings(env),
    },
    rateLimits: {
      authFailures: intVar(env, 'AUTH_FAILURE_LIMIT', 20, 0, 1_000_000),
      authWindowSeconds: intVar(env, 'AUTH_FAILURE_WINDOW_SECONDS', 60, 1, 86_400),
      sdkRequestsPerMinute: intVar(env, 'SDK_RATE_LIMIT_PER_MINUTE', 60_000, 0, 100_000_000),
      trustedProxyHops: intVar(env, 'TRUSTED_PROXY_HOPS', 0, 0, 10),
      loginFailuresPerEmail: intVar(env, 'LOGIN_FAILURE_LIMIT', 10, 0, 1_000_000),
      loginWindowSeconds: intVar(env, 'LOGIN_FAILURE_WINDOW_SECONDS', 900, 1, 86_400),
    },
  };
}
