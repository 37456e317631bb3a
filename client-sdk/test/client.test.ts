import { describe, expect, it, vi } from 'vitest';
import { createClient } from '../src/client.js';
import { assignVariant } from '../src/index.js';
import type { ClientOptions, SdkConfig } from '../src/index.js';
import { httpTracking } from '../src/tracking/index.js';
import { config, fakeClock, fakeFetch, fakeServer, json, memoryStorage, seededRandom } from './helpers.js';

function setup(options: Partial<ClientOptions> = {}, server = fakeServer(config)) {
  const clock = fakeClock();
  const storage = memoryStorage();
  const onError = vi.fn();
  const make = (extra: Partial<ClientOptions> = {}) =>
    createClient({
      apiUrl: 'https://ab.example.com/',
      sdkKey: 'sdk_test',
      fetch: server,
      storage,
      now: clock.now,
      setTimeout: clock.setTimeout,
      clearTimeout: clock.clearTimeout,
      random: seededRandom(1),
      url: 'https://shop.example.com/',
      onError,
      tracking: httpTracking({ document: undefined, window: undefined, sendBeacon: null }),
      ...options,
      ...extra,
    });
  return { client: make(), make, clock, storage, server, onError };
}

describe('configuration', () => {
  it('before a config: control, "not in experiment"; after: assigned', async () => {
    const { client, server } = setup({ unitId: 'user-1' });
    expect(client.getVariant('checkout-cta-copy')).toEqual({
      experimentKey: 'checkout-cta-copy', variantKey: null, variantIndex: 0, payload: null,
      inExperiment: false, forced: false, reason: 'no_config',
    });
    await client.ready();
    expect(server.configCalls[0]!.url).toBe('https://ab.example.com/sdk/config');
    expect((server.configCalls[0]!.init.headers as Record<string, string>).Authorization).toBe('Bearer sdk_test');
    expect(client.getVariant('checkout-cta-copy')).toMatchObject({ variantKey: 'urgent', variantIndex: 1, inExperiment: true, reason: 'assigned' });
    expect(client.getVariant('nope')).toMatchObject({ inExperiment: false, reason: 'unknown_experiment' });
  });

  it('a unit outside targeting gets the control experience with its key and payload', async () => {
    const { client } = setup({ unitId: 'user-1', attributes: { country: 'DE' } });
    await client.ready();
    expect(client.getVariant('fr-only')).toMatchObject({ variantKey: 'control', variantIndex: 0, inExperiment: false, reason: 'not_in_experiment' });
    client.setAttributes({ country: 'FR' });
    expect(client.getVariant('fr-only').inExperiment).toBe(true);
  });

  it('bootstrap: assigned synchronously, no fetch until the refresh interval', async () => {
    const { client, server, clock } = setup({ unitId: 'user-1', bootstrap: config, refreshInterval: 60_000 });
    expect(client.getVariant('checkout-cta-copy').variantKey).toBe('urgent');
    await clock.advance(59_000);
    expect(server.configCalls).toHaveLength(0);
    await clock.advance(1_000);
    expect(server.configCalls).toHaveLength(1);
  });

  it('refresh sends If-None-Match and keeps the config on 304', async () => {
    const { client, server } = setup();
    await client.ready();
    const listener = vi.fn();
    client.subscribe(listener);
    await client.refresh();
    expect((server.configCalls[1]!.init.headers as Record<string, string>)['If-None-Match']).toBe('"v1"');
    expect(client.getConfig()).toEqual(config);
    expect(listener).not.toHaveBeenCalled();
  });

  it('a cached config is used synchronously by the next page, which revalidates with its ETag', async () => {
    const { client, make, server } = setup();
    await client.ready();
    client.destroy();
    const next = make({ unitId: 'user-1' });
    expect(next.getVariant('checkout-cta-copy').variantKey).toBe('urgent');
    // Revalidated in the background at once, not only after the refresh interval.
    expect(server.configCalls).toHaveLength(2);
    expect((server.configCalls[1]!.init.headers as Record<string, string>)['If-None-Match']).toBe('"v1"');
  });

  it('fetch failures and bad bodies are reported, never thrown', async () => {
    const failing = fakeFetch(() => 'network-error', () => json({ nope: true }), () => json({}, 500));
    const { client, onError } = setup({}, Object.assign(failing, { configCalls: [], eventCalls: [], items: () => [] }));
    await expect(client.ready()).resolves.toBeUndefined();
    await client.refresh();
    await client.refresh();
    expect(onError.mock.calls.map((c) => c[0].type)).toEqual(['config', 'config', 'config']);
    expect(client.getVariant('checkout-cta-copy').reason).toBe('no_config');
  });

  it('works in Node with no browser globals and no storage', async () => {
    expect(typeof (globalThis as { window?: unknown }).window).toBe('undefined');
    const client = createClient({ bootstrap: config, unitId: 'user-3', refreshInterval: 0 });
    expect(client.getVariant('checkout-cta-copy').variantKey).toBe(assignVariant(config.experiments[0]!, 'user-3')!.variantKey);
    expect(client.getUnitId()).toBe('user-3');
    client.track('purchase', { value: 10 }); // no tracking plug-in: nothing to do, nothing thrown
  });
});

describe('overrides', () => {
  it('URL and code overrides force a variant and are never logged', async () => {
    const { client, server } = setup({
      unitId: 'user-1',
      bootstrap: config,
      url: 'https://shop.example.com/?tp_force=checkout-cta-copy:control,fr-only:1',
      overrides: { 'sticky-pricing': 'annual-first' },
    });
    expect(client.getVariant('checkout-cta-copy')).toMatchObject({ variantKey: 'control', forced: true, inExperiment: true, reason: 'forced' });
    expect(client.getVariant('fr-only')).toMatchObject({ variantKey: 'b', forced: true });
    expect(client.getVariant('sticky-pricing')).toMatchObject({ variantKey: 'annual-first', forced: true });
    client.setOverride('checkout-cta-copy', null);
    expect(client.getVariant('checkout-cta-copy')).toMatchObject({ variantKey: 'urgent', forced: false });
    await client.flush();
    const exposures = server.items() as Array<{ experimentKey: string }>;
    expect(exposures.map((e) => e.experimentKey)).toEqual(['checkout-cta-copy']);
  });

  it('an override naming no variant is ignored with a warning', () => {
    const onWarning = vi.fn();
    const { client } = setup({ unitId: 'user-1', bootstrap: config, overrides: { 'checkout-cta-copy': 'purple' }, onWarning });
    expect(client.getVariant('checkout-cta-copy')).toMatchObject({ variantKey: 'urgent', forced: false });
    expect(onWarning).toHaveBeenCalledWith(expect.stringMatching(/names no variant/));
  });
});

describe('privacy', () => {
  it('before consent: assigns in memory, stores and sends nothing', async () => {
    const { client, storage, server, clock } = setup({ requireConsent: true, bootstrap: config });
    const first = client.getVariant('checkout-cta-copy');
    expect(first.inExperiment).toBe(true);
    client.track('add_to_cart');
    await clock.advance(60_000);
    await client.flush();
    expect(storage.data.size).toBe(0);
    expect(server.eventCalls).toHaveLength(0);

    client.setConsent(true);
    expect(storage.data.get('tp.anon')).toBe(JSON.stringify(client.getUnitId()));
    await client.flush();
    expect((server.items() as Array<{ type: string }>).map((i) => i.type)).toEqual(['exposure', 'event']);
  });

  it('consent refused after the fact: what was held is forgotten', async () => {
    const { client, storage, server } = setup({ requireConsent: true, bootstrap: config });
    client.getVariant('checkout-cta-copy');
    client.setConsent(false);
    client.setConsent(true);
    await client.flush();
    expect(server.eventCalls).toHaveLength(0);
    expect([...storage.data.keys()]).not.toContain('tp.queue');
  });

  it('optOut erases identifiers and queue, shows the control and persists the choice', async () => {
    const { client, make, storage, server } = setup({ bootstrap: config, refreshInterval: 0 });
    client.getVariant('checkout-cta-copy');
    client.track('purchase', { value: 10 });
    expect(storage.data.has('tp.anon')).toBe(true);
    client.optOut();
    expect(client.isOptedOut()).toBe(true);
    expect([...storage.data.keys()]).toEqual(['tp.optout']);
    expect(client.getVariant('checkout-cta-copy')).toMatchObject({ variantIndex: 0, inExperiment: false, reason: 'opted_out' });
    client.track('purchase', { value: 10 });
    await client.flush();
    expect(server.eventCalls).toHaveLength(0);

    const next = make({ bootstrap: config });
    expect(next.isOptedOut()).toBe(true);
    expect(next.getVariant('checkout-cta-copy').reason).toBe('opted_out');
    next.setConsent(true);
    expect(next.isOptedOut()).toBe(false);
  });
});

describe('identity', () => {
  it('generates and persists an anonymous id (after consent)', () => {
    const { client, make } = setup({ bootstrap: config });
    const id = client.getUnitId();
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(make({ bootstrap: config }).getUnitId()).toBe(id);
  });

  it('identify keeps the variants already seen and links the ids', async () => {
    const { client, server } = setup({ bootstrap: config });
    const anon = client.getUnitId();
    const seen = client.getVariant('checkout-cta-copy').variantKey;
    // Find a logged-in id that would hash to the other variant.
    const other = seen === 'urgent' ? 'user-3' : 'user-1';
    client.identify(other);
    expect(client.getUnitId()).toBe(other);
    expect(client.getVariant('checkout-cta-copy')).toMatchObject({ variantKey: seen, reason: 'linked' });
    await client.flush();
    const items = server.items() as Array<{ type: string; name?: string; unitId: string; anonymousId?: string; variantKey?: string }>;
    // The item the server's POST /sdk/events takes (server/src/events/schemas.ts, identifyItemSchema).
    expect(items.filter((i) => i.type === 'identify')).toEqual([{ id: expect.any(String), type: 'identify', unitId: other, anonymousId: anon, timestamp: expect.any(String) }]);
    expect(items.filter((i) => i.type === 'exposure').map((i) => [i.unitId, i.variantKey])).toEqual([[anon, seen], [other, seen]]);
  });

  it('identify from one logged-in id to another links nothing (two accounts are two people)', async () => {
    const { client, server } = setup({ bootstrap: config, unitId: 'user-1' });
    client.identify('user-3');
    expect(client.getUnitId()).toBe('user-3');
    await client.flush();
    expect((server.items() as Array<{ type: string }>).filter((i) => i.type === 'identify')).toEqual([]);
  });
});

describe('sticky bucketing', () => {
  it('a sticky experiment keeps the unit when weights change; a plain one follows the hash', () => {
    const { make } = setup({ refreshInterval: 0 });
    const reweigh = (c: SdkConfig): SdkConfig => ({
      experiments: c.experiments.map((e) => ({ ...e, variants: e.variants!.map((v, i) => ({ ...v, weight: i === 0 ? 0.01 : 0.99 })) })),
    });
    let movedPlain = 0;
    for (let i = 0; i < 50; i++) {
      const before = make({ unitId: `u-${i}`, bootstrap: config });
      const sticky = before.getVariant('sticky-pricing').variantKey;
      const plain = before.getVariant('checkout-cta-copy').variantKey;
      const after = make({ unitId: `u-${i}`, bootstrap: reweigh(config) });
      expect(after.getVariant('sticky-pricing').variantKey).toBe(sticky);
      if (after.getVariant('checkout-cta-copy').variantKey !== plain) movedPlain++;
    }
    expect(movedPlain).toBeGreaterThan(10);
  });
});

describe('input errors', () => {
  it('track with a bad name or value is reported and dropped', async () => {
    const { client, onError, server } = setup({ bootstrap: config });
    client.track('', {});
    client.track('purchase', { value: Number.NaN });
    await client.flush();
    expect(onError.mock.calls.map((c) => c[0].type)).toEqual(['invalid_input', 'invalid_input']);
    expect(server.eventCalls).toHaveLength(0);
  });
});

describe('config retries', () => {
  it('without any config, a failed load is retried with backoff before the refresh interval', async () => {
    let n = 0;
    const flaky = fakeFetch(() => (n++ < 2 ? 'network-error' : json(config, 200, { ETag: '"v1"' })));
    const { client, clock } = setup({ unitId: 'user-1' }, Object.assign(flaky, { configCalls: [], eventCalls: [], items: () => [] }));
    await client.ready();
    expect(client.getVariant('checkout-cta-copy').reason).toBe('no_config');
    await clock.advance(2_000);
    expect(flaky.calls).toHaveLength(2);
    await clock.advance(4_000);
    expect(flaky.calls).toHaveLength(3);
    expect(client.getVariant('checkout-cta-copy', { expose: false }).variantKey).toBe('urgent');
    expect(clock.pending()).toEqual([300_000]); // back to the normal refresh interval
  });
});

describe('shipped winner (rollout form, design.md §8)', () => {
  const shipped: SdkConfig = {
    experiments: [
      { key: 'cta-shipped', targeting: null, rollout: { variantKey: 'urgent', variantIndex: 1, payload: { label: 'Ships today' } } },
      { key: 'fr-shipped', targeting: { attribute: 'country', op: 'in', value: ['FR'] }, rollout: { variantKey: 'b', variantIndex: 2 } },
    ],
  };

  it('every unit gets the winner, not in the experiment, and no exposure is sent', async () => {
    const { make, server } = setup({ bootstrap: shipped, refreshInterval: 0 });
    for (let i = 0; i < 20; i++) {
      const client = make({ unitId: `u-${i}`, attributes: { country: 'FR' } });
      expect(client.getVariant('cta-shipped')).toEqual({
        experimentKey: 'cta-shipped', variantKey: 'urgent', variantIndex: 1, payload: { label: 'Ships today' },
        inExperiment: false, forced: false, reason: 'rollout',
      });
      expect(client.getVariant('fr-shipped')).toMatchObject({ variantKey: 'b', variantIndex: 2, payload: null, reason: 'rollout' });
      await client.flush();
    }
    expect(server.eventCalls).toHaveLength(0);
  });

  it('the targeting still decides; overrides and opt-out do not change what is shipped', () => {
    const { client } = setup({ bootstrap: shipped, refreshInterval: 0, attributes: { country: 'DE' }, overrides: { 'cta-shipped': 'control' } });
    expect(client.getVariant('fr-shipped')).toMatchObject({ variantKey: null, inExperiment: false, reason: 'not_in_experiment' });
    expect(client.getVariant('cta-shipped')).toMatchObject({ variantKey: 'urgent', reason: 'rollout' });
    client.optOut();
    expect(client.getVariant('cta-shipped')).toMatchObject({ variantKey: 'urgent', reason: 'rollout' });
  });
});
