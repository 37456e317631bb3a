import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { AppEnv } from '../http/context.js';
import { tooManyRequests } from '../http/rate-limit.js';
import { requestHeader } from '../http/request-header.js';
import type { LiveCatalog } from '../live/catalog.js';
import type { CatalogState } from '../live/state.js';

/** A comment line this often keeps proxies and load balancers from closing an idle stream. */
export const HEARTBEAT_MS = 15_000;
/** How often a stream checks whether the server is stopping (graceful stop closes every stream). */
const DRAIN_CHECK_MS = 250;
/** Streams open at once on one instance; more get 429 and keep polling. */
export const MAX_STREAMS = 10_000;

/** `GET /sdk/config?stream=1`, or `Accept: text/event-stream` (what EventSource sends). */
export function wantsStream(c: Context<AppEnv>): boolean {
  return c.req.query('stream') === '1' || (requestHeader(c, 'accept') ?? '').includes('text/event-stream');
}

export interface StreamOptions {
  catalog: LiveCatalog;
  now: () => Date;
  draining?: (() => boolean) | undefined;
  heartbeatMs?: number;
}

/**
 * Server-sent events on /sdk/config for long-lived clients (a browser tab, a server SDK): an event
 * `config` (id = the ETag, data = the /sdk/config body) at once, then again whenever the running set
 * changes on any instance — the in-process view (live/catalog.ts) is told by the change notifications,
 * so a pause or a stop reaches a streaming client within milliseconds, without polling. A comment
 * every HEARTBEAT_MS keeps the connection open through proxies. The stream ends when the SDK key that
 * opened it is revoked, and when the server begins a graceful stop (the client reconnects elsewhere,
 * EventSource after its `retry`, 1 s).
 */
export function configStream(c: Context<AppEnv>, { catalog, now, draining, heartbeatMs = HEARTBEAT_MS }: StreamOptions, open: { count: number }) {
  if (open.count >= MAX_STREAMS) throw tooManyRequests(5, `This instance already serves ${MAX_STREAMS} config streams; poll GET /sdk/config instead.`);
  const key = c.get('apiKey');
  c.header('X-Accel-Buffering', 'no');
  return streamSSE(c, async (stream) => {
    open.count++;
    let finish = () => {};
    const finished = new Promise<void>((resolve) => (finish = resolve));
    let lastEtag: string | undefined;
    // Writes happen one after the other, in the order the states arrived.
    let writes: Promise<unknown> = Promise.resolve();
    const enqueue = (write: () => Promise<unknown>) => {
      writes = writes.then(write).catch(finish);
    };
    const send = (state: CatalogState) => {
      if (key.kind === 'sdk' && ![...state.sdkKeys.values()].some((k) => k.id === key.id)) return finish();
      if (state.etag === lastEtag) return;
      lastEtag = state.etag;
      const data = `{"experiments":${state.experimentsJson},"generatedAt":"${now().toISOString()}"}`;
      enqueue(() => stream.writeSSE({ event: 'config', id: state.etag, data, retry: 1000 }));
    };
    const unsubscribe = catalog.onUpdate(send);
    let sinceBeat = 0;
    const ticker = setInterval(() => {
      if (draining?.()) return finish();
      sinceBeat += DRAIN_CHECK_MS;
      if (sinceBeat >= heartbeatMs) {
        sinceBeat = 0;
        enqueue(() => stream.write(': heartbeat\n\n'));
      }
    }, DRAIN_CHECK_MS);
    stream.onAbort(finish);
    try {
      send(await catalog.current());
      await finished;
    } finally {
      clearInterval(ticker);
      unsubscribe();
      open.count--;
    }
  });
}
