import { createClient } from '@touchpoint/client-sdk/client';
import { expect, it } from 'vitest';
import { createApp } from '../app.js';
import { createMemoryLogger } from '../http/logger.js';
import { createKey } from '../keys/repository.js';
import { describeEachEngine } from '../test/engines.js';
import { fixtures } from '../test/harness.js';
import { withResponseValidation } from '../test/openapi-validator.js';

interface SseEvent {
  event?: string;
  id?: string;
  data?: string;
  comment?: string;
}

/** Reads server-sent events from a response body as they arrive. */
function sseReader(res: Response) {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  return {
    async next(timeoutMs = 5000): Promise<SseEvent | 'end'> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const split = buffer.indexOf('\n\n');
        if (split >= 0) {
          const block = buffer.slice(0, split);
          buffer = buffer.slice(split + 2);
          const event: SseEvent = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) event.comment = line.slice(1).trim();
            const [, field, value] = /^(event|id|data): ?(.*)$/.exec(line) ?? [];
            if (field) event[field as 'event' | 'id' | 'data'] = value;
          }
          return event;
        }
        const left = deadline - Date.now();
        if (left <= 0) throw new Error('no event in time');
        const chunk = await Promise.race([reader.read(), new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), left))]);
        if (chunk === 'late') continue;
        if (chunk.done) return 'end';
        buffer += chunk.value;
      }
    },
    cancel: () => reader.cancel(),
  };
}

const SYSTEM = { keyId: null, requestId: 'test' };

describeEachEngine('GET /sdk/config as server-sent events', (db) => {
  it('sends the config at once and at every change; ends when the key is revoked or the server stops', async () => {
    let draining = false;
    // Every answer is checked against the OpenAPI document, except the streams (the checker reads a body to its end).
    const app = withResponseValidation(createApp({ db: db().db, logger: createMemoryLogger(), now: () => new Date(), maxBodyBytes: 1 << 20, draining: () => draining }), {
      skip: (request) => request.headers.get('accept') === 'text/event-stream' || new URL(request.url).searchParams.has('stream'),
    });
    const admin = (await createKey(db().db, SYSTEM, { kind: 'admin', name: 'a' })).secret;
    const call = (method: string, path: string, body?: unknown) =>
      Promise.resolve(app.request(path, { method, headers: { Authorization: `Bearer ${admin}`, 'Content-Type': 'application/json' }, ...(body !== undefined && { body: JSON.stringify(body) }) }));
    await call('POST', '/api/touchpoints', fixtures.touchpoint());
    await call('POST', '/api/metrics', fixtures.metric());
    await call('POST', '/api/experiments', fixtures.experiment('streamed'));
    const sdk = (await (await call('POST', '/api/keys', { kind: 'sdk', name: 'stream' })).json()) as { id: string; secret: string };

    const res = await app.request('/sdk/config', { headers: { Authorization: `Bearer ${sdk.secret}`, Accept: 'text/event-stream' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const events = sseReader(res);
    const first = await events.next();
    expect(first).toMatchObject({ event: 'config' });
    const firstBody = JSON.parse((first as SseEvent).data!) as { experiments: unknown[] };
    expect(firstBody.experiments).toEqual([]);
    const plain = await app.request('/sdk/config', { headers: { Authorization: `Bearer ${sdk.secret}` } });
    expect((first as SseEvent).id).toBe(plain.headers.get('etag'));

    await call('POST', '/api/experiments/streamed/start');
    const started = (await events.next()) as SseEvent;
    expect((JSON.parse(started.data!) as { experiments: Array<{ key: string }> }).experiments.map((e) => e.key)).toEqual(['streamed']);
    await call('POST', '/api/experiments/streamed/pause');
    expect(JSON.parse(((await events.next()) as SseEvent).data!)).toMatchObject({ experiments: [] });

    // Revoking the key that opened the stream ends it.
    expect((await call('DELETE', `/api/keys/${sdk.id}`)).status).toBe(204);
    expect(await events.next()).toBe('end');

    // A graceful stop ends every stream (the admin key may stream too).
    const again = await app.request('/sdk/config?stream=1', { headers: { Authorization: `Bearer ${admin}` } });
    const second = sseReader(again);
    expect(await second.next()).toMatchObject({ event: 'config' });
    draining = true;
    expect(await second.next()).toBe('end');
  });

  it('the SDK with streaming: true picks up a start and a pause from the stream alone (polling off)', async () => {
    const app = withResponseValidation(createApp({ db: db().db, logger: createMemoryLogger(), now: () => new Date(), maxBodyBytes: 1 << 20 }), {
      skip: (request) => new URL(request.url).searchParams.has('stream'),
    });
    const admin = (await createKey(db().db, SYSTEM, { kind: 'admin', name: 'a' })).secret;
    const sdkKey = (await createKey(db().db, SYSTEM, { kind: 'sdk', name: 's' })).secret;
    const call = (path: string) => Promise.resolve(app.request(path, { method: 'POST', headers: { Authorization: `Bearer ${admin}` } }));
    await app.request('/api/experiments', { method: 'POST', headers: { Authorization: `Bearer ${admin}`, 'Content-Type': 'application/json' }, body: JSON.stringify(fixtures.experiment('pushed')) });
    const client = createClient({
      apiUrl: 'http://touchpoint.test', sdkKey, unitId: 'u-1', streaming: true, refreshInterval: 0, storage: null,
      fetch: ((input: string, init?: RequestInit) => Promise.resolve(app.request(input, init))) as typeof fetch,
    });
    await client.ready();
    const seen = async (inExperiment: boolean) => {
      for (let i = 0; i < 500 && client.getVariant('pushed', { expose: false }).inExperiment !== inExperiment; i++) await new Promise((r) => setTimeout(r, 10));
      return client.getVariant('pushed', { expose: false }).inExperiment;
    };
    expect(await seen(false)).toBe(false);
    await call('/api/experiments/pushed/start');
    expect(await seen(true)).toBe(true);
    await call('/api/experiments/pushed/pause');
    expect(await seen(false)).toBe(false);
    client.destroy();
  });
});
