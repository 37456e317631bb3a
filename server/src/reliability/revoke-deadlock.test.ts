import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DatabaseHandle } from '../db/connect.js';
import { problemFromDatabaseError } from '../db/errors.js';
import { createKey, listKeys, revokeKey } from '../keys/repository.js';
import { type TestDatabase, createTestDatabase, describePostgres } from './postgres-support.js';

/**
 * Issue 13, finding 3: revoking the last two admin keys at once on two instances deadlocked
 * PostgreSQL — each revocation locked its own key's row, then waited for all admin keys, held by the
 * other. Reproduced deterministically: a third session holds a third admin key (and revokes it), so
 * both revocations are parked in their lock wait before either can go on; when it commits, the two
 * go on together. In one lock order (repository.ts) one revokes and the other is refused
 * ('last-admin-key'); in the old order PostgreSQL broke a deadlock (40P01).
 */
const ACTOR = { keyId: null, requestId: 'deadlock-test' };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describePostgres('revoking the last two admin keys at once', () => {
  let database: TestDatabase;
  let instanceA: DatabaseHandle;
  let instanceB: DatabaseHandle;
  beforeAll(async () => {
    database = await createTestDatabase();
    // Two pools: two app instances on one database.
    instanceA = await database.open();
    instanceB = await database.open();
  });
  afterAll(() => database?.drop());

  it('neither deadlocks: one is revoked, the other refused as the last admin key', async () => {
    const keyA = await createKey(instanceA.db, ACTOR, { kind: 'admin', name: 'a' });
    const keyB = await createKey(instanceA.db, ACTOR, { kind: 'admin', name: 'b' });
    const keyC = await createKey(instanceA.db, ACTOR, { kind: 'admin', name: 'c' });

    // A third session revokes C and keeps its transaction open, holding C's row lock.
    const blocker = new pg.Client({ connectionString: database.url });
    await blocker.connect();
    try {
      await blocker.query('begin');
      await blocker.query('update api_keys set revoked_at = now() where id = $1', [keyC.id]);

      const outcomes = Promise.allSettled([
        revokeKey(instanceA.db, ACTOR, keyA.id, new Date()),
        revokeKey(instanceB.db, ACTOR, keyB.id, new Date()),
      ]);
      // Both revocations wait for a row lock before the blocker lets go.
      for (let waited = 0; ; waited += 20) {
        // The blocker is inside a transaction: without this, it would see its first snapshot of pg_stat_activity again and again.
        await blocker.query('select pg_stat_clear_snapshot()');
        const { rows } = await blocker.query<{ n: string }>(
          `select count(*) as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and pid <> pg_backend_pid()`,
        );
        if (Number(rows[0]!.n) >= 2) break;
        if (waited > 20_000) throw new Error(`the two revocations never waited for a lock: ${JSON.stringify((await blocker.query(`select pid, state, wait_event_type, wait_event, query from pg_stat_activity where datname = current_database()`)).rows)}`);
        await sleep(20);
      }
      await blocker.query('commit');

      const settled = await outcomes;
      const errors = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as { code?: string; message?: string }] : []));
      expect(
        errors.map((e) => ({ code: e.code, message: e.message, answer: problemFromDatabaseError(e)?.status })),
        'a deadlock (40P01) would have been broken by PostgreSQL',
      ).toEqual([]);
      const results = settled.map((s) => (s.status === 'fulfilled' ? s.value : 'error')).sort();
      expect(results).toEqual(['last-admin-key', 'revoked']);
      const active = await listKeys(instanceA.db, { includeRevoked: false });
      expect(active.filter((k) => k.kind === 'admin')).toHaveLength(1);
    } finally {
      await blocker.end();
    }
  });
});
