/**
 * Decisions (design.md §8) on simulated experiments with a known truth, end to end: visitors assigned
 * by the SDK's own function from GET /sdk/config, their exposures and events sent through
 * POST /sdk/events, the decision read from GET /api/experiments/:key/results and
 * GET /api/results/summary. Seeded, so every run and both engines see the same visitors.
 */
import { type SdkExperiment, assignVariant } from '@touchpoint/client-sdk';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeEachEngine } from '../test/engines.js';
import type { Harness } from '../test/harness.js';
import { type Clock, DAY, HOUR, type SdkItem, T0, at, results, resultsHarness, seededRandom, sendItems } from './test-support.js';

/** Per variant, the chance that a visitor fires each event once after exposure. */
type Truth = Record<string, Record<string, number>>;

async function sdkExperiment(h: Harness, key: string): Promise<SdkExperiment> {
  const res = await h.call('GET', '/sdk/config', undefined, { key: h.sdkKey });
  const experiment = ((await res.json()) as { experiments: SdkExperiment[] }).experiments.find((e) => e.key === key);
  if (!experiment) throw new Error(`${key} is not in /sdk/config`);
  return experiment;
}

/** Visitors exposed over the first 3 days, each event within 48 h of the exposure. */
function traffic(config: SdkExperiment, prefix: string, visitors: number, truth: Truth, seed: number): SdkItem[] {
  const random = seededRandom(seed);
  const items: SdkItem[] = [];
  for (let i = 0; i < visitors; i++) {
    const unitId = `${prefix}-${i}`;
    const variantKey = assignVariant(config, unitId)!.variantKey!;
    const exposedAt = T0.getTime() + Math.floor(random() * 3 * DAY);
    items.push({ id: `${unitId}-x`, type: 'exposure', unitId, experimentKey: config.key, variantKey, timestamp: new Date(exposedAt).toISOString() });
    for (const [name, rate] of Object.entries(truth[variantKey]!)) {
      if (random() < rate) items.push({ id: `${unitId}-${name}`, type: 'event', unitId, name, timestamp: new Date(exposedAt + Math.floor(random() * 48 * HOUR)).toISOString() });
    }
  }
  return items;
}

/** Every comparison (metrics, funnel steps, segments) that claims significance or a good/bad verdict. */
function claims(document: unknown): string[] {
  const found: string[] = [];
  const walk = (value: unknown, path: string) => {
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${path}[${i}]`));
    else if (value && typeof value === 'object') {
      const o = value as Record<string, unknown>;
      if (o.significant === true || o.verdict === 'good' || o.verdict === 'bad') found.push(path);
      for (const [k, v] of Object.entries(o)) walk(v, `${path}.${k}`);
    }
  };
  walk(document, '$');
  return found;
}

const twoArms = [
  { key: 'control', name: 'Control', weight: 0.5 },
  { key: 'b', name: 'B', weight: 0.5 },
];

describeEachEngine('decision on simulated experiments through POST /sdk/events', (getDb) => {
  let h: Harness;
  let clock: Clock;
  const early: Record<string, any> = {};
  const late: Record<string, any> = {};
  let summary: Record<string, any>;

  beforeAll(async () => {
    ({ h, clock } = await resultsHarness(getDb().db));
    const created = await h.call('POST', '/api/metrics', { key: 'add-to-cart', name: 'Add to cart', type: 'conversion', eventName: 'add_to_cart' });
    expect(created.status).toBe(201);
    const experiments: { key: string; body: Record<string, unknown>; visitors: number; truth: Truth }[] = [
      // A/A: 10 % everywhere; sequential (the default) with a 30 % minimum detectable effect.
      { key: 'dec-aa', body: { variants: twoArms, minimumDetectableEffect: 0.3 }, visitors: 8000, truth: { control: { purchase: 0.1 }, b: { purchase: 0.1 } } },
      // A null arm and a strong true lift (+50 %): ship the strong one.
      {
        key: 'dec-lift',
        body: { variants: ['control', 'same', 'better'].map((key) => ({ key, name: key, weight: 1 / 3 })), minimumDetectableEffect: 0.2 },
        visitors: 9000,
        truth: { control: { purchase: 0.1 }, same: { purchase: 0.1 }, better: { purchase: 0.15 } },
      },
      // Purchases unchanged, add-to-cart (a guardrail, higher is better) down from 40 % to 30 %.
      {
        key: 'dec-guard',
        body: { variants: twoArms, guardrailMetrics: ['add-to-cart'] },
        visitors: 4000,
        truth: { control: { purchase: 0.1, add_to_cart: 0.4 }, b: { purchase: 0.1, add_to_cart: 0.3 } },
      },
      // A huge true lift on too few visitors: fewer than 100 units per arm.
      { key: 'dec-few', body: { variants: twoArms }, visitors: 120, truth: { control: { purchase: 0.1 }, b: { purchase: 0.6 } } },
    ];
    const items: SdkItem[] = [];
    for (const [i, e] of experiments.entries()) {
      expect((await h.call('POST', '/api/experiments', { ...fixturesExperiment(e.key), ...e.body })).status).toBe(201);
      expect((await h.call('POST', `/api/experiments/${e.key}/start`)).status).toBe(200);
      items.push(...traffic(await sdkExperiment(h, e.key), e.key, e.visitors, e.truth, 100 + i));
    }
    // Everything was sent by day 5 (ingestion takes items up to 7 days old).
    clock.now = at(5 * DAY + HOUR);
    items.sort((a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp));
    await sendItems(h, items);
    for (const e of experiments) early[e.key] = await results(h, e.key);
    clock.now = at(8 * DAY);
    for (const e of experiments) late[e.key] = await results(h, e.key);
    const res = await h.call('GET', '/api/results/summary');
    summary = Object.fromEntries(((await res.json()) as { items: { key: string; results: any }[] }).items.map((item) => [item.key, item.results]));
  });

  function fixturesExperiment(key: string) {
    return { key, name: key, touchpointKey: 'checkout-cta', primaryMetric: 'purchase' };
  }

  describe('before 7 days', () => {
    it('every experiment is collecting, the minimum-days check says why, and nothing is called significant', () => {
      for (const key of ['dec-aa', 'dec-lift', 'dec-few']) {
        const body = early[key];
        expect(body.decision.status, key).toBe('collecting');
        expect(body.decision.recommendedVariant).toBeNull();
        expect(body.decision.checks.find((c: any) => c.name === 'minimum-days')).toMatchObject({ ok: false });
        expect(claims(body), key).toEqual([]);
      }
    });

    it('a harmed guardrail rolls back at once; the primary metric still claims nothing', () => {
      const body = early['dec-guard'];
      expect(body.decision).toMatchObject({ status: 'roll-back', recommendedVariant: 'control' });
      expect(body.decision.checks.find((c: any) => c.name === 'minimum-days')).toMatchObject({ ok: false });
      expect(claims(body).filter((path) => !path.startsWith('$.metrics[1]'))).toEqual([]);
      expect(body.metrics[1].variants[1].comparison.verdict).toBe('bad');
    });

    it('the figures stay: the strong lift is visible, held with a "collecting:" reason', () => {
      const better = early['dec-lift'].metrics[0].variants[2];
      expect(better.comparison.absoluteDifference.estimate).toBeGreaterThan(0.03);
      expect(better.comparison.significant).toBe(false);
      expect(better.comparison.verdict).toBe('inconclusive');
      expect(better.comparison.reason).toMatch(/^collecting: minimum-days \(ran 5\.\d days of the 7 required/);
    });
  });

  describe('after 8 days', () => {
    it('A/A: no-difference or keep-running, never a winner', () => {
      const { decision } = late['dec-aa'];
      expect(['no-difference', 'keep-running']).toContain(decision.status);
      expect(decision.recommendedVariant).toBeNull();
      expect(decision.checks.every((c: any) => c.ok)).toBe(true);
    });

    it('a strong true lift ships the variant that has it', () => {
      const { decision } = late['dec-lift'];
      expect(decision).toMatchObject({ status: 'ship', recommendedVariant: 'better' });
      expect(decision.reasons[0]).toContain('"better" is significantly better');
      expect(late['dec-lift'].metrics[0].variants[2].comparison.significant).toBe(true);
    });

    it('a harmed guardrail rolls back to the control', () => {
      const { decision, metrics } = late['dec-guard'];
      expect(metrics.find((m: any) => m.key === 'add-to-cart').variants[1].comparison.guardrail.status).toBe('harmed');
      expect(decision).toMatchObject({ status: 'roll-back', recommendedVariant: 'control' });
      expect(decision.checks.find((c: any) => c.name === 'guardrails')).toEqual({ name: 'guardrails', ok: false, detail: '"Add to cart" is harmed by "b"' });
    });

    it('too few units: collecting, with no significant comparison despite a huge true lift', () => {
      const body = late['dec-few'];
      expect(body.decision.status).toBe('collecting');
      expect(body.decision.checks.find((c: any) => c.name === 'minimum-sample')).toMatchObject({ ok: false });
      expect(body.decision.checks.find((c: any) => c.name === 'minimum-days')).toMatchObject({ ok: true });
      expect(claims(body)).toEqual([]);
    });

    it('the summary lists each decision status and recommended variant', () => {
      expect(summary['dec-aa'].decision.status).toBe(late['dec-aa'].decision.status);
      expect(summary['dec-lift'].decision).toEqual({ status: 'ship', recommendedVariant: 'better' });
      expect(summary['dec-guard'].decision).toEqual({ status: 'roll-back', recommendedVariant: 'control' });
      expect(summary['dec-few'].decision).toEqual({ status: 'collecting', recommendedVariant: null });
    });
  });
});
