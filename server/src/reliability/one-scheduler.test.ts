import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DatabaseHandle } from '../db/connect.js';
import { BACKGROUND_JOBS_LOCK, createLeadership } from '../db/leader-lock.js';
import { createMemoryLogger } from '../http/logger.js';
import { startResultsScheduler } from '../results/scheduler.js';
import { createHarness, fixtures, seedCatalog } from '../test/harness.js';
import { type TestDatabase, createTestDatabase, describePostgres } from './postgres-support.js';

/**
 * Issue 13, finding 2: two instances on one database each refreshed every running experiment on every
 * tick (12 refreshes each in 40 s). With the leader lock (db/leader-lock.ts) one instance refreshes
 * and the other only waits for the lock; when the holder dies, the other takes over.
 */
const INTERVAL_MS = 200;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Instance {
  handle: DatabaseHandle;
  logger: ReturnType<typeof createMemoryLogger>;
  stop: () => Promise<void>;
  /** Refreshes this instance has performed so far. */
  refreshes: () => number;
}

describePostgres('background jobs on two instances', () => {
  let database: TestDatabase;
  const instances: Instance[] = [];

  const startInstance = async (): Promise<Instance> => {
    const handle = await database.open();
    const logger = createMemoryLogger();
    // maxAgeMs 0: every snapshot is stale on every tick, so each tick of a scheduler that runs refreshes.
    const stop = startResultsScheduler(
      { db: handle.db, logger, now: () => new Date() },
      { intervalMs: INTERVAL_MS, maxAgeMs: 0, leadership: createLeadership(handle, logger) },
    );
    const instance = { handle, logger, stop, refreshes: () => logger.lines.filter((l) => l.message === 'results refreshed').length };
    instances.push(instance);
    return instance;
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    const h = await createHarness((await database.open()).db);
    await seedCatalog(h);
    expect((await h.call('POST', '/api/experiments', fixtures.experiment())).status).toBe(201);
    expect((await h.call('POST', '/api/experiments/checkout-cta-copy/start')).status).toBe(200);
  });
  afterAll(async () => {
    for (const instance of instances) await instance.stop();
    await database?.drop();
  });

  it('one instance refreshes per interval; another takes over when the holder stops, and when its lock session is killed', async () => {
    const a = await startInstance();
    const b = await startInstance();
    const started = performance.now();
    await sleep(12 * INTERVAL_MS);
    const elapsedIntervals = (performance.now() - started) / INTERVAL_MS;
    const [ra, rb] = [a.refreshes(), b.refreshes()];
    console.info(`[scheduler] two instances, ${elapsedIntervals.toFixed(1)} intervals: ${ra} + ${rb} refreshes`);
    // Exactly one of them refreshes; at most once per interval (fewer when the machine is busy).
    expect(Math.min(ra, rb)).toBe(0);
    expect(Math.max(ra, rb)).toBeGreaterThan(0);
    expect(ra + rb).toBeLessThanOrEqual(Math.ceil(elapsedIntervals));
    const [leader, follower] = ra > 0 ? [a, b] : [b, a];

    // The holder stops (a deploy): the other takes over within a few ticks.
    await leader.stop();
    const before = follower.refreshes();
    for (let waited = 0; follower.refreshes() === before; waited += INTERVAL_MS) {
      if (waited > 50 * INTERVAL_MS) throw new Error('the other instance never took over');
      await sleep(INTERVAL_MS);
    }

    // The new holder's lock session dies (as with kill -9: PostgreSQL ends the session, the lock goes
    // with it). The holder steps down on its next tick; whichever instance takes the lock then (a
    // third one, or the same one again) is the only one refreshing.
    const c = await startInstance();
    await sleep(3 * INTERVAL_MS);
    expect(c.refreshes()).toBe(0);
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      const killed = await admin.query(
        `select pg_terminate_backend(pid) from pg_locks where locktype = 'advisory' and granted and ((classid::bigint << 32) | objid::bigint) = $1::bigint`,
        [BACKGROUND_JOBS_LOCK],
      );
      expect(killed.rowCount).toBe(1);
    } finally {
      await admin.end();
    }
    const lost = () => follower.logger.lines.some((l) => l.message === 'background jobs: lost the leader lock; another instance may take over');
    for (let waited = 0; !lost(); waited += INTERVAL_MS) {
      if (waited > 50 * INTERVAL_MS) throw new Error('the holder never noticed its lock session was gone');
      await sleep(INTERVAL_MS);
    }
    const total = () => follower.refreshes() + c.refreshes();
    const afterLoss = total();
    for (let waited = 0; total() === afterLoss; waited += INTERVAL_MS) {
      if (waited > 50 * INTERVAL_MS) throw new Error('no instance took over after the holder session died');
      await sleep(INTERVAL_MS);
    }
    await sleep(2 * INTERVAL_MS);
    const [fb, fc] = [follower.refreshes(), c.refreshes()];
    await sleep(6 * INTERVAL_MS);
    const grew = [follower.refreshes() > fb, c.refreshes() > fc];
    expect(grew.filter(Boolean)).toHaveLength(1);
  });
});
