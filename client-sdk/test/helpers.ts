// Deterministic fakes for the client's injected I/O: storage, clock + timers, random, fetch.
import type { SdkConfig, StorageLike } from '../src/index.js';

export function memoryStorage(): StorageLike & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (k) => data.get(k) ?? null,
    setItem: (k, v) => void data.set(k, String(v)),
    removeItem: (k) => void data.delete(k),
  };
}

/** A manual clock: timers fire only when the test advances time. */
export function fakeClock(start = Date.parse('2026-11-22T10:00:00Z')) {
  let now = start;
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    now: () => now,
    setTimeout: (fn: () => void, ms: number) => {
      timers.set(++seq, { at: now + ms, fn });
      return seq;
    },
    clearTimeout: (h: unknown) => void timers.delete(h as number),
    pending: () => [...timers.values()].map((t) => t.at - now).sort((a, b) => a - b),
    /** Advance time, firing due timers in order, and let promise callbacks run between them. */
    async advance(ms: number) {
      const end = now + ms;
      for (;;) {
        await flushPromises();
        const due = [...timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].fn();
      }
      now = end;
      await flushPromises();
    },
  };
}

export async function flushPromises() {
  for (let i = 0; i < 20; i++) await Promise.resolve();
  await new Promise((r) => setImmediate(r));
}

/** Seeded linear congruential generator: reproducible ids and jitter. */
export function seededRandom(seed = 1) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

export interface Call {
  url: string;
  init: RequestInit;
  body?: unknown;
}

type Responder = (call: Call) => Response | Promise<Response> | 'network-error';

/** A scripted fetch: each call takes the next responder (the last one repeats). */
export function fakeFetch(...responders: Responder[]) {
  const calls: Call[] = [];
  const fn = async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const call: Call = { url: String(input), init };
    if (typeof init.body === 'string') call.body = JSON.parse(init.body);
    calls.push(call);
    const responder = responders[Math.min(calls.length - 1, responders.length - 1)]!;
    const r = await responder(call);
    if (r === 'network-error') throw new TypeError('Failed to fetch');
    return r;
  };
  return Object.assign(fn as typeof fetch, { calls });
}

export const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });

/** Routes /sdk/config and /sdk/events to separate responders. */
export function fakeServer(config: SdkConfig, events: Responder = () => json({ accepted: 1, duplicates: 0, rejected: [] }, 202)) {
  const configCalls: Call[] = [];
  const eventCalls: Call[] = [];
  const fn = fakeFetch((call) => {
    if (call.url.includes('/sdk/config')) {
      configCalls.push(call);
      const etag = '"v1"';
      const inm = (call.init.headers as Record<string, string>)['If-None-Match'];
      return inm === etag ? new Response(null, { status: 304 }) : json(config, 200, { ETag: etag });
    }
    eventCalls.push(call);
    return events(call);
  });
  return Object.assign(fn, { configCalls, eventCalls, items: () => eventCalls.flatMap((c) => (c.body as { items: unknown[] }).items) });
}

export const config: SdkConfig = {
  experiments: [
    {
      key: 'checkout-cta-copy',
      salt: 'checkout-cta-copy',
      variants: [
        { key: 'control', weight: 0.5, payload: { label: 'Buy now' } },
        { key: 'urgent', weight: 0.5, payload: { label: 'Buy now, ships today' } },
      ],
      coverage: 1,
      namespace: null,
      targeting: null,
    },
    {
      key: 'fr-only',
      variants: [{ key: 'control', weight: 0.5 }, { key: 'b', weight: 0.5 }],
      targeting: { all: [{ attribute: 'country', op: 'in', value: ['FR', 'BE'] }] },
    },
    {
      key: 'sticky-pricing',
      sticky: true,
      variants: [{ key: 'control', weight: 0.5 }, { key: 'annual-first', weight: 0.5 }],
    },
  ],
};
