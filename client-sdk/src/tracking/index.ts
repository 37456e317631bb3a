/**
 * `@touchpoint/client-sdk/tracking`: delivery of exposures and events to POST /sdk/events.
 *
 *   createClient({ apiUrl, sdkKey, tracking: httpTracking() })
 *
 * One exposure per unit, experiment and variant (remembered across page loads); batches by size
 * and time; retries network errors, 408, 429 and 5xx with exponential backoff and jitter; keeps
 * unsent items in storage; flushes with sendBeacon (text/plain, key in the query string, since a
 * beacon cannot carry headers) or fetch keepalive when the page is hidden. Every item has a
 * client-generated id, so a batch sent twice is counted once. Nothing is dropped silently.
 */
import type { EventInput, ExposureInput, IdentifyInput, Tracker, TrackingContext, TrackingFactory } from '../client-types.js';
import { isRetryable, parseRetryAfter, retryDelay } from './backoff.js';
import { defaultDocument, defaultSendBeacon, defaultWindow, onPageHide } from './page.js';
import type { EventSource, PageLike, SendBeacon } from './page.js';
import { createOutbox, createSeenSet } from './queue.js';
import type { EventsResponse, WireItem } from './wire.js';
import { timeoutSignal } from '../io.js';

export type { EventsResponse, WireItem } from './wire.js';
export type { EventSource, PageLike, SendBeacon } from './page.js';
export { retryDelay, parseRetryAfter, isRetryable } from './backoff.js';

export interface TrackingOptions {
  /** Send as soon as this many items wait. Default 20. */
  batchSize?: number;
  /** Send at most this long (ms) after the first waiting item. Default 2000. */
  flushInterval?: number;
  /** Items kept while the server is unreachable; beyond, new items are refused and reported. Default 1000. */
  maxQueueSize?: number;
  /** First retry delay (ms), doubled per failure up to `maxRetryDelay`. Defaults 1000 and 60000. */
  retryDelay?: number;
  maxRetryDelay?: number;
  /** Page-hide sources and beacon; default the browser's, absent in Node. */
  document?: PageLike;
  window?: EventSource;
  sendBeacon?: SendBeacon | null;
}

// Browsers cap a beacon (and all keepalive bodies in flight) at 64 KiB; stay under it.
const BEACON_BYTES = 60_000;

export function httpTracking(options: TrackingOptions = {}): TrackingFactory {
  return (ctx) => createTracker(ctx, options);
}

function createTracker(ctx: TrackingContext, options: TrackingOptions): Tracker {
  const { io } = ctx;
  const batchSize = Math.max(1, options.batchSize ?? 20);
  const flushInterval = options.flushInterval ?? 2000;
  const outbox = createOutbox(ctx, ctx.storagePrefix + 'queue', options.maxQueueSize ?? 1000);
  const seen = createSeenSet(ctx, ctx.storagePrefix + 'exposed', 1000);
  const sendBeacon = options.sendBeacon === undefined ? defaultSendBeacon() : options.sendBeacon ?? undefined;
  const eventsUrl = `${ctx.apiUrl}/sdk/events`;

  let timer: unknown;
  let timerAt = Infinity;
  let attempt = 0; // consecutive failures; > 0 means "backing off"
  let sending: Promise<void> | undefined;
  let dropped = 0;
  const inFlight = new Set<string>();

  const waiting = () => outbox.items.filter((i) => !inFlight.has(i.id));

  /** Arm the timer to fire in `ms` unless it already fires sooner. */
  function wake(ms: number) {
    if (!ctx.canSend() || !ctx.apiUrl || !io.fetch) return;
    const at = io.now() + ms;
    if (at >= timerAt) return;
    io.clearTimeout(timer);
    timerAt = at;
    timer = io.setTimeout(() => {
      timerAt = Infinity;
      void drain();
    }, ms);
  }

  function enqueue(item: Omit<WireItem, 'id' | 'timestamp'>) {
    const full: WireItem = { id: io.id(), timestamp: new Date(io.now()).toISOString(), ...item };
    if (!outbox.add(full)) {
      // Report the first refusal at once and the total when the queue drains again.
      if (dropped++ === 0) ctx.report({ type: 'queue_overflow', message: 'event queue full; new items are being dropped', count: 1 });
      return;
    }
    // While backing off, new items wait for the retry instead of hammering a failing server.
    if (attempt === 0) wake(waiting().length >= batchSize ? 0 : flushInterval);
  }

  /** One POST of up to batchSize items. Resolves true when the batch is settled (sent or refused). */
  async function sendBatch(batch: WireItem[]): Promise<boolean> {
    batch.forEach((i) => inFlight.add(i.id));
    const ids = new Set(batch.map((i) => i.id));
    try {
      const res = await io.fetch!(eventsUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${ctx.sdkKey}` },
        body: JSON.stringify({ items: batch }),
        // A hung request would hold the queue: give up after 30 s and retry with backoff.
        signal: timeoutSignal(30_000),
      });
      if (isRetryable(res.status)) {
        retryLater(`HTTP ${res.status}`, parseRetryAfter(res.headers.get('Retry-After'), io.now()));
        return false;
      }
      outbox.remove(ids);
      if (!res.ok) {
        ctx.report({ type: 'rejected', message: `server refused a batch: HTTP ${res.status}`, count: batch.length });
      } else {
        const body = (await res.json().catch(() => ({}))) as EventsResponse;
        const rejected = Array.isArray(body?.rejected) ? body.rejected : [];
        if (rejected.length) {
          const reasons = rejected.slice(0, 3).map((r) => `#${r.index}: ${r.reason}`).join('; ');
          ctx.report({ type: 'rejected', message: `server rejected ${rejected.length} item(s): ${reasons}`, count: rejected.length });
        }
      }
      attempt = 0;
      if (dropped > 0) {
        ctx.report({ type: 'queue_overflow', message: `${dropped} item(s) were dropped while the queue was full`, count: dropped });
        dropped = 0;
      }
      return true;
    } catch (e) {
      retryLater(e instanceof Error ? e.message : String(e), 0);
      return false;
    } finally {
      batch.forEach((i) => inFlight.delete(i.id));
    }
  }

  function retryLater(why: string, retryAfterMs: number) {
    const delay = retryDelay(attempt++, io.random, options.retryDelay ?? 1000, options.maxRetryDelay ?? 60_000, retryAfterMs);
    ctx.report({ type: 'send', message: `events not delivered (${why}); retry ${attempt} in ${Math.round(delay)} ms` });
    io.clearTimeout(timer);
    timerAt = Infinity;
    wake(delay);
  }

  /** Send every waiting item, batch after batch, until the outbox is empty or a send fails. */
  function drain(): Promise<void> {
    if (!ctx.canSend() || !ctx.apiUrl || !io.fetch) return Promise.resolve();
    sending ??= (async () => {
      for (let batch = waiting().slice(0, batchSize); batch.length; batch = waiting().slice(0, batchSize)) {
        if (!(await sendBatch(batch))) break;
      }
    })().finally(() => {
      sending = undefined;
    });
    return sending;
  }

  /** Page hidden: hand everything to the browser now, it may be the last chance. */
  function flushOnHide() {
    if (!ctx.canSend() || !ctx.apiUrl || !outbox.items.length) return;
    const url = `${eventsUrl}?sdkKey=${encodeURIComponent(ctx.sdkKey)}`;
    let chunk: WireItem[] = [];
    let bytes = 0;
    const send = () => {
      if (!chunk.length) return;
      const body = JSON.stringify({ items: chunk });
      const ids = new Set(chunk.map((i) => i.id));
      if (sendBeacon?.(url, body)) {
        // A beacon is only handed to the browser, never answered. While the server is failing
        // (backing off) keep the items stored too: the next page sends them again (same ids, counted once).
        if (!attempt) outbox.remove(ids);
      } else if (io.fetch) {
        // Items stay stored until the answer; if the page dies first they go again on the next load.
        io.fetch(url, { method: 'POST', keepalive: true, headers: { 'Content-Type': 'text/plain' }, body })
          .then((res) => res.ok && outbox.remove(ids))
          .catch(() => {});
      }
      chunk = [];
      bytes = 0;
    };
    for (const item of outbox.items.slice()) {
      const size = JSON.stringify(item).length + 1;
      if (bytes + size > BEACON_BYTES) send();
      chunk.push(item);
      bytes += size;
    }
    send();
  }

  const removeListeners = onPageHide(options.document ?? defaultDocument(), options.window ?? defaultWindow(), flushOnHide);

  if (outbox.items.length) wake(flushInterval);

  return {
    exposure({ unitId, experimentKey, variantKey, attributes }: ExposureInput) {
      const k = `${unitId}|${experimentKey}|${variantKey}`;
      if (seen.has(k)) return;
      seen.add(k);
      enqueue({ type: 'exposure', unitId, experimentKey, variantKey, attributes });
    },
    event({ unitId, name, value, attributes }: EventInput) {
      enqueue(value === undefined ? { type: 'event', unitId, name, attributes } : { type: 'event', unitId, name, value, attributes });
    },
    identify(link: IdentifyInput) {
      enqueue({ type: 'identify', ...link });
    },
    beacon: flushOnHide,
    async flush() {
      io.clearTimeout(timer);
      timerAt = Infinity;
      await sending;
      await drain();
    },
    consentGranted() {
      outbox.save();
      seen.save();
      if (outbox.items.length) wake(0);
    },
    clear() {
      io.clearTimeout(timer);
      timerAt = Infinity;
      outbox.clear();
      seen.clear();
      dropped = 0;
    },
    destroy() {
      io.clearTimeout(timer);
      removeListeners();
    },
  };
}
