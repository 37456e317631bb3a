import { describe, expect, it } from 'vitest';
import { singleFlight } from './single-flight.js';

describe('singleFlight', () => {
  it('runs once for calls made while it runs, again for a call after it settled, also after a failure', async () => {
    let runs = 0;
    let release!: () => void;
    const shared = singleFlight(async () => {
      runs++;
      await new Promise<void>((resolve) => (release = resolve));
      return runs;
    });
    const [a, b] = [shared(), shared()];
    release();
    expect(await Promise.all([a, b])).toEqual([1, 1]);
    const c = shared();
    release();
    expect(await c).toBe(2);

    let attempts = 0;
    const failing = singleFlight(async () => {
      attempts++;
      throw new Error(`attempt ${attempts}`);
    });
    await expect(Promise.all([failing(), failing()])).rejects.toThrow('attempt 1');
    await expect(failing()).rejects.toThrow('attempt 2');
  });
});
