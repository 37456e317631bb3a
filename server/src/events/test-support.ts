import type { Kysely } from 'kysely';
import { expect } from 'vitest';
import type { Database } from '../db/schema.js';
import type { IngestWriter } from './writer.js';
import { type Harness, createHarness, fixtures, seedCatalog } from '../test/harness.js';

/** Shared set-up of the events suites: a harness with a settable clock and experiments in every state. */
export const T0 = new Date('2026-11-22T12:00:00Z');

export interface EventsHarness extends Harness {
  clock: { now: Date };
  /** POST /sdk/events with the SDK key (JSON), or as a raw string with the given headers. */
  send(body: unknown, options?: { key?: string | null; headers?: Record<string, string>; query?: string }): Promise<Response>;
  db: Kysely<Database>;
}

export async function createEventsHarness(db: Kysely<Database>, { ingest }: { ingest?: IngestWriter } = {}): Promise<EventsHarness> {
  const clock = { now: T0 };
  const h = await createHarness(db, { now: () => clock.now, ...(ingest && { ingest }) });
  await seedCatalog(h);
  const create = async (key: string, then: string[] = []) => {
    const res = await h.call('POST', '/api/experiments', fixtures.experiment(key));
    if (res.status === 409) return; // a second harness on the same database
    expect(res.status, await res.clone().text()).toBe(201);
    for (const action of then) expect((await h.call('POST', `/api/experiments/${key}/${action}`)).status).toBe(200);
  };
  await create('checkout-cta-copy', ['start']);
  await create('draft-one');
  await create('paused-one', ['start', 'pause']);
  return {
    ...h,
    clock,
    db,
    send: (body, { key = h.sdkKey, headers, query = '' } = {}) =>
      h.call('POST', `/sdk/events${query}`, body, { key, ...(headers && { headers }) }),
  };
}

export const at = (offsetMs = 0) => new Date(T0.getTime() + offsetMs).toISOString();

export const exposure = (id: string, unitId: string, variantKey = 'control', extra: Record<string, unknown> = {}) => ({
  id, type: 'exposure', unitId, experimentKey: 'checkout-cta-copy', variantKey, timestamp: at(), ...extra,
});

export const event = (id: string, unitId: string, name = 'purchase', extra: Record<string, unknown> = {}) => ({
  id, type: 'event', unitId, name, timestamp: at(), ...extra,
});

export async function countEvents(db: Kysely<Database>, ids: string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const row = await db.selectFrom('events').select((eb) => eb.fn.countAll<number>().as('n')).where('event_id', 'in', ids).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Exposure rows whose counting (first) exposure is one of `itemIds`. */
export async function countExposures(db: Kysely<Database>, itemIds: string[]): Promise<number> {
  if (itemIds.length === 0) return 0;
  const row = await db.selectFrom('exposures').select((eb) => eb.fn.countAll<number>().as('n')).where('first_item_id', 'in', itemIds).executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function totals(db: Kysely<Database>): Promise<{ events: number; exposures: number }> {
  const count = async (table: 'events' | 'exposures') =>
    Number((await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  return { events: await count('events'), exposures: await count('exposures') };
}
