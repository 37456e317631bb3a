import { expect, it } from 'vitest';
import { type Leadership, sharedLeadership } from './leader-lock.js';

it('sharedLeadership: concurrent acquires share one underlying call; stopping jobs release once', async () => {
  const calls = { acquire: 0, release: 0 };
  let answer: (value: boolean) => void = () => {};
  const underlying: Leadership = {
    acquire: () => {
      calls.acquire++;
      return new Promise<boolean>((resolve) => (answer = resolve));
    },
    release: async () => {
      calls.release++;
    },
  };
  const shared = sharedLeadership(underlying);
  const both = Promise.all([shared.acquire(), shared.acquire()]);
  answer(true);
  expect(await both).toEqual([true, true]);
  expect(calls.acquire).toBe(1);
  // Once answered, the next tick asks again (the lock may have been lost meanwhile).
  const next = shared.acquire();
  answer(false);
  expect(await next).toBe(false);
  expect(calls.acquire).toBe(2);
  await Promise.all([shared.release(), shared.release()]);
  expect(calls.release).toBe(1);
});
