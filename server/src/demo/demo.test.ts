import { beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../test/engines.js';
import { type Harness, createHarness } from '../test/harness.js';
import { EXPERIMENTS, MARKER_TOUCHPOINT } from './funnel.js';
import { type DemoSummary, formatDemoSummary, seedDemo } from './seed.js';

const NOW = new Date('2026-11-22T12:00:00Z');
const DAY = 24 * 3_600_000;
/** A smaller shop than the default 30,000 visitors; the seed is fixed, so every run sees the same traffic. */
const VISITORS = 8000;

describeEachEngine('demo data', (getDb) => {
  let h: Harness;
  let first: DemoSummary;
  const counts = async () => {
    const db = getDb().db;
    const count = async (table: 'events' | 'exposures' | 'experiments' | 'touchpoints' | 'metrics') =>
      Number((await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    return { events: await count('events'), exposures: await count('exposures'), experiments: await count('experiments'), touchpoints: await count('touchpoints'), metrics: await count('metrics') };
  };

  beforeAll(async () => {
    const db = getDb().db;
    h = await createHarness(db, { now: () => NOW });
    first = await seedDemo({ db, now: () => NOW }, { visitors: VISITORS });
  });

  it('seeds every item through POST /sdk/events without a rejection', async () => {
    expect(first.status).toBe('seeded');
    expect(first.items.rejected).toBe(0);
    expect(first.items.duplicates).toBe(0);
    expect(first.items.accepted).toBe(first.items.exposures + first.items.events);
    expect(first.items.batches).toBeGreaterThanOrEqual(Math.ceil(first.items.accepted / 1000));
    const stored = await counts();
    expect(stored.events).toBe(first.items.events);
    expect(formatDemoSummary(first)).toContain('demo-free-shipping-hero [running]');
    expect(formatDemoSummary(first)).toMatch(/always-valid p = [^\n]*; decision: collecting\n/);
  });

  it('puts the experiments in their states, with believable times', async () => {
    const byKey = async (key: string) => (await h.call('GET', `/api/experiments/${key}`)).json();
    const [hero, gallery, copy, draft] = await Promise.all(EXPERIMENTS.map((e) => byKey(e.body.key)));
    expect([hero.status, gallery.status, copy.status, draft.status]).toEqual(['running', 'running', 'stopped', 'draft']);
    expect(Date.parse(hero.startedAt)).toBe(NOW.getTime() - 6 * DAY);
    expect(Date.parse(gallery.startedAt)).toBe(NOW.getTime() - 5 * DAY);
    expect(Date.parse(copy.stoppedAt)).toBe(NOW.getTime() - 2 * DAY);
    expect(copy.decision).toEqual({ winner: 'free-returns', note: expect.any(String) });
    expect(draft.startedAt).toBeNull();
    // The seeding keys are revoked; only the harness's keys stay active.
    const keys = await (await h.call('GET', '/api/keys')).json();
    const active = (Array.isArray(keys) ? keys : keys.items).map((k: { name: string }) => k.name);
    expect(active.some((name: string) => name.startsWith('Demo seeding'))).toBe(false);
  });

  it('the results show the known lifts inside their intervals, and no SRM alarm', async () => {
    for (const experiment of EXPERIMENTS.filter((e) => e.state !== 'draft')) {
      const res = await h.call('GET', `/api/experiments/${experiment.body.key}/results?maxAge=0`);
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(body.srm.mismatch, experiment.body.key).toBe(false);
      const primary = body.metrics.find((m: { role: string }) => m.role === 'primary');
      const [control, variant] = primary.variants;
      expect(control.units).toBeGreaterThan(0);
      const [low, high] = variant.comparison.relativeLift.ci;
      expect(low, experiment.body.key).toBeLessThan(experiment.trueRelativeLift!);
      expect(high, experiment.body.key).toBeGreaterThan(experiment.trueRelativeLift!);
    }
    const hero = await (await h.call('GET', '/api/experiments/demo-free-shipping-hero/results?maxAge=0')).json();
    const purchase = hero.metrics[0];
    expect(purchase.key).toBe('demo-purchase');
    expect(purchase.variants[0].units + purchase.variants[1].units).toBe(VISITORS);
    // Every metric type of the demo has figures: conversion, revenue, ratio and the four-step funnel.
    const byKey = Object.fromEntries(hero.metrics.map((m: { key: string }) => [m.key, m]));
    expect(byKey['demo-revenue'].variants[0].value).toBeGreaterThan(0);
    expect(byKey['demo-average-order-value'].variants[0].value).toBeGreaterThan(30);
    expect(byKey['demo-checkout-funnel'].steps).toHaveLength(4);
    expect(hero.daily.days.length).toBeGreaterThanOrEqual(6);
  });

  it('decisions: the running experiments (5 and 6 days) are collecting, the stopped one (minimumDays 4) may decide', async () => {
    const decision = async (key: string) => (await (await h.call('GET', `/api/experiments/${key}/results?maxAge=0`)).json()).decision;
    for (const key of ['demo-free-shipping-hero', 'demo-pdp-gallery-video']) {
      const d = await decision(key);
      expect(d.status, key).toBe('collecting');
      expect(d.checks.find((c: { name: string }) => c.name === 'minimum-days').ok, key).toBe(false);
    }
    // Its minimumDays is 4, so every check holds; whether +15 % is already significant depends on the
    // traffic (this test seeds a small demo: it keeps running).
    const copy = await decision('demo-add-to-cart-copy');
    expect(copy.checks.every((c: { ok: boolean }) => c.ok)).toBe(true);
    expect(['ship', 'keep-running']).toContain(copy.status);
    expect(copy.recommendedVariant).toBe(copy.status === 'ship' ? 'free-returns' : null);
  });

  it('a second run is a no-op and says so', async () => {
    const before = await counts();
    const again = await seedDemo({ db: getDb().db, now: () => new Date(NOW.getTime() + 3_600_000) }, { visitors: VISITORS });
    expect(again.status).toBe('skipped');
    expect(again.reason).toContain(MARKER_TOUCHPOINT);
    expect(again.reason).toContain('already there');
    expect(formatDemoSummary(again)).toMatch(/^Demo data: skipped/);
    expect(await counts()).toEqual(before);
  });
});
