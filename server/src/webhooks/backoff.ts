/** Retries last this long after the event (design.md §8: "retried with backoff for 24 h"). */
export const RETRY_WINDOW_MS = 24 * 60 * 60 * 1000;

const FIRST_DELAY_MS = 30_000;
const LONGEST_DELAY_MS = 60 * 60 * 1000;

/**
 * When to try again after `attempts` failed attempts: 30 s, 1 min, 2 min, … doubling up to 1 h, then
 * hourly — about 30 attempts over the 24 h. Null once the next attempt would fall outside the window
 * (the delivery is then marked failed). Deterministic: the worker runs on one instance, so there is no
 * herd of retries to spread with jitter.
 */
export function nextAttemptAt(attempts: number, createdAt: Date, now: Date): Date | null {
  const delay = Math.min(FIRST_DELAY_MS * 2 ** Math.max(0, attempts - 1), LONGEST_DELAY_MS);
  const next = new Date(now.getTime() + delay);
  return next.getTime() - createdAt.getTime() > RETRY_WINDOW_MS ? null : next;
}
