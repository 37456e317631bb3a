import { expect, it } from 'vitest';
import { describeEachEngine } from '../test/engines.js';
import { createMemoryLogger } from '../http/logger.js';
import { MAX_AGE_MS } from './classify.js';
import { startExposureItemPruning } from './prune-scheduler.js';

describeEachEngine('exposure item pruning', (db) => {
  it('deletes ids past the ingestion age bound at start and keeps recent ones', async () => {
    const now = new Date('2026-11-22T12:00:00Z');
    await db().db.insertInto('exposure_items').values([
      { item_id: 'old', received_at: new Date(now.getTime() - MAX_AGE_MS - 60 * 60 * 1000) },
      { item_id: 'recent', received_at: new Date(now.getTime() - 60 * 1000) },
    ]).execute();
    const logger = createMemoryLogger();
    const stop = startExposureItemPruning({ db: db().db, logger, now: () => now });
    for (let i = 0; i < 100 && !logger.lines.some((l) => l.message === 'pruned exposure item ids'); i++) await new Promise((r) => setTimeout(r, 20));
    stop();
    const left = await db().db.selectFrom('exposure_items').select('item_id').execute();
    expect(left.map((r) => r.item_id)).toEqual(['recent']);
  });
});
