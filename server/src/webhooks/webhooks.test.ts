/**
 * Webhooks end to end on a real database and a real HTTP receiver on 127.0.0.1: the admin routes and
 * their SSRF rule, lifecycle events delivered once with a valid signature, retries while the receiver
 * is down (connection refused, then 500) across an app restart, and an SRM introduced by traffic through
 * POST /sdk/events announced exactly once over several refreshes. The worker's clock is moved by hand,
 * so backoff needs no waiting.
 */
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../test/engines.js';
import { type Harness, createHarness, fixtures, seedCatalog } from '../test/harness.js';
import { createMemoryLogger } from '../http/logger.js';
import { verifySignature } from './signature.js';
import { createReceiver } from './test-support.js';
import { deliverDueWebhooks, pendingDeliveries } from './worker.js';
import { webhookAttempts } from '../telemetry/metrics.js';

/** touchpoint_webhook_attempts_total by outcome (process-wide: compare before and after). */
const attemptCounts = async () => Object.fromEntries((await webhookAttempts.get()).values.map((v) => [String(v.labels.outcome), v.value]));

const MINUTE = 60_000;

describeEachEngine('webhooks', (getDb) => {
  let h: Harness;
  let strict: Harness;
  let receiver: Awaited<ReturnType<typeof createReceiver>>;
  /** The worker's clock: real time plus an offset the tests move forward. */
  const clock = { offset: 0 };
  const worker = () => ({ db: getDb().db, logger: createMemoryLogger(), now: () => new Date(Date.now() + clock.offset), allowPrivate: true, timeoutMs: 5_000 });
  /** Runs the worker until nothing is due now. */
  const drain = async () => {
    while ((await deliverDueWebhooks(worker())) > 0);
  };
  const hooks: string[] = [];

  beforeAll(async () => {
    h = await createHarness(getDb().db, { webhookAllowPrivate: true });
    strict = await createHarness(getDb().db);
    await seedCatalog(h);
    receiver = await createReceiver();
  });
  // Each test starts with no webhook and a healthy receiver, whatever the previous one left.
  afterEach(async () => {
    for (const id of hooks.splice(0)) await h.call('DELETE', `/api/webhooks/${id}`);
    receiver.state.status = 200;
    receiver.received.length = 0;
  });
  afterAll(async () => {
    await receiver.stop();
  });

  const create = async (body: Record<string, unknown>, on: Harness = h) => {
    const res = await on.call('POST', '/api/webhooks', body);
    const json = await res.json();
    if (res.status === 201) hooks.push(json.id);
    return { status: res.status, json };
  };

  it('refuses private, loopback and link-local targets with 422 unless WEBHOOK_ALLOW_PRIVATE', async () => {
    for (const url of ['http://127.0.0.1:9/x', 'http://10.0.0.8/x', 'http://169.254.169.254/latest/meta-data', 'http://[::1]:8080/', 'http://[::ffff:127.0.0.1]/', 'http://2130706433/', 'http://localhost:9/']) {
      const res = await create({ url, events: ['experiment.started'] }, strict);
      expect(res.status, url).toBe(422);
      expect(res.json.errors[0].field).toBe('url');
    }
    expect((await create({ url: 'ftp://example.com/x', events: ['experiment.started'] }, strict)).status).toBe(422);
    expect((await create({ url: receiver.url(), events: ['experiment.nope'] })).status).toBe(422);
    expect((await create({ url: receiver.url(), events: [] })).status).toBe(422);
    // With the flag, the same loopback address is accepted.
    const allowed = await create({ url: receiver.url(), events: ['experiment.started'] });
    expect(allowed.status).toBe(201);
    expect((await h.call('DELETE', `/api/webhooks/${allowed.json.id}`)).status).toBe(204);
  });

  it('is admin only; the secret is shown once; delete removes it', async () => {
    expect((await h.call('GET', '/api/webhooks', undefined, { key: h.sdkKey })).status).toBe(403);
    const made = await create({ url: receiver.url(), events: ['experiment.started', 'experiment.stopped'], format: 'slack' });
    expect(made.status).toBe(201);
    expect(made.json.secret).toMatch(/^whsec_[0-9a-f]{64}$/);
    const listed = (await (await h.call('GET', '/api/webhooks')).json()).items.find((w: { id: string }) => w.id === made.json.id);
    expect(listed).toEqual({ id: made.json.id, url: receiver.url(), events: ['experiment.started', 'experiment.stopped'], format: 'slack', createdAt: made.json.createdAt });
    expect((await h.call('GET', `/api/webhooks/${made.json.id}/deliveries`)).status).toBe(200);
    expect((await h.call('DELETE', `/api/webhooks/${made.json.id}`)).status).toBe(204);
    expect((await h.call('DELETE', `/api/webhooks/${made.json.id}`)).status).toBe(404);
    expect((await h.call('GET', `/api/webhooks/${made.json.id}/deliveries`)).status).toBe(404);
    expect((await h.call('GET', '/api/webhooks/nope/deliveries')).status).toBe(404);
  });

  it('delivers each lifecycle event once, signed', async () => {
    receiver.received.length = 0;
    const { json: hook } = await create({ url: receiver.url(), events: ['experiment.started', 'experiment.paused', 'experiment.stopped'] });
    const key = 'webhook-lifecycle';
    expect((await h.call('POST', '/api/experiments', fixtures.experiment(key))).status).toBe(201);
    for (const action of ['start', 'pause', 'start']) expect((await h.call('POST', `/api/experiments/${key}/${action}`)).status).toBe(200);
    expect((await h.call('POST', `/api/experiments/${key}/stop`, { winner: 'urgent', note: 'done' })).status).toBe(200);
    // A refused transition writes nothing, so it announces nothing.
    expect((await h.call('POST', `/api/experiments/${key}/pause`)).status).toBe(409);
    await drain();
    await drain();
    const events = receiver.events();
    expect(events.map((e) => e.type)).toEqual(['experiment.started', 'experiment.paused', 'experiment.started', 'experiment.stopped']);
    expect(new Set(events.map((e) => e.id)).size).toBe(4);
    expect(events[3]!.data).toMatchObject({ experiment: { key, status: 'stopped' }, previousStatus: 'running', winner: 'urgent', note: 'done' });
    for (const r of receiver.received) {
      const header = String(r.headers['touchpoint-signature']);
      expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
      expect(verifySignature(hook.secret, header, r.body)).toBe(true);
      expect(verifySignature(`${hook.secret}x`, header, r.body)).toBe(false);
    }
    const deliveries = (await (await h.call('GET', `/api/webhooks/${hook.id}/deliveries`)).json()).items;
    expect(deliveries).toHaveLength(4);
    expect(deliveries.every((d: { status: string; attempts: number; log: unknown[] }) => d.status === 'delivered' && d.attempts === 1 && d.log.length === 1)).toBe(true);
    await h.call('DELETE', `/api/webhooks/${hook.id}`);
  });

  it('retries while the receiver is down, and delivers after it is back and after an app restart', async () => {
    receiver.received.length = 0;
    const { json: hook } = await create({ url: receiver.url(), events: ['experiment.started'] });
    await receiver.stop(); // connection refused
    const key = 'webhook-retries';
    expect((await h.call('POST', '/api/experiments', fixtures.experiment(key))).status).toBe(201);
    expect((await h.call('POST', `/api/experiments/${key}/start`)).status).toBe(200);
    await drain(); // attempt 1: refused; next in 30 s
    clock.offset += MINUTE;
    await drain(); // attempt 2: refused; next in 1 min
    await receiver.start();
    receiver.state.status = 500;
    clock.offset += 2 * MINUTE;
    await drain(); // attempt 3: 500
    let [delivery] = (await (await h.call('GET', `/api/webhooks/${hook.id}/deliveries`)).json()).items;
    expect(delivery).toMatchObject({ status: 'pending', attempts: 3, lastStatusCode: 500 });
    expect(delivery.log.map((a: { statusCode: number | null }) => a.statusCode)).toEqual([null, null, 500]);
    expect(delivery.log[0].error).toMatch(/ECONNREFUSED/);
    expect(receiver.received).toHaveLength(0);

    // "Restart": a new app on the same database, the old one's memory gone; the receiver is fixed.
    const restarted = await createHarness(getDb().db, { webhookAllowPrivate: true });
    receiver.state.status = 204;
    await drain(); // not due yet: the backoff is stored, not in memory
    expect(receiver.received).toHaveLength(0);
    clock.offset += 10 * MINUTE;
    await drain();
    expect(receiver.events().map((e) => e.type)).toEqual(['experiment.started']);
    expect(verifySignature(hook.secret, String(receiver.received[0]!.headers['touchpoint-signature']), receiver.received[0]!.body)).toBe(true);
    [delivery] = (await (await restarted.call('GET', `/api/webhooks/${hook.id}/deliveries`)).json()).items;
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 4, lastStatusCode: 204, nextAttemptAt: null });
    await drain();
    expect(receiver.received).toHaveLength(1);
    await h.call('DELETE', `/api/webhooks/${hook.id}`);
  });

  it('an unreachable receiver costs one attempt per pass, not one per queued delivery; order is kept', async () => {
    const { json: hook } = await create({ url: receiver.url(), events: ['experiment.started', 'experiment.paused'] });
    await receiver.stop();
    const key = 'webhook-unreachable';
    expect((await h.call('POST', '/api/experiments', fixtures.experiment(key))).status).toBe(201);
    for (const action of ['start', 'pause', 'start']) expect((await h.call('POST', `/api/experiments/${key}/${action}`)).status).toBe(200);
    expect(await deliverDueWebhooks(worker())).toBe(3);
    const deliveries = async () => (await (await h.call('GET', `/api/webhooks/${hook.id}/deliveries`)).json()).items as { attempts: number; status: string; nextAttemptAt: string }[];
    const queued = await deliveries();
    expect(queued.map((d) => d.attempts)).toEqual([0, 0, 1]);
    expect(new Set(queued.map((d) => d.nextAttemptAt)).size).toBe(1);
    expect(await deliverDueWebhooks(worker())).toBe(0);
    await receiver.start();
    clock.offset += MINUTE;
    await drain();
    expect(receiver.events().map((e) => e.type)).toEqual(['experiment.started', 'experiment.paused', 'experiment.started']);
    expect((await deliveries()).map((d) => [d.status, d.attempts])).toEqual([['delivered', 1], ['delivered', 1], ['delivered', 2]]);
  });

  it('gives up after 24 h and logs every attempt', async () => {
    const before = await attemptCounts();
    receiver.state.status = 503;
    const { json: hook } = await create({ url: receiver.url(), events: ['experiment.paused'] });
    const key = 'webhook-gives-up';
    expect((await h.call('POST', '/api/experiments', fixtures.experiment(key))).status).toBe(201);
    expect((await h.call('POST', `/api/experiments/${key}/start`)).status).toBe(200);
    expect((await h.call('POST', `/api/experiments/${key}/pause`)).status).toBe(200);
    for (let hour = 0; hour < 26; hour++) {
      await drain();
      clock.offset += 60 * MINUTE;
    }
    const [delivery] = (await (await h.call('GET', `/api/webhooks/${hook.id}/deliveries`)).json()).items;
    expect(delivery.status).toBe('failed');
    expect(delivery.attempts).toBe(delivery.log.length);
    expect(delivery.attempts).toBeGreaterThan(20);
    expect(new Date(delivery.log.at(-1).at).getTime() - new Date(delivery.createdAt).getTime()).toBeLessThanOrEqual(24 * 60 * MINUTE);
    const after = await attemptCounts();
    expect((after.failed ?? 0) - (before.failed ?? 0)).toBe(1);
    expect((after.retry ?? 0) - (before.retry ?? 0)).toBe(delivery.attempts - 1);
    receiver.state.status = 200;
    await h.call('DELETE', `/api/webhooks/${hook.id}`);
  });

  it('workers running at once never send a delivery twice (FOR UPDATE SKIP LOCKED and the lease)', async () => {
    await create({ url: receiver.url(), events: ['experiment.started'] });
    const { json: slack } = await create({ url: receiver.url('/slack'), events: ['experiment.started'], format: 'slack' });
    for (let i = 0; i < 6; i++) {
      const key = `webhook-concurrent-${i}`;
      expect((await h.call('POST', '/api/experiments', fixtures.experiment(key))).status).toBe(201);
      expect((await h.call('POST', `/api/experiments/${key}/start`)).status).toBe(200);
    }
    const attempted = await Promise.all([1, 2, 3].map(() => deliverDueWebhooks({ ...worker(), batch: 4 })));
    await drain();
    expect(attempted.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(12);
    const json = receiver.received.filter((r) => r.headers['content-type'] === 'application/json' && !JSON.parse(r.body).text);
    const ids = json.map((r) => JSON.parse(r.body).id as string);
    expect(ids).toHaveLength(6);
    expect(new Set(ids).size).toBe(6);
    // The Slack copies: a Slack incoming-webhook message, signed with that webhook's own secret.
    const messages = receiver.received.filter((r) => JSON.parse(r.body).text);
    expect(messages).toHaveLength(6);
    for (const m of messages) {
      const body = JSON.parse(m.body);
      expect(body.text).toMatch(/^Experiment "Checkout CTA copy" \(webhook-concurrent-\d\) started\.$/);
      expect(body.blocks).toEqual([{ type: 'section', text: { type: 'mrkdwn', text: body.text } }]);
      expect(verifySignature(slack.secret, String(m.headers['touchpoint-signature']), m.body)).toBe(true);
    }
  });

  it('a private address is refused again at delivery without the flag', async () => {
    const { json: hook } = await create({ url: receiver.url(), events: ['experiment.started'] });
    receiver.received.length = 0;
    const key = 'webhook-ssrf-delivery';
    expect((await h.call('POST', '/api/experiments', fixtures.experiment(key))).status).toBe(201);
    expect((await h.call('POST', `/api/experiments/${key}/start`)).status).toBe(200);
    await deliverDueWebhooks({ ...worker(), allowPrivate: false });
    expect(receiver.received).toHaveLength(0);
    const [delivery] = (await (await h.call('GET', `/api/webhooks/${hook.id}/deliveries`)).json()).items;
    expect(delivery.lastError).toMatch(/refused private address 127\.0\.0\.1/);
    await h.call('DELETE', `/api/webhooks/${hook.id}`);
  });

  it('an SRM introduced through POST /sdk/events fires experiment.srm_detected exactly once', async () => {
    receiver.received.length = 0;
    const { json: hook } = await create({ url: receiver.url(), events: ['experiment.srm_detected'] });
    const key = 'webhook-srm';
    expect((await h.call('POST', '/api/experiments', fixtures.experiment(key))).status).toBe(201);
    const started = await h.call('POST', `/api/experiments/${key}/start`);
    expect(started.status).toBe(200);
    const startedAt = Date.parse((await started.json()).startedAt);
    const send = async (control: number, urgent: number, prefix: string) => {
      // Exposures inside the running phase: spread between its start and now.
      const now = Date.now();
      const n = control + urgent;
      const items = [...Array(n).keys()].map((i) => ({
        id: `${prefix}-${i}`, type: 'exposure', unitId: `${prefix}-u${i}`, experimentKey: key,
        variantKey: i < control ? 'control' : 'urgent', timestamp: new Date(startedAt + Math.floor(((now - startedAt) * i) / n)).toISOString(),
      }));
      const res = await h.call('POST', '/sdk/events', { items }, { key: h.sdkKey });
      expect(res.status).toBe(202);
      expect((await res.json()).rejected).toEqual([]);
    };
    const refresh = async () => {
      const res = await h.call('GET', `/api/experiments/${key}/results?maxAge=0`);
      expect(res.status).toBe(200);
      return (await res.json()).srm.mismatch as boolean;
    };
    await send(100, 100, 'even');
    expect(await refresh()).toBe(false);
    await drain();
    expect(receiver.received).toHaveLength(0);
    // A broken split: 500 more units in control only (600 : 100 against 50/50).
    await send(500, 0, 'skew');
    for (let i = 0; i < 3; i++) {
      expect(await refresh()).toBe(true);
      await drain();
    }
    await send(10, 0, 'more');
    expect(await refresh()).toBe(true);
    await drain();
    expect(receiver.events().map((e) => [e.type, (e.data.experiment as { key: string }).key])).toEqual([['experiment.srm_detected', key]]);
    expect(receiver.events()[0]!.data.pValue).toBeLessThan(0.001);
    expect(await pendingDeliveries(getDb().db)).toBe(0);
    await h.call('DELETE', `/api/webhooks/${hook.id}`);
  });
});
