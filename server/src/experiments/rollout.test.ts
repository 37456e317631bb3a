/**
 * Shipping a winner (design.md §8): `stop { winner, note, ship: true }` records a rollout that
 * /sdk/config serves in rollout form and /sdk/assign answers as `reason: "rollout"` without logging
 * anything; exposures that still arrive are refused; `rollout/end` stops it. Audited, announced to
 * webhooks, and refused with a 4xx problem (writing nothing) when it makes no sense.
 */
import { sql } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../test/engines.js';
import { type Harness, createHarness, fixtures, seedCatalog } from '../test/harness.js';

interface Assignment {
  experimentKey: string;
  inExperiment: boolean;
  reason?: string;
  variantKey?: string;
  variantIndex?: number;
  payload?: unknown;
}

describeEachEngine('shipping a winner', (getDb) => {
  let h: Harness;
  let n = 0;
  const db = () => getDb().db;

  /** A running experiment (the fixture's 50/50 control/urgent), with overrides. */
  const running = async (overrides: Record<string, unknown> = {}) => {
    const key = `ship-${++n}`;
    expect((await h.call('POST', '/api/experiments', fixtures.experiment(key, overrides))).status).toBe(201);
    expect((await h.call('POST', `/api/experiments/${key}/start`)).status).toBe(200);
    return key;
  };
  const act = (key: string, action: string, body?: unknown) => h.call('POST', `/api/experiments/${key}/${action}`, body);
  const read = async (key: string) => (await (await h.call('GET', `/api/experiments/${key}`)).json()) as Record<string, unknown>;
  const served = async () => ((await (await h.call('GET', '/sdk/config', undefined, { key: h.sdkKey })).json()) as { experiments: Array<Record<string, unknown>> }).experiments;
  const assign = async (key: string, unitId: string, extra: Record<string, unknown> = {}) => {
    const res = await h.call('POST', '/sdk/assign', { unitId, experiments: [key], ...extra }, { key: h.sdkKey });
    expect(res.status).toBe(200);
    return (await res.json()) as { assignments: Assignment[]; exposures?: { logged: number } };
  };
  const exposuresOf = async (key: string) =>
    (
      await db()
        .selectFrom('exposures')
        .innerJoin('experiments', 'experiments.id', 'exposures.experiment_id')
        .select(sql<number>`count(*)::int`.as('n'))
        .where('experiments.key', '=', key)
        .executeTakeFirstOrThrow()
    ).n;
  const deliveries = async (key: string) =>
    (await db().selectFrom('webhook_deliveries').select(['event_type', 'body']).orderBy('id').execute())
      .map((d) => ({ type: d.event_type, data: (JSON.parse(d.body) as { data: { experiment: { key: string } } & Record<string, unknown> }).data }))
      .filter((d) => d.data.experiment.key === key);

  beforeAll(async () => {
    h = await createHarness(db(), { webhookAllowPrivate: true });
    await seedCatalog(h);
    const hook = await h.call('POST', '/api/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['experiment.stopped', 'experiment.rollout_ended'] });
    expect(hook.status).toBe(201);
  });

  it('stop with ship: true serves the winner to every unit, in rollout form, without exposures', async () => {
    const key = await running();
    // Exposures while it runs count as usual.
    expect((await assign(key, 'before-1', { logExposures: true })).exposures!.logged).toBe(1);
    const stopped = await act(key, 'stop', { winner: 'urgent', note: 'Clear win on purchases', ship: true });
    expect(stopped.status).toBe(200);
    const body = (await stopped.json()) as { status: string; rollout: { variantKey: string; since: string }; decision: unknown };
    expect(body).toMatchObject({ status: 'stopped', decision: { winner: 'urgent', note: 'Clear win on purchases' }, rollout: { variantKey: 'urgent' } });
    expect(body.rollout.since).toBe((await read(key)).stoppedAt);
    const listed = (await (await h.call('GET', '/api/experiments?status=stopped')).json()) as { items: Array<{ key: string; rollout: unknown }> };
    expect(listed.items.find((e) => e.key === key)?.rollout).toEqual(body.rollout);

    // /sdk/config: the rollout form, nothing to hash with.
    expect((await served()).find((e) => e.key === key)).toEqual({ key, targeting: null, rollout: { variantKey: 'urgent', variantIndex: 1, payload: { label: 'Buy now, ships today' } } });

    // /sdk/assign: every unit (an id-less one too) sees the winner, outside the experiment; nothing is logged.
    for (const unitId of ['u-1', 'u-2', 'before-1', '']) {
      const answer = await assign(key, unitId, { logExposures: true });
      expect(answer.assignments).toEqual([
        { experimentKey: key, inExperiment: false, reason: 'rollout', variantKey: 'urgent', variantIndex: 1, payload: { label: 'Buy now, ships today' } },
      ]);
      expect(answer.exposures).toMatchObject({ logged: 0 });
    }
    // An exposure that still arrives (an old SDK, a cached page) is refused by name and not counted.
    const events = await h.call('POST', '/sdk/events', {
      items: [{ id: `late-${key}`, type: 'exposure', unitId: 'late', experimentKey: key, variantKey: 'urgent', timestamp: new Date().toISOString() }],
    }, { key: h.sdkKey });
    expect(events.status).toBe(202);
    const { rejected } = (await events.json()) as { rejected: Array<{ reason: string }> };
    expect(rejected[0]?.reason).toMatch(/winner shipped to everyone; a rollout takes no exposures/);
    expect(await exposuresOf(key)).toBe(1);
  });

  it('the targeting still applies: units it refuses get the default experience', async () => {
    const key = await running({ targeting: { attribute: 'country', op: 'in', value: ['FR', 'BE'] } });
    expect((await act(key, 'stop', { winner: 'urgent', ship: true })).status).toBe(200);
    expect((await served()).find((e) => e.key === key)).toMatchObject({ targeting: { attribute: 'country', op: 'in', value: ['FR', 'BE'] } });
    expect((await assign(key, 'u-fr', { attributes: { country: 'FR' } })).assignments[0]).toMatchObject({ reason: 'rollout', variantKey: 'urgent' });
    expect((await assign(key, 'u-de', { attributes: { country: 'DE' } })).assignments[0]).toEqual({ experimentKey: key, inExperiment: false, reason: 'not in rollout (targeting)' });
  });

  it('rollout/end stops serving it; a second end, or one without a rollout, is a 409', async () => {
    const key = await running();
    expect((await act(key, 'stop', { winner: 'control', ship: true })).status).toBe(200);
    const ended = await act(key, 'rollout/end');
    expect(ended.status).toBe(200);
    expect(await ended.json()).toMatchObject({ status: 'stopped', rollout: null, decision: { winner: 'control' } });
    expect((await served()).some((e) => e.key === key)).toBe(false);
    expect((await assign(key, 'u-1')).assignments[0]).toEqual({ experimentKey: key, inExperiment: false, reason: 'not running' });
    const again = await act(key, 'rollout/end');
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ detail: expect.stringMatching(/no rollout to end/) });
    // Running, or stopped without ship: nothing to end.
    const live = await running();
    expect((await act(live, 'rollout/end')).status).toBe(409);
    expect((await act(live, 'stop', { winner: 'urgent' })).status).toBe(200);
    expect(await read(live)).toMatchObject({ rollout: null });
    expect((await served()).some((e) => e.key === live)).toBe(false);
    expect((await act(live, 'rollout/end')).status).toBe(409);
    expect((await act('no-such-experiment', 'rollout/end')).status).toBe(404);

    // Audited, and announced: stopped (with the rollout), then rollout_ended.
    const audit = (await (await h.call('GET', `/api/experiments/${key}/audit`)).json()) as { items: Array<{ action: string; before: { rollout: unknown }; after: { rollout: unknown } }> };
    expect(audit.items.slice(0, 2).map((e) => e.action)).toEqual(['end-rollout', 'stop']);
    expect(audit.items[0]).toMatchObject({ before: { rollout: { variantKey: 'control' } }, after: { rollout: null } });
    expect(audit.items[1]).toMatchObject({ before: { rollout: null }, after: { rollout: { variantKey: 'control' } } });
    const announced = await deliveries(key);
    expect(announced.map((d) => d.type)).toEqual(['experiment.stopped', 'experiment.rollout_ended']);
    expect(announced[0]!.data).toMatchObject({ winner: 'control', rollout: { variantKey: 'control' } });
    expect(announced[1]!.data).toMatchObject({ experiment: { key, status: 'stopped' }, rollout: { variantKey: 'control' } });
    expect((await deliveries(live))[0]!.data).toMatchObject({ winner: 'urgent', rollout: null });
  });

  it('ship without a winner, or with a variant the experiment lacks, is a 422 naming winner, and writes nothing', async () => {
    const key = await running();
    const before = await read(key);
    for (const body of [{ ship: true }, { winner: null, ship: true }, { winner: 'nope', ship: true }, { winner: 'urgent', ship: 'yes' }]) {
      const res = await act(key, 'stop', body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
      const problem = (await res.json()) as { errors: Array<{ field: string }> };
      expect(problem.errors[0]!.field).toBe(body.ship === 'yes' ? 'ship' : 'winner');
    }
    expect(await read(key)).toEqual(before);
    expect(await deliveries(key)).toEqual([]);
  });

  it('an experiment serving its winner cannot be archived until the rollout ends', async () => {
    const key = await running();
    expect((await act(key, 'stop', { winner: 'urgent', ship: true })).status).toBe(200);
    const refused = await act(key, 'archive');
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({ detail: expect.stringMatching(/end the rollout before archiving/) });
    expect((await act(key, 'rollout/end')).status).toBe(200);
    expect((await act(key, 'archive')).status).toBe(200);
  });
});
