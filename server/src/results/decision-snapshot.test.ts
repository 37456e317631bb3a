/**
 * A snapshot stored before decisions existed (no `decision`) may call a comparison significant while
 * the experiment would be collecting: it is neither served by the results endpoint nor listed by the
 * summary; the next read recomputes it (its refresh state stays valid, so incrementally).
 */
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { describeEachEngine } from '../test/engines.js';
import { DAY, at, results, resultsHarness, startedExperiment } from './test-support.js';

describeEachEngine('results: snapshots from before decisions', (getDb) => {
  it('are recomputed, not served, and the summary waits for the new one', async () => {
    const db = getDb().db;
    const { h, clock } = await resultsHarness(db);
    await startedExperiment(h, db, 'pre-decision');
    clock.now = at(DAY);
    expect((await results(h, 'pre-decision')).decision.status).toBe('collecting');
    // As the previous version stored it.
    await sql`update results_snapshots set results = results - 'decision'`.execute(db);
    const summary = async () => ((await (await h.call('GET', '/api/results/summary')).json()) as { items: { key: string; results: unknown }[] }).items;
    expect(await summary()).toEqual([{ key: 'pre-decision', results: null }]);
    clock.now = at(DAY + 1000);
    const served = await results(h, 'pre-decision', '');
    expect(served.snapshot.source).toBe('computed');
    expect(served.snapshot.refresh.mode).toBe('incremental');
    expect(served.decision.status).toBe('collecting');
    expect(await summary()).toEqual([{ key: 'pre-decision', results: expect.objectContaining({ decision: { status: 'collecting', recommendedVariant: null } }) }]);
  });
});
