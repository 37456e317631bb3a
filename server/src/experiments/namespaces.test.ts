/**
 * Mutual exclusion (design.md §3, §4; issue 14): a running or paused experiment holds its namespace
 * range; starting another whose range overlaps it is a 409 `namespace-conflict` naming it and the free
 * ranges, race-safe; and, as a property over random ranges, no unit is ever in two experiments of one
 * namespace — through the SDK's assignment on /sdk/config and the server's POST /sdk/assign.
 */
import { assignVariant } from '@touchpoint/client-sdk';
import fc from 'fast-check';
import type { Kysely } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/schema.js';
import { describeEachEngine } from '../test/engines.js';
import { type Harness, createHarness, fixtures, seedCatalog } from '../test/harness.js';
import { conflictsWith, freeRanges, overlaps } from './namespaces.js';

describe('namespace ranges (pure)', () => {
  it('overlap is a shared point of [a, b) and [c, d); touching ends do not overlap', () => {
    expect(overlaps([0, 0.6], [0.4, 1])).toBe(true);
    expect(overlaps([0, 0.5], [0.5, 1])).toBe(false);
    expect(overlaps([0.2, 0.3], [0, 1])).toBe(true);
  });

  it('free ranges are what the holders leave of [0, 1), in order', () => {
    const held = (...ranges: Array<[number, number]>) => ranges.map((range, i) => ({ key: `e${i}`, status: 'running', range }));
    expect(freeRanges([])).toEqual([[0, 1]]);
    expect(freeRanges(held([0.6, 1], [0, 0.2]))).toEqual([[0.2, 0.6]]);
    expect(freeRanges(held([0, 0.5], [0.5, 1]))).toEqual([]);
    expect(freeRanges(held([0.1, 0.4], [0.2, 0.3]))).toEqual([[0, 0.1], [0.4, 1]]);
    expect(conflictsWith([0.3, 0.5], held([0, 0.3], [0.4, 0.6])).map((h) => h.key)).toEqual(['e1']);
  });
});

describeEachEngine('namespaces: mutually exclusive experiments', (getDb, engine) => {
  let h: Harness;
  let db: Kysely<Database>;

  const create = async (key: string, id: string, range: [number, number]) => {
    const res = await h.call('POST', '/api/experiments', fixtures.experiment(key, { namespace: { id, range } }));
    expect(res.status, await res.clone().text()).toBe(201);
  };
  const act = (key: string, action: string) => h.call('POST', `/api/experiments/${key}/${action}`);
  const status = async (key: string) => ((await (await h.call('GET', `/api/experiments/${key}`)).json()) as { status: string }).status;

  beforeAll(async () => {
    db = getDb().db;
    h = await createHarness(db);
    await seedCatalog(h);
  });

  it("refuses to start an overlapping range (the issue's [0, 0.6) and [0.4, 1)), naming the other experiment and the free ranges", async () => {
    await create('ns-a', 'checkout', [0, 0.6]);
    await create('ns-b', 'checkout', [0.4, 1]);
    expect((await act('ns-a', 'start')).status).toBe(200);
    const auditBefore = await db.selectFrom('audit_log').select('id').where('entity_key', '=', 'ns-b').execute();
    const res = await act('ns-b', 'start');
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = (await res.json()) as Record<string, unknown>;
    expect(problem).toMatchObject({
      type: '/problems/namespace-conflict',
      status: 409,
      namespace: 'checkout',
      range: [0.4, 1],
      conflicts: [{ key: 'ns-a', status: 'running', range: [0, 0.6] }],
      freeRanges: [[0.6, 1]],
    });
    expect(problem.detail).toContain('"ns-a"');
    expect(problem.detail).toContain('[0.6, 1)');
    // Nothing written: still a draft, no audit entry.
    expect(await status('ns-b')).toBe('draft');
    expect(await db.selectFrom('audit_log').select('id').where('entity_key', '=', 'ns-b').execute()).toEqual(auditBefore);
  });

  it('GET /api/namespaces lists the ranges held and the free ones for the form', async () => {
    const res = await h.call('GET', '/api/namespaces');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      items: [{ id: 'checkout', experiments: [{ key: 'ns-a', status: 'running', range: [0, 0.6] }], freeRanges: [[0.6, 1]] }],
    });
  });

  it('a paused experiment keeps its range; a stopped one frees it; touching ranges and other namespaces never conflict', async () => {
    expect((await act('ns-a', 'pause')).status).toBe(200);
    const paused = await act('ns-b', 'start');
    expect(paused.status).toBe(409);
    expect(await paused.json()).toMatchObject({ conflicts: [{ key: 'ns-a', status: 'paused' }] });
    await create('ns-c', 'checkout', [0.6, 1]);
    await create('ns-d', 'other-layer', [0, 1]);
    expect((await act('ns-c', 'start')).status).toBe(200);
    expect((await act('ns-d', 'start')).status).toBe(200);
    // Resuming the paused one finds its range still free.
    expect((await act('ns-a', 'start')).status).toBe(200);
    expect((await act('ns-a', 'stop')).status).toBe(200);
    // ns-b [0.4, 1) still overlaps ns-c [0.6, 1).
    expect(await (await act('ns-b', 'start')).json()).toMatchObject({ conflicts: [{ key: 'ns-c' }], freeRanges: [[0, 0.6]] });
    expect((await act('ns-c', 'stop')).status).toBe(200);
    expect((await act('ns-b', 'start')).status).toBe(200);
  });

  it('the range of a live experiment cannot be changed (it would reshuffle units): 409 experiment-locked', async () => {
    const current = (await (await h.call('GET', '/api/experiments/ns-b')).json()) as { version: number };
    const res = await h.call('PATCH', '/api/experiments/ns-b', { version: current.version, namespace: { id: 'checkout', range: [0, 1] }, newPhase: true });
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ type: '/problems/experiment-locked' });
  });

  it(`two concurrent starts of overlapping ranges: one starts, the other gets the conflict (${engine})`, async () => {
    for (let round = 0; round < 3; round++) {
      const ns = `race-${round}`;
      await create(`race-${round}-x`, ns, [0, 0.7]);
      await create(`race-${round}-y`, ns, [0.3, 1]);
      const answers = await Promise.all([act(`race-${round}-x`, 'start'), act(`race-${round}-y`, 'start')]);
      expect(answers.map((r) => r.status).sort()).toEqual([200, 409]);
      const running = await db.selectFrom('experiments').select('key').where('key', 'like', `race-${round}-%`).where('status', '=', 'running').execute();
      expect(running).toHaveLength(1);
    }
  });

  it('property: over random ranges, no unit is in two experiments of one namespace (SDK assignment and POST /sdk/assign)', { timeout: 300_000 }, async () => {
    let run = 0;
    const range = fc
      .tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 1, max: 20 }))
      .map(([start, length]): [number, number] => [start / 20, Math.min(1, (start + length) / 20)])
      .filter(([a, b]) => a < b);
    await fc.assert(
      fc.asyncProperty(fc.array(range, { minLength: 2, maxLength: 5 }), fc.array(fc.string({ minLength: 1, maxLength: 12 }), { minLength: 20, maxLength: 20 }), async (ranges, extraUnits) => {
        run++;
        const ns = `prop-${run}`;
        const keys = ranges.map((_, i) => `prop-${run}-${i}`);
        const started: string[] = [];
        for (const [i, key] of keys.entries()) {
          await create(key, ns, ranges[i]!);
          const res = await act(key, 'start');
          expect([200, 409]).toContain(res.status);
          if (res.status === 200) started.push(key);
        }
        // What was let in holds pairwise disjoint ranges, and every refusal overlapped one of them.
        const startedRanges = started.map((k) => ranges[keys.indexOf(k)]!);
        for (const [i, a] of startedRanges.entries()) for (const b of startedRanges.slice(i + 1)) expect(overlaps(a, b)).toBe(false);
        for (const [i, key] of keys.entries()) if (!started.includes(key)) expect(startedRanges.some((r) => overlaps(r, ranges[i]!))).toBe(true);

        // The SDK's assignment on the served config: 400 generated ids plus arbitrary strings.
        const config = (await (await h.call('GET', '/sdk/config', undefined, { key: h.sdkKey })).json()) as { experiments: Array<{ key: string }> };
        const inNamespace = config.experiments.filter((e) => started.includes(e.key));
        expect(inNamespace.map((e) => e.key).sort()).toEqual([...started].sort());
        const units = [...Array.from({ length: 400 }, (_, i) => `unit-${run}-${i}`), ...extraUnits];
        for (const unitId of units) {
          const assigned = inNamespace.filter((e) => assignVariant(e as Parameters<typeof assignVariant>[0], unitId) !== null);
          expect(assigned.length, unitId).toBeLessThanOrEqual(1);
        }
        // The server's assignment for a sample of them.
        for (const unitId of units.slice(0, 15)) {
          const res = await h.call('POST', '/sdk/assign', { unitId, experiments: started, logExposures: false }, { key: h.sdkKey });
          expect(res.status).toBe(200);
          const { assignments } = (await res.json()) as { assignments: Array<{ inExperiment: boolean }> };
          expect(assignments.filter((a) => a.inExperiment).length).toBeLessThanOrEqual(1);
        }
      }),
      { numRuns: 12 },
    );
  });
});
