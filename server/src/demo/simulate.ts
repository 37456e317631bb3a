/**
 * Seeded shop traffic: visitors arrive, meet experiments where the site would show them, walk down
 * the funnel with the true probabilities of `funnel.ts`, and produce the `/sdk/events` items a real
 * site would send. Pure (no I/O, no clock): the same input gives the same items.
 *
 * Assignment is the SDK's own `assignVariant` (design.md §4), so the split, the coverage and the
 * targeting behave exactly as in production; a unit is exposed only when it reaches the experiment's
 * touchpoint while the experiment runs.
 */
import { type Attributes, type SdkExperiment, assignVariant, hash } from '@touchpoint/client-sdk';
import { BASE_RATES, CHANNELS, COUNTRIES, DEVICES, EVENTS, type ExposurePoint, ORDER_VALUE, type TrueEffect } from './funnel.js';
import { type Random, normal, pick, seededRandom, uniform } from './random.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

export interface SimulatedExperiment {
  sdk: SdkExperiment;
  exposedAt: ExposurePoint;
  /** Exposures happen in [runningFrom, runningUntil); null = still running. */
  runningFrom: Date;
  runningUntil: Date | null;
  effects: Record<string, TrueEffect>;
}

export interface SimulationInput {
  seed: number;
  visitors: number;
  /** Arrivals fall in [from, to). */
  from: Date;
  to: Date;
  /** Nothing after this has happened yet: later events are not produced. */
  now: Date;
  experiments: readonly SimulatedExperiment[];
  /** Prefix of unit and item ids (default `demo`). */
  prefix?: string;
}

export type SdkItem =
  | { id: string; type: 'exposure'; unitId: string; experimentKey: string; variantKey: string; timestamp: string; attributes: Attributes }
  | { id: string; type: 'event'; unitId: string; name: string; value?: number; timestamp: string };

export interface Simulation {
  /** In timestamp order; `at` is the timestamp in milliseconds. */
  items: { at: number; item: SdkItem }[];
  exposures: number;
  events: number;
  purchases: number;
}

/** More visitors in the evening than at night (UTC hours; the demo shop sells in Europe). */
function arrival(random: Random, from: number, to: number): number {
  for (;;) {
    const at = uniform(random, from, to);
    const hour = (at / HOUR) % 24;
    const evening = 0.5 - 0.5 * Math.cos((2 * Math.PI * (hour - 8)) / 24); // 0 at 08:00, 1 at 20:00
    if (random() < 0.35 + 0.65 * evening) return at;
  }
}

const orderValue = (random: Random): number => Math.round(ORDER_VALUE.median * Math.exp(ORDER_VALUE.sigma * normal(random)) * 100) / 100;

export function simulateTraffic(input: SimulationInput): Simulation {
  const prefix = input.prefix ?? 'demo';
  const now = input.now.getTime();
  const items: { at: number; item: SdkItem }[] = [];
  let exposures = 0;
  let events = 0;
  let purchases = 0;

  for (let i = 0; i < input.visitors; i++) {
    const unitId = `${prefix}-v${i}`;
    // Each visitor draws from its own streams, one for its arrival time and one for what it does:
    // a draw more or less for one visitor (the time-of-day rejection depends on the hour `from` falls
    // at; a variant's effect changes which branch runs) must not change what every later visitor does.
    const arrivals = seededRandom(hash(`${input.seed}:arrival:${i}`));
    const random = seededRandom(hash(`${input.seed}:visit:${i}`));
    let eventCount = 0;
    const event = (name: string, at: number, value?: number) => {
      if (at >= now) return false;
      items.push({ at, item: { id: `${unitId}-e${eventCount++}`, type: 'event', unitId, name, ...(value !== undefined && { value }), timestamp: new Date(at).toISOString() } });
      events++;
      return true;
    };
    const arrivedAt = arrival(arrivals, input.from.getTime(), input.to.getTime());
    const device = pick(random, DEVICES);
    const attributes = { device: device.value, channel: pick(random, CHANNELS).value, country: pick(random, COUNTRIES).value };

    // Effects of the variants this visitor has actually seen, by funnel step.
    const multiplier = { addToCart: 1, purchase: 1 };
    const meet = (point: ExposurePoint, at: number) => {
      input.experiments.forEach((experiment, e) => {
        if (experiment.exposedAt !== point || at < experiment.runningFrom.getTime()) return;
        if (experiment.runningUntil && at >= experiment.runningUntil.getTime()) return;
        const assignment = assignVariant(experiment.sdk, unitId, attributes, () => {});
        if (!assignment) return;
        items.push({
          at,
          item: { id: `${unitId}-x${e}`, type: 'exposure', unitId, experimentKey: experiment.sdk.key, variantKey: assignment.variantKey, timestamp: new Date(at).toISOString(), attributes },
        });
        exposures++;
        const effect = experiment.effects[assignment.variantKey];
        if (effect) multiplier[effect.step] *= effect.multiplier;
      });
    };

    meet('arrival', arrivedAt);
    if (random() >= BASE_RATES.productView) continue;
    const viewedAt = arrivedAt + uniform(random, 10 * SECOND, 2 * MINUTE);
    meet('product_view', viewedAt);
    if (!event(EVENTS.productView, viewedAt + SECOND)) continue;
    if (random() >= BASE_RATES.addToCart * device.addToCart * multiplier.addToCart) continue;
    const addedAt = viewedAt + uniform(random, 20 * SECOND, 10 * MINUTE);
    if (!event(EVENTS.addToCart, addedAt)) continue;
    // A quarter of carts are finished on a later visit, up to two days later.
    const later = random() < 0.25 ? uniform(random, 1 * HOUR, 48 * HOUR) : 0;
    if (random() >= BASE_RATES.checkoutStarted) continue;
    const checkoutAt = addedAt + later + uniform(random, 30 * SECOND, 5 * MINUTE);
    if (!event(EVENTS.checkoutStarted, checkoutAt)) continue;
    if (random() >= BASE_RATES.purchase * multiplier.purchase) continue;
    const boughtAt = checkoutAt + uniform(random, 1 * MINUTE, 15 * MINUTE);
    if (!event(EVENTS.purchase, boughtAt, orderValue(random))) continue;
    purchases++;
    if (random() < ORDER_VALUE.repeatRate && event(EVENTS.purchase, boughtAt + uniform(random, 2 * HOUR, 48 * HOUR), orderValue(random))) purchases++;
  }
  items.sort((a, b) => a.at - b.at);
  return { items, exposures, events, purchases };
}
