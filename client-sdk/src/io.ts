/**
 * Everything the client touches outside itself, injectable so that tests are deterministic and
 * the SDK runs in Node without browser globals. Defaults are read when a client is created,
 * never at import.
 */

/** The subset of the Web Storage API the SDK uses (localStorage, or any store with this shape). */
export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export type TimerHandle = unknown;

export interface Io {
  fetch: typeof fetch | undefined;
  storage: StorageLike | null;
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  random(): number;
  /** A fresh unique id (UUID v4 format) for anonymous units and for queued items. */
  id(): string;
}

export interface IoOptions {
  fetch?: typeof fetch;
  /** `null` disables persistence; default `localStorage` when reachable. */
  storage?: StorageLike | null;
  now?: () => number;
  setTimeout?: (fn: () => void, ms: number) => TimerHandle;
  clearTimeout?: (handle: TimerHandle) => void;
  /** Used for ids and retry jitter (never for assignment, which is hashed). */
  random?: () => number;
}

const g = globalThis as {
  localStorage?: StorageLike;
  crypto?: { randomUUID?: () => string };
};

function defaultStorage(): StorageLike | null {
  // Reading localStorage throws in sandboxed iframes and some privacy modes.
  try {
    return g.localStorage ?? null;
  } catch {
    return null;
  }
}

export function resolveIo(o: IoOptions): Io {
  const random = o.random ?? Math.random;
  const uuid = !o.random && g.crypto?.randomUUID?.bind(g.crypto);
  return {
    fetch: o.fetch ?? (typeof fetch === 'function' ? fetch.bind(globalThis) : undefined),
    storage: o.storage === undefined ? defaultStorage() : o.storage,
    now: o.now ?? Date.now,
    setTimeout: o.setTimeout ?? ((fn, ms) => {
      const t = setTimeout(fn, ms) as { unref?: () => void };
      t.unref?.(); // a background refresh must not keep a Node process alive
      return t;
    }),
    clearTimeout: o.clearTimeout ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>)),
    random,
    id: uuid || (() => 'xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx'.replace(/[xy]/g, (c) => {
      const r = (random() * 16) | 0;
      return (c === 'x' ? r : (r & 3) | 8).toString(16);
    })),
  };
}

/** JSON read that never throws: corrupt or unreadable entries read as absent. */
export function readJson<T>(storage: StorageLike | null, key: string): T | undefined {
  try {
    const raw = storage?.getItem(key);
    return raw ? (JSON.parse(raw) as T) : undefined;
  } catch {
    return undefined;
  }
}

/** JSON write that reports instead of throwing (quota exceeded, storage disabled). */
export function writeJson(storage: StorageLike | null, key: string, value: unknown): boolean {
  try {
    if (value === undefined) storage?.removeItem(key);
    else storage?.setItem(key, JSON.stringify(value));
    return true;
  } catch {
    return false;
  }
}

/** An AbortSignal that fires after `ms` (undefined where AbortSignal.timeout is missing). */
export const timeoutSignal = (ms: number): AbortSignal | undefined =>
  typeof AbortSignal !== 'undefined' && AbortSignal.timeout ? AbortSignal.timeout(ms) : undefined;
