import type { IncomingMessage } from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from './context.js';
import { ProblemError } from './problem.js';
import { requestHeader } from './request-header.js';

const tooLarge = (maxBytes: number) => new ProblemError('payload-too-large', `The body exceeds ${maxBytes} bytes.`);

/**
 * Refuses a body whose Content-Length announces more than `maxBytes` before reading any of it, and
 * records the limit for `readBody`, which enforces it on bodies without a length (chunked) as they
 * are read. A route that never reads its body never buffers it.
 */
export function bodySizeLimit(maxBytes: number): MiddlewareHandler<AppEnv> {
  // Not async: nothing to wait for before the handler, so no promise of its own per request.
  return (c, next) => {
    c.set('maxBodyBytes', maxBytes);
    const declared = requestHeader(c, 'content-length');
    if (declared !== undefined && requestHeader(c, 'transfer-encoding') === undefined && Number(declared) > maxBytes) throw tooLarge(maxBytes);
    return next();
  };
}

/**
 * The request body as bytes, refused (413) as soon as it passes the limit. Under @hono/node-server
 * the bytes come straight from Node's IncomingMessage, without building a web Request and a
 * ReadableStream only to drain them on every POST (ingestion sends hundreds a second). Elsewhere (tests' app.request, other runtimes) the web body is read.
 */
export async function readBody(c: Context<AppEnv>): Promise<Uint8Array> {
  const maxBytes = c.get('maxBodyBytes') ?? Number.POSITIVE_INFINITY;
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  const chunks: Uint8Array[] = [];
  let size = 0;
  const add = (chunk: Uint8Array) => {
    size += chunk.byteLength;
    if (size > maxBytes) throw tooLarge(maxBytes);
    chunks.push(chunk);
  };
  if (incoming && typeof incoming.on === 'function') {
    for await (const chunk of incoming) add(chunk as Buffer);
  } else {
    const body = c.req.raw.body;
    if (body) {
      const reader = body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        try {
          add(value);
        } catch (error) {
          await reader.cancel();
          throw error;
        }
      }
    }
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
}
