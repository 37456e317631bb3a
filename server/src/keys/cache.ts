import type { ApiKey } from './repository.js';

/**
 * A short-lived cache of SDK keys by digest. SDK keys authenticate every event batch a shop's
 * visitors send; without it each batch pays a key lookup round trip. Admin keys are never cached,
 * so revoking one takes effect at once; a revoked SDK key is dropped from this instance's cache at
 * once and expires within `ttlMs` on other instances.
 */
export interface KeyCache {
  get(digest: string, now: number): ApiKey | undefined;
  set(digest: string, key: ApiKey, now: number): void;
  forget(keyId: string): void;
}

export function createKeyCache({ ttlMs = 10_000, maxEntries = 1_000 } = {}): KeyCache {
  const entries = new Map<string, { key: ApiKey; expires: number }>();
  return {
    get(digest, now) {
      const entry = entries.get(digest);
      if (!entry) return undefined;
      if (entry.expires <= now) {
        entries.delete(digest);
        return undefined;
      }
      return entry.key;
    },
    set(digest, key, now) {
      if (key.kind !== 'sdk') return;
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
      entries.set(digest, { key, expires: now + ttlMs });
    },
    forget(keyId) {
      for (const [digest, entry] of entries) if (entry.key.id === keyId) entries.delete(digest);
    },
  };
}
