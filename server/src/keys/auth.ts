import type { Context, MiddlewareHandler } from 'hono';
import type { AppDeps, AppEnv } from '../http/context.js';
import { clientAddress } from '../http/client-address.js';
import { ProblemError } from '../http/problem.js';
import { type ApiKey, findActiveKeyByDigest, touchKey } from './repository.js';
import { hashKey } from './tokens.js';
import type { KeyKind } from './tokens.js';
import { requestHeader } from '../http/request-header.js';

const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * Bearer-key authentication. `allowed` lists the kinds of key that may pass; a valid key of another
 * kind gets 403, a missing or unknown key 401.
 */
export function requireKey(
  deps: Pick<AppDeps, 'db' | 'now' | 'logger' | 'catalog' | 'authFailures' | 'rateLimits'>,
  allowed: readonly KeyKind[],
  /** Query parameter that may carry an SDK key: `navigator.sendBeacon` cannot set headers. */
  options: { queryParam?: string } = {},
): MiddlewareHandler<AppEnv> {
  const authenticate = keyAuthenticator(deps, allowed, options);
  // Not async: a key found in the live view is checked without a promise (every /sdk request).
  return function requireKeyMiddleware(c, next) {
    const key = authenticate(c);
    return key instanceof Promise ? key.then(() => next()) : next();
  };
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;
const challenge = () => ({ headers: { 'WWW-Authenticate': 'Bearer realm="touchpoint"' } });

/**
 * The key check itself, for a middleware that also accepts other credentials (access/authorize.ts):
 * sets `apiKey` and returns the key, or throws the 401/403/429. An SDK key the live view holds is
 * answered at once (no promise: the SDK hot path); anything else (admin keys, a view still loading, a
 * key created a moment ago elsewhere) as a promise.
 */
export function keyAuthenticator(
  deps: Pick<AppDeps, 'db' | 'now' | 'logger' | 'catalog' | 'authFailures' | 'rateLimits'>,
  allowed: readonly KeyKind[],
  { queryParam }: { queryParam?: string } = {},
): (c: Context<AppEnv>) => ApiKey | Promise<ApiKey> {
  // last_used_at is informative: write it at most once a minute per key, not on every request.
  const lastTouched = new Map<string, number>();
  const mayUseSdkKey = allowed.includes('sdk');
  // SDK keys (public: shipped in browsers) seen valid here, with their digests: one hash less per SDK
  // request. Validity is still read from the live view on every request; admin keys are not kept.
  const sdkDigests = new Map<string, string>();

  /** A key found valid: the kind and transport checks, then `apiKey` and the (rare) last-use write. */
  const accept = (c: Context<AppEnv>, key: ApiKey, fromQuery: string | undefined): ApiKey => {
    // Only public SDK keys may travel in a URL (URLs end up in logs and browser history).
    if (fromQuery !== undefined && key.kind !== 'sdk') {
      throw new ProblemError('forbidden', `Only SDK keys may be sent as ?${queryParam}=; send admin keys in the Authorization header.`);
    }
    if (!allowed.includes(key.kind)) {
      throw new ProblemError('forbidden', `A ${key.kind} key cannot use ${c.req.path}; use ${allowed.join(' or ')} key.`);
    }
    c.set('apiKey', { id: key.id, kind: key.kind, allowedOrigins: key.allowedOrigins, name: key.name, role: key.role });
    const nowMs = deps.now().getTime();
    if (nowMs - (lastTouched.get(key.id) ?? 0) > LAST_USED_RESOLUTION_MS) {
      lastTouched.set(key.id, nowMs);
      touchKey(deps.db, key.id, new Date(nowMs)).catch((error: unknown) =>
        deps.logger.warn('could not record key use', { keyId: key.id, error: String(error) }),
      );
    }
    return key;
  };

  const remember = (secret: string, digest: string) => {
    if (sdkDigests.has(secret)) return;
    if (sdkDigests.size >= 1000) sdkDigests.clear();
    sdkDigests.set(secret, digest);
  };

  /** The slow path: wait for the view (first load, announced change), then the database. */
  const lookUp = async (c: Context<AppEnv>, secret: string, digest: string, fromQuery: string | undefined): Promise<ApiKey> => {
    // SDK keys come from the in-process view (live/catalog.ts): no query on the SDK hot path. Admin keys,
    // and a key the view does not hold yet (created a moment ago on another instance), are looked up.
    let key: ApiKey | null = (mayUseSdkKey && (await deps.catalog?.current().catch(() => undefined))?.sdkKeys.get(digest)) || null;
    if (key) remember(secret, digest);
    if (!key) {
      // An address over the failure limit is answered 429 from memory: a flood of guesses costs no
      // database work. A cached SDK key (above) still passes, so a shop behind the same NAT keeps working.
      const nowMs = deps.now().getTime();
      const address = deps.authFailures ? clientAddress(c, deps.rateLimits?.trustedProxyHops ?? 0) : '';
      deps.authFailures?.assertAllowed(address, nowMs);
      key = await findActiveKeyByDigest(deps.db, digest);
      if (!key) await deps.authFailures?.recordFailure(address, nowMs);
    }
    if (!key) throw new ProblemError('unauthorized', 'Unknown or revoked API key.', challenge());
    return accept(c, key, fromQuery);
  };

  return function authenticateKey(c) {
    const header = requestHeader(c, 'authorization');
    const match = header === undefined ? null : BEARER.exec(header);
    const fromQuery = !match && queryParam ? c.req.query(queryParam) : undefined;
    const secret = match?.[1] ?? fromQuery;
    if (!secret) {
      throw new ProblemError('unauthorized', 'Missing API key: send "Authorization: Bearer <key>".', challenge());
    }
    // No key is longer than 200 characters: refuse before hashing whatever a client sent.
    if (secret.length > 200) throw new ProblemError('unauthorized', 'Unknown or revoked API key.', challenge());
    const digest = sdkDigests.get(secret) ?? hashKey(secret);
    // The hot path: the view is loaded and current, and holds this SDK key.
    const key = mayUseSdkKey ? deps.catalog?.ready()?.sdkKeys.get(digest) : undefined;
    if (!key) return lookUp(c, secret, digest, fromQuery);
    remember(secret, digest);
    return accept(c, key, fromQuery);
  };
}
