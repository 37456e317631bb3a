import { createClient } from '@touchpoint/client-sdk/client';
import { httpTracking } from '@touchpoint/client-sdk/tracking';
import { expect, it } from 'vitest';
import { describeEachEngine } from '../test/engines.js';
import { T0, createEventsHarness } from './test-support.js';

/** The real client SDK against the real endpoint: what it sends is accepted, what it reads is there. */
describeEachEngine('event ingestion from the client SDK', (db) => {
  it('stores the exposure and the purchase the SDK sends, and the SDK reports no error', async () => {
    const h = await createEventsHarness(db().db);
    const errors: unknown[] = [];
    const client = createClient({
      apiUrl: 'http://touchpoint.test',
      sdkKey: h.sdkKey,
      unitId: 'sdk-user-1',
      attributes: { device: 'mobile' },
      fetch: ((input: string | URL | Request, init?: RequestInit) => Promise.resolve(h.app.request(input, init))) as typeof fetch,
      storage: null,
      now: () => T0.getTime(),
      onError: (error) => errors.push(error),
      tracking: httpTracking({ flushInterval: 10 }),
    });
    await client.ready();
    const assigned = client.getVariant('checkout-cta-copy');
    expect(assigned.inExperiment).toBe(true);
    client.track('purchase', { value: 49.9, attributes: { orderId: 'o-1' } });
    await client.flush();
    client.destroy();
    expect(errors).toEqual([]);
    const exposure = await h.db.selectFrom('exposures').selectAll().where('unit_id', '=', 'sdk-user-1').executeTakeFirstOrThrow();
    expect(exposure.variant_index).toBe(['control', 'urgent'].indexOf(assigned.variantKey!));
    expect(exposure.attributes).toMatchObject({ device: 'mobile' });
    const purchase = await h.db.selectFrom('events').selectAll().where('unit_id', '=', 'sdk-user-1').executeTakeFirstOrThrow();
    expect(purchase).toMatchObject({ name: 'purchase', value: 49.9 });
    expect(purchase.occurred_at.toISOString()).toBe(T0.toISOString());
  });
});
