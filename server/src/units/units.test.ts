import { expect, it } from 'vitest';
import { describeEachEngine } from '../test/engines.js';
import { type Harness, createHarness, fixtures, seedCatalog } from '../test/harness.js';
import { unitDigest } from './repository.js';

describeEachEngine('right to erasure', (db) => {
  let h: Harness;

  it("erases every exposure and event of one unit, leaves others, and audits it without keeping the id", async () => {
    h = await createHarness(db().db);
    await seedCatalog(h);
    await h.call('POST', '/api/experiments', fixtures.experiment('erasure-a'));
    await h.call('POST', '/api/experiments', fixtures.experiment('erasure-b'));
    const experiments = await db().db.selectFrom('experiments').select(['id', 'key']).where('key', 'in', ['erasure-a', 'erasure-b']).execute();
    const now = new Date();
    const unit = 'alice@example.com';
    await db().db.insertInto('exposures').values(
      experiments.flatMap((e) => [unit, 'bob'].map((unitId) => ({ experiment_id: e.id, unit_id: unitId, variant_index: 0, first_item_id: `${e.key}-${unitId}`, exposed_at: now }))),
    ).execute();
    await db().db.insertInto('events').values(
      [unit, unit, 'bob'].map((unitId, i) => ({ event_id: `ev-${i}`, unit_id: unitId, name: 'purchase', value: 10, occurred_at: now })),
    ).execute();

    const res = await h.call('DELETE', `/api/units/${encodeURIComponent(unit)}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ exposuresDeleted: 2, eventsDeleted: 2, aliasesDeleted: 0 });
    const left = await db().db.selectFrom('exposures').select('unit_id').execute();
    expect(left.map((r) => r.unit_id)).toEqual(['bob', 'bob']);
    expect((await db().db.selectFrom('events').select('unit_id').execute()).map((r) => r.unit_id)).toEqual(['bob']);

    const audit = await db().db.selectFrom('audit_log').selectAll().where('entity_type', '=', 'unit').execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: 'erase', entity_key: unitDigest(unit), after: { exposuresDeleted: 2, eventsDeleted: 2 } });
    expect(JSON.stringify(audit)).not.toContain('alice');
  });

  it('is idempotent, refuses SDK keys and unstorable ids', async () => {
    expect(await (await h.call('DELETE', '/api/units/alice%40example.com')).json()).toEqual({ exposuresDeleted: 0, eventsDeleted: 0, aliasesDeleted: 0 });
    expect((await h.call('DELETE', '/api/units/bob', undefined, { key: h.sdkKey })).status).toBe(403);
    expect((await h.call('DELETE', '/api/units/%00')).status).toBe(422);
    expect((await h.call('DELETE', `/api/units/${'x'.repeat(1001)}`)).status).toBe(422);
  });
});
