/**
 * `minimumDays` (design.md §8): the days an experiment runs before its results may decide — 7 by
 * default, set at creation or by PATCH (also while running: it changes no assignment), checked at the edge.
 */
import { expect, it } from 'vitest';
import { results, resultsHarness, DAY, at } from '../results/test-support.js';
import { describeEachEngine } from '../test/engines.js';
import { fixtures } from '../test/harness.js';

describeEachEngine('experiments: minimumDays', (db) => {
  it('defaults to 7, takes 0 to 365 whole days, refuses anything else with a problem naming the field', async () => {
    const { h } = await resultsHarness(db().db);
    const create = (key: string, overrides: Record<string, unknown>) => h.call('POST', '/api/experiments', fixtures.experiment(key, overrides));
    expect((await (await create('days-default', {})).json()).minimumDays).toBe(7);
    expect((await (await create('days-zero', { minimumDays: 0 })).json()).minimumDays).toBe(0);
    expect((await (await create('days-two-weeks', { minimumDays: 14 })).json()).minimumDays).toBe(14);
    for (const [i, bad] of [-1, 1.5, 366, '7', null].entries()) {
      const res = await create(`days-bad-${i}`, { minimumDays: bad });
      expect(res.status, String(bad)).toBe(422);
      expect(await res.json()).toMatchObject({ errors: [{ field: 'minimumDays' }] });
    }
    expect((await h.call('GET', '/api/experiments/days-bad-0')).status).toBe(404);
  });

  it('PATCH on a running experiment changes when its results may decide', async () => {
    const { h, clock } = await resultsHarness(db().db);
    expect((await h.call('POST', '/api/experiments', fixtures.experiment('days-patch'))).status).toBe(201);
    expect((await h.call('POST', '/api/experiments/days-patch/start')).status).toBe(200);
    clock.now = at(3 * DAY);
    const before = await results(h, 'days-patch', '');
    expect(before.experiment.minimumDays).toBe(7);
    expect(before.decision.checks.find((c: any) => c.name === 'minimum-days')).toMatchObject({ ok: false, detail: expect.stringContaining('ran 3.0 days of the 7 required') });
    clock.now = at(3 * DAY + 60_000);
    const patched = await h.call('PATCH', '/api/experiments/days-patch', { minimumDays: 2, version: 2 });
    expect(patched.status).toBe(200);
    expect((await patched.json()).minimumDays).toBe(2);
    // The default maxAge would serve a snapshot, but not one older than the change.
    const after = await results(h, 'days-patch', '');
    expect(after.experiment.minimumDays).toBe(2);
    expect(after.decision.checks.find((c: any) => c.name === 'minimum-days')).toMatchObject({ ok: true });
    // No traffic at all: still collecting, now for the sample only.
    expect(after.decision.status).toBe('collecting');
    expect(after.decision.checks.filter((c: any) => !c.ok).map((c: any) => c.name)).toEqual(['minimum-sample']);
  });
});
