/**
 * Sequential testing is on by default for new experiments (design.md §5); `sequential: null` opts into
 * a fixed horizon; migration 0011 changes the column default and leaves existing experiments as they are.
 */
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { migrations } from '../../../migrations/index.js';
import { migrateDown, migrateToLatest } from '../db/migrate.js';
import { describeEachEngine } from '../test/engines.js';
import { createHarness, fixtures, seedCatalog } from '../test/harness.js';

describeEachEngine('experiments: sequential testing by default', (db) => {
  it('absent → on with N* = 5,000; a given N* is kept; null → fixed horizon', async () => {
    const h = await createHarness(db().db);
    await seedCatalog(h);
    const created = async (key: string, overrides: Record<string, unknown>) => {
      const res = await h.call('POST', '/api/experiments', fixtures.experiment(key, overrides));
      expect(res.status).toBe(201);
      return (await res.json()).sequential;
    };
    expect(await created('seq-absent', {})).toEqual({ tuningParameter: 5000 });
    expect(await created('seq-absent-mde', { minimumDetectableEffect: 0.05 })).toEqual({ tuningParameter: 5000 });
    expect(await created('seq-planned', { minimumDetectableEffect: 0.05, sequential: { tuningParameter: 41_234 } })).toEqual({ tuningParameter: 41_234 });
    expect(await created('seq-fixed', { sequential: null })).toBeNull();
  });

  it('migration 0011 changes the column default only: experiments stored before keep their setting', async () => {
    const handle = db().db;
    const names = Object.keys(migrations);
    const index = names.indexOf('0011_sequential_by_default');
    expect(index).toBeGreaterThan(0);
    // Down to just before 0011 (other migrations may follow it).
    for (let i = names.length - 1; i >= index; i--) expect(await migrateDown(handle)).toEqual([names[i]]);
    await sql`insert into touchpoints (key, name, kind, funnel_stage) values ('seq-migration', 'T', 'cta', 'purchase') on conflict do nothing`.execute(handle);
    const insert = (key: string) =>
      sql`insert into experiments (key, name, touchpoint_key, coverage, salt) values (${key}, 'Old', 'seq-migration', 1, ${key})`.execute(handle);
    await insert('stored-before');
    await sql`update experiments set sequential = true, sequential_tuning = 20000 where key = 'seq-absent'`.execute(handle);
    expect(await migrateToLatest(handle)).toEqual(names.slice(index));
    await insert('stored-after');
    const { rows } = await sql<{ key: string; sequential: boolean; sequential_tuning: number }>`
      select key, sequential, sequential_tuning from experiments where key in ('stored-before', 'stored-after', 'seq-absent', 'seq-fixed') order by key`.execute(handle);
    expect(rows).toEqual([
      { key: 'seq-absent', sequential: true, sequential_tuning: 20000 },
      { key: 'seq-fixed', sequential: false, sequential_tuning: 5000 },
      { key: 'stored-after', sequential: true, sequential_tuning: 5000 },
      { key: 'stored-before', sequential: false, sequential_tuning: 5000 },
    ]);
  });
});
