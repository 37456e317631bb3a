/**
 * Results-driven webhooks through real traffic: visitors assigned by the SDK's own function, their
 * exposures and events sent through POST /sdk/events, results refreshed several times over a week,
 * deliveries sent to a real receiver on 127.0.0.1. A guardrail harmed by variant "b" (add-to-cart down
 * from 40 % to 30 %) is announced once, and each change of the decision status once, whatever the
 * number of refreshes.
 */
import { type SdkExperiment, assignVariant } from '@touchpoint/client-sdk';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createMemoryLogger } from '../http/logger.js';
import { type Clock, DAY, HOUR, type SdkItem, T0, at, results, seededRandom, sendItems } from '../results/test-support.js';
import { describeEachEngine } from '../test/engines.js';
import { type Harness, createHarness, seedCatalog } from '../test/harness.js';
import { verifySignature } from './signature.js';
import { createReceiver } from './test-support.js';
import { deliverDueWebhooks } from './worker.js';

describeEachEngine('results-driven webhooks through POST /sdk/events', (getDb) => {
  let h: Harness;
  const clock: Clock = { now: T0 };
  let receiver: Awaited<ReturnType<typeof createReceiver>>;
  let secret: string;
  const statuses: string[] = [];

  beforeAll(async () => {
    h = await createHarness(getDb().db, { now: () => clock.now, webhookAllowPrivate: true });
    await seedCatalog(h);
    receiver = await createReceiver();
    expect((await h.call('POST', '/api/metrics', { key: 'add-to-cart', name: 'Add to cart', type: 'conversion', eventName: 'add_to_cart' })).status).toBe(201);
    const hook = await h.call('POST', '/api/webhooks', { url: receiver.url(), events: ['experiment.srm_detected', 'experiment.guardrail_harmed', 'experiment.decision_changed'] });
    expect(hook.status).toBe(201);
    secret = (await hook.json()).secret;
    const key = 'wh-guard';
    const variants = [{ key: 'control', name: 'Control', weight: 0.5 }, { key: 'b', name: 'B', weight: 0.5 }];
    expect((await h.call('POST', '/api/experiments', { key, name: key, touchpointKey: 'checkout-cta', primaryMetric: 'purchase', guardrailMetrics: ['add-to-cart'], variants })).status).toBe(201);
    expect((await h.call('POST', `/api/experiments/${key}/start`)).status).toBe(200);
    const config = ((await (await h.call('GET', '/sdk/config', undefined, { key: h.sdkKey })).json()) as { experiments: SdkExperiment[] }).experiments.find((e) => e.key === key)!;
    const truth: Record<string, Record<string, number>> = { control: { purchase: 0.1, add_to_cart: 0.4 }, b: { purchase: 0.1, add_to_cart: 0.3 } };
    const random = seededRandom(7);
    const items: SdkItem[] = [];
    for (let i = 0; i < 4000; i++) {
      const unitId = `v-${i}`;
      const variantKey = assignVariant(config, unitId)!.variantKey!;
      const exposedAt = T0.getTime() + Math.floor(random() * 3 * DAY);
      items.push({ id: `${unitId}-x`, type: 'exposure', unitId, experimentKey: key, variantKey, timestamp: new Date(exposedAt).toISOString() });
      for (const [name, rate] of Object.entries(truth[variantKey]!)) {
        if (random() < rate) items.push({ id: `${unitId}-${name}`, type: 'event', unitId, name, timestamp: new Date(exposedAt + Math.floor(random() * 48 * HOUR)).toISOString() });
      }
    }
    const worker = { db: getDb().db, logger: createMemoryLogger(), now: () => new Date(), allowPrivate: true };
    const refresh = async () => {
      const body = await results(h, key);
      statuses.push(body.decision?.status);
      while ((await deliverDueWebhooks(worker)) > 0);
    };
    // Before any traffic, then the traffic by day 5, then a full week: three refreshes at each point.
    clock.now = at(HOUR);
    for (let i = 0; i < 3; i++) await refresh();
    clock.now = at(5 * DAY + HOUR);
    items.sort((a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp));
    await sendItems(h, items);
    for (let i = 0; i < 3; i++) await refresh();
    clock.now = at(8 * DAY);
    for (let i = 0; i < 3; i++) await refresh();
  });
  afterAll(() => receiver.stop());

  it('announces the harmed guardrail once, and no SRM', () => {
    const harmed = receiver.events().filter((e) => e.type === 'experiment.guardrail_harmed');
    expect(harmed).toHaveLength(1);
    expect(harmed[0]!.data).toMatchObject({ experiment: { key: 'wh-guard' }, metric: 'add-to-cart', variant: 'b' });
    expect(receiver.events().filter((e) => e.type === 'experiment.srm_detected')).toEqual([]);
  });

  it('announces each change of the decision status once, in order, ending on roll-back', () => {
    // The transitions the refreshed documents went through (the first `collecting` is not news).
    const changes: string[] = [];
    let last: string | null = null;
    for (const status of statuses) {
      if (status !== last && !(last === null && status === 'collecting')) changes.push(status);
      last = status;
    }
    expect(changes.at(-1)).toBe('roll-back');
    const announced = receiver.events().filter((e) => e.type === 'experiment.decision_changed');
    expect(announced.map((e) => e.data.status)).toEqual(changes);
    expect(announced.at(-1)!.data).toMatchObject({ recommendedVariant: 'control' });
  });

  it('signs every delivery', () => {
    expect(receiver.received.length).toBeGreaterThan(1);
    for (const r of receiver.received) expect(verifySignature(secret, String(r.headers['touchpoint-signature']), r.body)).toBe(true);
  });
});
