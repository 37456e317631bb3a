/**
 * `fn` shared by the calls made while it runs: they get the same promise, and the next call after it
 * settles (fulfilled or rejected) runs `fn` again. For the links check (links.ts): a results computation
 * reads its metrics, funnels and exposure counts at once, and one check proves the copies for all of them
 * (each is as fresh as a check started just before it), instead of three checks racing to repair.
 */
export function singleFlight<T>(fn: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | undefined;
  return () => {
    running ??= fn().finally(() => {
      running = undefined;
    });
    return running;
  };
}
