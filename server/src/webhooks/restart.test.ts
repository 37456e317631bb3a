import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { startServerProcess, stopServerProcess } from '../test/server-process.js';
import { verifySignature } from './signature.js';
import { createReceiver } from './test-support.js';

/**
 * The real server process (src/main.ts on PGlite in a data folder, WEBHOOK_ALLOW_PRIVATE=1) with its
 * own delivery worker: an event committed while the receiver is down and the server is then stopped
 * is delivered by the next server process once the receiver is back. No clock is faked here, so the
 * waits are bounded generously (the worker ticks every 5 s; a failed first attempt retries after 30 s).
 */
const dataDir = mkdtempSync(path.join(tmpdir(), 'touchpoint-webhooks-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const start = () => startServerProcess({ DATA_DIR: dataDir, WEBHOOK_ALLOW_PRIVATE: '1', RESULTS_REFRESH_SECONDS: '0' });
const stop = stopServerProcess;

async function until<T>(what: string, check: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

it('an event committed while the receiver is down reaches it after a server restart', { timeout: 240_000 }, async () => {
  const receiver = await createReceiver();
  await receiver.stop();
  const first = await start();
  const admin = /Admin key\s*: (tp_admin_\w+)/.exec(first.output())?.[1];
  expect(admin, first.output()).toBeDefined();
  const call = async (base: string, method: string, route: string, body?: unknown) => {
    const res = await fetch(`${base}${route}`, { method, headers: { Authorization: `Bearer ${admin}`, 'Content-Type': 'application/json' }, ...(body !== undefined && { body: JSON.stringify(body) }) });
    return { status: res.status, body: res.status === 204 ? null : await res.json() };
  };
  expect((await call(first.url, 'POST', '/api/touchpoints', { key: 'cta', name: 'CTA', kind: 'cta', funnelStage: 'purchase' })).status).toBe(201);
  expect((await call(first.url, 'POST', '/api/metrics', { key: 'purchase', name: 'Purchase', type: 'conversion', eventName: 'purchase' })).status).toBe(201);
  const hook = await call(first.url, 'POST', '/api/webhooks', { url: receiver.url(), events: ['experiment.started', 'experiment.paused'] });
  expect(hook.status).toBe(201);
  const experiment = {
    key: 'restart-test', name: 'Restart', touchpointKey: 'cta', primaryMetric: 'purchase',
    variants: [{ key: 'control', name: 'A', weight: 0.5, payload: {} }, { key: 'b', name: 'B', weight: 0.5, payload: {} }],
  };
  expect((await call(first.url, 'POST', '/api/experiments', experiment)).status).toBe(201);
  expect((await call(first.url, 'POST', '/api/experiments/restart-test/start')).status).toBe(200);
  await stop(first.child);

  await receiver.start();
  const second = await start();
  const got = await until('experiment.started at the receiver', () => (receiver.received.length ? receiver.received : undefined), 90_000);
  expect(receiver.events().map((e) => e.type)).toEqual(['experiment.started']);
  expect(verifySignature(hook.body.secret, String(got[0]!.headers['touchpoint-signature']), got[0]!.body)).toBe(true);
  // The new process announces its own changes too, once each.
  expect((await call(second.url, 'POST', '/api/experiments/restart-test/pause')).status).toBe(200);
  await until('experiment.paused at the receiver', () => (receiver.received.length >= 2 ? true : undefined), 90_000);
  const deliveries = await call(second.url, 'GET', `/api/webhooks/${hook.body.id}/deliveries`);
  expect(deliveries.body.items.map((d: { type: string; status: string }) => [d.type, d.status])).toEqual([['experiment.paused', 'delivered'], ['experiment.started', 'delivered']]);
  expect(receiver.events().map((e) => e.type)).toEqual(['experiment.started', 'experiment.paused']);
  await stop(second.child);
  await receiver.stop();
});
