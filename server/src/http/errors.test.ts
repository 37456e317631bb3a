import { openAsBlob } from 'node:fs';
import { expect, inject, it } from 'vitest';
import { createApp } from '../app.js';
import { connect } from '../db/connect.js';
import { createKey } from '../keys/repository.js';
import { withResponseValidation } from '../test/openapi-validator.js';
import { createMemoryLogger } from './logger.js';

// A database that dies under the app: the 500 path and readiness, on an engine we can stop at will.
it('hides internal errors behind a request id, logs the cause, and reports not-ready', async () => {
  const handle = await connect({ dataDir: 'memory://', loadDataDir: await openAsBlob(inject('pgliteTemplate')) });
  const logger = createMemoryLogger();
  const app = withResponseValidation(createApp({ db: handle.db, logger, now: () => new Date(), maxBodyBytes: 1024 * 1024 }));
  const { secret } = await createKey(handle.db, { keyId: null, requestId: null }, { kind: 'admin', name: 'a' });
  expect((await app.request('/ready')).status).toBe(200);
  await handle.close();

  const ready = await app.request('/ready');
  expect(ready.status).toBe(503);
  expect(ready.headers.get('retry-after')).toBe('5');

  const res = await app.request('/api/experiments', { headers: { Authorization: `Bearer ${secret}`, 'X-Request-Id': 'trace-42' } });
  expect(res.status).toBeGreaterThanOrEqual(500);
  const body = (await res.json()) as Record<string, unknown>;
  expect(body).toMatchObject({ requestId: 'trace-42' });
  expect(JSON.stringify(body)).not.toMatch(/stack|PGlite|closed|select|at /i);
  const logged = logger.lines.find((l) => l.requestId === 'trace-42' && l.level !== 'info');
  expect(logged).toBeDefined();

  // One JSON line per request with id, method, path, status and duration.
  const access = logger.lines.filter((l) => l.message === 'request');
  expect(access).toHaveLength(3);
  expect(access.at(-1)).toMatchObject({ requestId: 'trace-42', method: 'GET', path: '/api/experiments', status: res.status });
  expect(typeof access.at(-1)!.durationMs).toBe('number');
});

it('answers unknown routes with a 404 problem document and never echoes an unsafe request id', async () => {
  const handle = await connect({ dataDir: 'memory://', loadDataDir: await openAsBlob(inject('pgliteTemplate')) });
  const app = withResponseValidation(createApp({ db: handle.db, logger: createMemoryLogger(), now: () => new Date(), maxBodyBytes: 1024 }));
  const res = await app.request('/nowhere', { headers: { 'X-Request-Id': '<script>' } });
  expect(res.status).toBe(404);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  expect(res.headers.get('x-request-id')).not.toBe('<script>');
  await handle.close();
});
