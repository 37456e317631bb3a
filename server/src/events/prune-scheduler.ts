import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Logger } from '../http/logger.js';
import { MAX_AGE_MS, MAX_FUTURE_SKEW_MS } from './classify.js';
import { pruneExposureItems } from './repository.js';

const HOUR_MS = 60 * 60 * 1000;

/**
 * Exposure item ids are kept only to recognise retries; a retry older than the ingestion's age bound
 * is refused by its timestamp anyway, so ids past that bound are deleted once an hour.
 * Returns a function that stops the timer.
 */
export function startExposureItemPruning(deps: { db: Kysely<Database>; logger: Logger; now: () => Date }, intervalMs = HOUR_MS): () => void {
  const prune = async () => {
    try {
      const before = new Date(deps.now().getTime() - MAX_AGE_MS - MAX_FUTURE_SKEW_MS);
      const deleted = await pruneExposureItems(deps.db, before);
      if (deleted) deps.logger.info('pruned exposure item ids', { deleted, before: before.toISOString() });
    } catch (error) {
      deps.logger.warn('exposure item pruning failed', { error: String(error) });
    }
  };
  const timer = setInterval(() => void prune(), intervalMs);
  timer.unref(); // never keeps the process alive on its own
  void prune();
  return () => clearInterval(timer);
}
