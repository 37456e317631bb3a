/**
 * Delay before retry number `attempt` (0-based): exponential, capped, with "equal jitter"
 * (half fixed, half random) so that clients that failed together do not retry together,
 * and never below a server-given Retry-After.
 */
export function retryDelay(attempt: number, random: () => number, baseMs: number, maxMs: number, retryAfterMs = 0): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** attempt);
  return Math.max(retryAfterMs, ceiling / 2 + random() * (ceiling / 2));
}

/** Retry-After in milliseconds, from seconds or an HTTP date; 0 when absent or unreadable. */
export function parseRetryAfter(header: string | null, now: number): number {
  if (!header) return 0;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isFinite(date) ? Math.max(0, date - now) : 0;
}

/** Network errors, 408, 429 and 5xx are worth retrying; other 4xx will fail the same way again. */
export const isRetryable = (status: number): boolean => status === 408 || status === 429 || status >= 500;
