import { describe, expect, it } from 'vitest';
import { createWriteCoalescer } from './write-coalescer.js';

/** A write whose calls stay pending until the test settles them. */
function controlledWrite() {
  const calls: Array<{ parts: number[]; settle: (error?: unknown) => void }> = [];
  const write = (parts: number[]) =>
    new Promise<string[]>((resolve, reject) => {
      calls.push({ parts, settle: (error) => (error === undefined ? resolve(parts.map((p) => `ok ${p}`)) : reject(error)) });
    });
  return { calls, write };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));
const options = { maxConcurrent: 1, maxItems: 10, size: (p: number) => p, isUnavailable: (e: unknown) => e === 'down', maxWaitingItems: 1000, overloaded: () => 'busy' };

describe('write coalescer', () => {
  it('writes a request at once when no write is in flight', async () => {
    const { calls, write } = controlledWrite();
    const submit = createWriteCoalescer(write, options);
    const answer = submit(3);
    expect(calls.map((c) => c.parts)).toEqual([[3]]);
    calls[0]!.settle();
    expect(await answer).toBe('ok 3');
  });

  it('groups the requests that arrive while the writers are busy, each answered after its own write', async () => {
    const { calls, write } = controlledWrite();
    const submit = createWriteCoalescer(write, options);
    const answers = [1, 2, 3, 4].map((p) => submit(p));
    expect(calls.map((c) => c.parts)).toEqual([[1]]);
    let settled = 0;
    for (const a of answers.slice(1)) void a.then(() => settled++);
    calls[0]!.settle();
    await tick();
    expect(calls.map((c) => c.parts)).toEqual([[1], [2, 3, 4]]);
    expect(settled).toBe(0); // not before their write has committed
    calls[1]!.settle();
    expect(await Promise.all(answers)).toEqual(['ok 1', 'ok 2', 'ok 3', 'ok 4']);
  });

  it('caps a group at maxItems, and still writes a request larger than that on its own', async () => {
    const { calls, write } = controlledWrite();
    const submit = createWriteCoalescer(write, options);
    const answers = [1, 4, 5, 2, 12, 1].map((p) => submit(p));
    for (let settled = 0; settled < calls.length; settled++) {
      calls[settled]!.settle();
      await tick();
    }
    await Promise.all(answers);
    expect(calls.map((c) => c.parts)).toEqual([[1], [4, 5], [2], [12], [1]]);
  });

  it('runs up to maxConcurrent writes side by side', async () => {
    const { calls, write } = controlledWrite();
    const submit = createWriteCoalescer(write, { ...options, maxConcurrent: 2 });
    const answers = [1, 2, 3].map((p) => submit(p));
    expect(calls.map((c) => c.parts)).toEqual([[1], [2]]);
    calls[1]!.settle();
    await tick();
    expect(calls.map((c) => c.parts)).toEqual([[1], [2], [3]]);
    calls[0]!.settle();
    calls[2]!.settle();
    expect(await Promise.all(answers)).toEqual(['ok 1', 'ok 2', 'ok 3']);
  });

  it('retries a failed group request by request, so one bad request fails alone', async () => {
    const written: number[][] = [];
    const submit = createWriteCoalescer(async (parts: number[]) => {
      written.push(parts);
      await tick();
      if (parts.includes(2)) throw new Error('value out of range');
      return parts.map((p) => `ok ${p}`);
    }, options);
    const answers = [1, 2, 3, 4].map((p) => submit(p).catch((error: Error) => error.message));
    expect(await Promise.all(answers)).toEqual(['ok 1', 'value out of range', 'ok 3', 'ok 4']);
    expect(written).toEqual([[1], [2, 3, 4], [2], [3], [4]]);
  });

  it('fails the whole group at once when the database is unreachable', async () => {
    const written: number[][] = [];
    const submit = createWriteCoalescer(async (parts: number[]) => {
      written.push(parts);
      await tick();
      throw 'down';
    }, options);
    const answers = [1, 2, 3].map((p) => submit(p).catch((error: unknown) => error));
    expect(await Promise.all(answers)).toEqual(['down', 'down', 'down']);
    // 2 and 3 were waiting behind 1: they fail with it rather than wait out a write of their own.
    expect(written).toEqual([[1]]);
  });

  it('sheds load: a request that would make too many items wait is refused at once, and taken again later', async () => {
    const { calls, write } = controlledWrite();
    const submit = createWriteCoalescer(write, { ...options, maxWaitingItems: 10 });
    const first = submit(5); // written at once, waits for nothing
    const queued = [submit(6), submit(4)]; // 10 items wait
    await expect(submit(1)).rejects.toBe('busy');
    calls[0]!.settle();
    await tick();
    expect(calls.map((c) => c.parts)).toEqual([[5], [6, 4]]);
    const later = submit(1); // room again: queued behind the running write
    calls[1]!.settle();
    await tick();
    calls[2]!.settle();
    expect(await Promise.all([first, ...queued, later])).toEqual(['ok 5', 'ok 6', 'ok 4', 'ok 1']);
  });

  it('fails the requests waiting behind a write that found the database unreachable at once, not after a write of their own', async () => {
    const { calls, write } = controlledWrite();
    const submit = createWriteCoalescer(write, options);
    const answers = [1, 2, 3].map((p) => submit(p).catch((error: unknown) => `failed: ${String(error)}`));
    expect(calls.map((c) => c.parts)).toEqual([[1]]);
    calls[0]!.settle('down');
    expect(await Promise.all(answers)).toEqual(['failed: down', 'failed: down', 'failed: down']);
    expect(calls).toHaveLength(1);
    // The next request writes again (the database may be back).
    const next = submit(4);
    expect(calls.map((c) => c.parts)).toEqual([[1], [4]]);
    calls[1]!.settle();
    expect(await next).toBe('ok 4');
  });
});
