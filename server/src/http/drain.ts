import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Logger } from './logger.js';

/**
 * Graceful stop of the HTTP server (issue 13, finding 8). In this order:
 *  1. `draining()` turns true: `/ready` answers 503, so a load balancer stops sending new requests;
 *  2. the server stops accepting connections and closes the idle keep-alive ones;
 *  3. every response still to be sent, in flight or arriving on a busy keep-alive connection, carries
 *     `Connection: close`, so the client goes away after it instead of being served until the cut;
 *  4. whatever is still open when the grace period ends is cut.
 * Keep-alive clients that were never idle (a load test, a proxy with a pool) kept being served for
 * the whole grace period before, while `/ready` said 200.
 */
export interface Drain {
  draining(): boolean;
  /** Starts draining; resolves when the server has closed, saying whether the grace period had to cut connections. */
  start(): Promise<{ forced: boolean }>;
}

export function createDrain(server: Server, { graceMs, logger }: { graceMs: number; logger: Logger }): Drain {
  let draining = false;
  let done: Promise<{ forced: boolean }> | undefined;
  const unsent = new Set<ServerResponse>();
  const closeAfter = (res: ServerResponse) => {
    if (!res.headersSent) res.setHeader('Connection', 'close');
  };
  // One listener function for every response (`this` is the response): no closures per request.
  function forget(this: ServerResponse) {
    unsent.delete(this);
    // A response that was already under way when draining began leaves its connection idle: close it.
    if (draining) setImmediate(() => server.closeIdleConnections());
  }
  // Prepended: it runs before the app's listener, which may write a response at once.
  server.prependListener('request', (_req: IncomingMessage, res: ServerResponse) => {
    if (draining) return closeAfter(res);
    unsent.add(res);
    // 'close' follows every response, finished or cut off ('finish' only the former).
    res.on('close', forget);
  });
  return {
    draining: () => draining,
    start() {
      done ??= new Promise((resolve) => {
        draining = true;
        let forced = false;
        const force = setTimeout(() => {
          forced = true;
          logger.warn('grace period over, closing remaining connections');
          server.closeAllConnections();
        }, graceMs);
        force.unref();
        server.close(() => {
          clearTimeout(force);
          resolve({ forced });
        });
        for (const res of unsent) closeAfter(res);
        unsent.clear();
        server.closeIdleConnections();
      });
      return done;
    },
  };
}
