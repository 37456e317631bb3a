import { createHash } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/schema.js';
import type { AppEnv } from './context.js';
import type { Logger } from './logger.js';
import { ProblemError } from './problem.js';

/**
 * Every rate limit of the server, in one place (design.md §11: 429 + Retry-After):
 * - failed authentications per client address, counted in PostgreSQL so every instance shares the
 *   count; once an address is over the limit each instance answers it from memory, so a flood of
 *   wrong keys costs no database work (createAuthFailureLimiter, used by keys/auth.ts);
 * - requests per SDK key on `/sdk/events` and `/sdk/assign`, counted in memory per instance
 *   (rateLimit below): a shop's whole traffic shares one public key, so this is a ceiling against a
 *   runaway or abusive client, sized per instance (N instances allow N times the figure).
 * - failed sign-ins per email address (POST /api/auth/login), counted like failed authentications
 *   (createAuthFailureLimiter with its own scope), so guessing one person's password from many
 *   addresses is slowed too.
 * All are fixed windows: simple, one counter per subject and window, and a client over the limit
 * learns exactly when it may try again.
 */
export interface RateLimits {
  /** Failed authentications allowed per client address per window, across instances; 0 = no limit. */
  authFailures: number;
  authWindowSeconds: number;
  /** `/sdk/events` + `/sdk/assign` requests per SDK key per minute, per instance; 0 = no limit. */
  sdkRequestsPerMinute: number;
  /** Reverse proxies in front whose X-Forwarded-For is trusted (http/client-address.ts). */
  trustedProxyHops: number;
  /**
   * Failed sign-ins allowed per email address per window, across instances (POST /api/auth/login);
   * 0 = no limit, absent = 10 per 15 minutes. Failed sign-ins also count as failed authentications of
   * their client address (authFailures above).
   */
  loginFailuresPerEmail?: number;
  loginWindowSeconds?: number;
}

export const DEFAULT_LOGIN_LIMIT = { failures: 10, windowSeconds: 900 };

export function tooManyRequests(retryAfterSeconds: number, detail: string): ProblemError {
  const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
  return new ProblemError('rate-limited', `${detail} Retry in ${seconds} s.`, { headers: { 'Retry-After': String(seconds) } });
}

const windowStart = (nowMs: number, windowMs: number) => Math.floor(nowMs / windowMs) * windowMs;

/** A fixed-window counter in memory; at most `maxSubjects` subjects are remembered per window. */
export function memoryWindows(windowMs: number, maxSubjects = 10_000) {
  let current = { start: -1, hits: new Map<string, number>() };
  return {
    hit(subject: string, nowMs: number): { hits: number; resetMs: number } {
      const start = windowStart(nowMs, windowMs);
      if (start !== current.start) current = { start, hits: new Map() };
      const hits = (current.hits.get(subject) ?? 0) + 1;
      // Past the bound a new subject is not remembered (counted as its first hit): memory stays flat.
      if (current.hits.has(subject) || current.hits.size < maxSubjects) current.hits.set(subject, hits);
      return { hits, resetMs: start + windowMs - nowMs };
    },
  };
}

/** The one middleware factory for request-rate limits: `subject` names who is counted (undefined: not limited). */
export function rateLimit(options: {
  limit: number;
  windowMs: number;
  subject: (c: Context<AppEnv>) => string | undefined;
  describe: string;
  now?: () => number;
}): MiddlewareHandler<AppEnv> {
  const windows = memoryWindows(options.windowMs);
  const now = options.now ?? Date.now;
  return function rateLimitMiddleware(c, next) {
    const subject = options.limit > 0 ? options.subject(c) : undefined;
    if (subject !== undefined) {
      const { hits, resetMs } = windows.hit(subject, now());
      if (hits > options.limit) throw tooManyRequests(resetMs / 1000, `More than ${options.limit} ${options.describe}.`);
    }
    return next();
  };
}

export interface AuthFailureLimiter {
  /** Throws 429 when `address` is known to be over the limit; no database work. */
  assertAllowed(address: string, nowMs: number): void;
  /** Counts a failed authentication (one upsert, shared by every instance); throws 429 past the limit. */
  recordFailure(address: string, nowMs: number): Promise<void>;
}

const SCOPE_AUTH = 'auth-failure';
const digest = (address: string) => createHash('sha256').update(address).digest('base64url').slice(0, 22);

/**
 * Counts failures per subject (a client address by default) in PostgreSQL, shared by every instance.
 * `scope` and `subjectName` make other counters of the same kind (failed sign-ins per email); the
 * subject is stored as a digest, never as the address or email itself.
 */
export function createAuthFailureLimiter(
  db: Kysely<Database>,
  logger: Logger,
  limits: Pick<RateLimits, 'authFailures' | 'authWindowSeconds'>,
  { scope = SCOPE_AUTH, subjectName = 'address' }: { scope?: string; subjectName?: string } = {},
): AuthFailureLimiter {
  const windowMs = limits.authWindowSeconds * 1000;
  /** Addresses over the limit and the end of their window: answered without the database. */
  const blocked = new Map<string, number>();
  let lastPrune = 0;
  const describe = `${limits.authFailures} failed authentications ${subjectName === 'address' ? 'from this address' : `for this ${subjectName}`} in ${limits.authWindowSeconds} s.`;
  const block = (address: string, until: number, nowMs: number) => {
    if (blocked.size >= 10_000) for (const [a, end] of blocked) if (end <= nowMs) blocked.delete(a);
    if (blocked.size < 10_000) blocked.set(address, until);
  };
  return {
    assertAllowed(address, nowMs) {
      if (limits.authFailures <= 0) return;
      const until = blocked.get(address);
      if (until === undefined) return;
      if (until <= nowMs) blocked.delete(address);
      else throw tooManyRequests((until - nowMs) / 1000, `More than ${describe}`);
    },
    async recordFailure(address, nowMs) {
      if (limits.authFailures <= 0) return;
      const start = windowStart(nowMs, windowMs);
      const row = await db
        .insertInto('rate_limit_windows')
        .values({ scope, subject: digest(address), window_start: new Date(start), hits: 1 })
        .onConflict((oc) => oc.columns(['scope', 'subject', 'window_start']).doUpdateSet({ hits: sql`rate_limit_windows.hits + 1` }))
        .returning('hits')
        .executeTakeFirstOrThrow();
      if (nowMs - lastPrune > windowMs) {
        lastPrune = nowMs;
        // Windows older than the current one count for nothing; removed in the background.
        db.deleteFrom('rate_limit_windows').where('scope', '=', scope).where('window_start', '<', new Date(start - windowMs)).execute()
          .catch((error: unknown) => logger.warn('could not prune rate-limit windows', { error: String(error) }));
      }
      // From the limit on, this instance answers the address from memory until the window ends.
      if (row.hits >= limits.authFailures) block(address, start + windowMs, nowMs);
      if (row.hits > limits.authFailures) throw tooManyRequests((start + windowMs - nowMs) / 1000, `More than ${describe}`);
    },
  };
}
