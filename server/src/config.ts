import path from 'node:path';
import { INGEST_WRITERS } from './events/writer.js';

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
  /** Optional preset admin key (at least 16 characters). */
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
  /** DEMO=1: seed demo touchpoints, metrics, experiments and traffic on start (once). */
  demo: boolean;
}

export class ConfigError extends Error {}

const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

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
  if (adminKey !== undefined && (adminKey.length < 16 || adminKey.length > 200 || /\s/.test(adminKey))) {
    throw new ConfigError('ADMIN_KEY must be 16 to 200 characters without whitespace');
  }
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
    demo: env.DEMO === '1' || env.DEMO === 'true',
  };
}
