import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * A real HTTP receiver on 127.0.0.1 for webhook tests: records what it gets and answers `status`
 * (settable). `stop()` closes it (connection refused from then on); `start()` listens again on the same port.
 */
export async function createReceiver() {
  const received: Received[] = [];
  const state = { status: 200 };
  let port = 0;
  let server: http.Server | undefined;
  const start = () =>
    new Promise<void>((resolve, reject) => {
      server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
          if (state.status >= 200 && state.status < 300) received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
          res.writeHead(state.status, { 'Content-Type': 'text/plain', Connection: 'close' }).end('ok');
        });
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as AddressInfo).port;
        resolve();
      });
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (!server) return resolve();
      server.closeAllConnections();
      server.close(() => resolve());
      server = undefined;
    });
  await start();
  return {
    received,
    state,
    url: (path = '/hook') => `http://127.0.0.1:${port}${path}`,
    start,
    stop,
    /** Bodies received, parsed. */
    events: () => received.map((r) => JSON.parse(r.body) as { id: string; type: string; createdAt: string; data: Record<string, unknown> }),
  };
}
