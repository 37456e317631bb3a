/**
 * Group commit for ingestion. Under load many requests wait for the database at once; writing each in
 * its own statement pays a round trip, a plan and a commit (a WAL flush) per request. The coalescer
 * runs at most `maxConcurrent` writes at a time; requests that arrive while those are busy wait and
 * then go together in the next write (up to `maxItems` items). An idle server writes a request at
 * once: coalescing adds no latency, it only forms groups when requests would have queued anyway.
 *
 * Every request still gets its own outcome, and only after the write that holds it has committed.
 * When the database is unreachable, the requests waiting for a writer fail with the write that found out.
 * When a group write fails for a reason other than an unreachable database (a deadlock, a value the
 * database refuses), its requests are retried one by one, so a bad request cannot fail its neighbours.
 * Pure control flow: the write itself is passed in.
 */
export interface CoalescerOptions<P> {
  /** Writes in flight at once (each holds one pooled connection). */
  maxConcurrent: number;
  /** A group stops growing once it holds this many items (a single larger request still goes alone). */
  maxItems: number;
  size: (part: P) => number;
  /** Errors that would fail any write (database unreachable): not worth retrying request by request. */
  isUnavailable: (error: unknown) => boolean;
  /**
   * Load shedding: a request that would make more than this many items wait is refused at once with
   * `overloaded()` (the route answers 503 + Retry-After, and the SDK retries later) instead of
   * queueing without bound while the database falls behind.
   */
  maxWaitingItems: number;
  overloaded: () => unknown;
}

interface Waiting<P, R> {
  part: P;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

export function createWriteCoalescer<P, R>(write: (parts: P[]) => Promise<R[]>, options: CoalescerOptions<P>): (part: P) => Promise<R> {
  const waiting: Waiting<P, R>[] = [];
  let waitingItems = 0;
  let active = 0;

  const nextGroup = (): Waiting<P, R>[] => {
    let items = options.size(waiting[0]!.part);
    let count = 1;
    while (count < waiting.length && items + options.size(waiting[count]!.part) <= options.maxItems) {
      items += options.size(waiting[count]!.part);
      count++;
    }
    waitingItems -= items;
    return waiting.splice(0, count);
  };

  const run = async (group: Waiting<P, R>[]): Promise<void> => {
    try {
      const results = await write(group.map((w) => w.part));
      group.forEach((w, i) => w.resolve(results[i]!));
    } catch (error) {
      if (options.isUnavailable(error)) {
        // The database is unreachable (or past its deadline, db/deadlines.ts): the requests waiting
        // behind this write would only wait out a deadline of their own. They are answered now (503,
        // the SDK retries the same ids), so no request waits much longer than one deadline.
        const queued = waiting.splice(0);
        waitingItems = 0;
        for (const w of [...group, ...queued]) w.reject(error);
        return;
      }
      if (group.length === 1) {
        group[0]!.reject(error);
        return;
      }
      // Nothing of the group was written (one statement, one transaction): each request alone.
      for (const w of group) {
        try {
          w.resolve((await write([w.part]))[0]!);
        } catch (own) {
          w.reject(own);
        }
      }
    }
  };

  const pump = (): void => {
    while (active < options.maxConcurrent && waiting.length > 0) {
      active++;
      void run(nextGroup()).finally(() => {
        active--;
        pump();
      });
    }
  };

  return (part) =>
    new Promise<R>((resolve, reject) => {
      const size = options.size(part);
      if (waiting.length > 0 && waitingItems + size > options.maxWaitingItems) {
        reject(options.overloaded());
        return;
      }
      waiting.push({ part, resolve, reject });
      waitingItems += size;
      pump();
    });
}
