/**
 * Constant-time password checks (#12): a sign-in does the same work whether the email is unknown, the
 * user has no password (SSO only, invited), is disabled, or the password is wrong or right — one scrypt
 * at the stored cost and one timingSafeEqual of the full key — so the time taken tells nothing about
 * which accounts exist. Counted by watching node:crypto itself (no timing thresholds: the machine's
 * load would decide them), in the function and through POST /api/auth/login on a real app.
 */
import crypto from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { describeEachEngine } from '../test/engines.js';
import { type Harness, createHarness } from '../test/harness.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { invitePerson } from './test-support.js';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

interface Work {
  scrypt: { N: number; r: number; p: number; keylen: number }[];
  compared: number[];
}

/** Records every scrypt and timingSafeEqual call (the ES module bindings follow: syncBuiltinESMExports). */
function watchCrypto() {
  const original = { scrypt: crypto.scrypt, timingSafeEqual: crypto.timingSafeEqual };
  let work: Work = { scrypt: [], compared: [] };
  crypto.scrypt = ((password: crypto.BinaryLike, salt: crypto.BinaryLike, keylen: number, options: crypto.ScryptOptions, callback: (error: Error | null, key: Buffer) => void) => {
    work.scrypt.push({ N: options.N ?? options.cost ?? 0, r: options.r ?? options.blockSize ?? 0, p: options.p ?? options.parallelization ?? 0, keylen });
    return original.scrypt(password, salt, keylen, options, callback);
  }) as typeof crypto.scrypt;
  crypto.timingSafeEqual = ((a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) => {
    work.compared.push(a.byteLength);
    return original.timingSafeEqual(a, b);
  }) as typeof crypto.timingSafeEqual;
  syncBuiltinESMExports();
  return {
    /** The work done by `run`. */
    async measure<T>(run: () => Promise<T>): Promise<{ result: T; work: Work }> {
      work = { scrypt: [], compared: [] };
      const result = await run();
      return { result, work };
    },
    restore() {
      Object.assign(crypto, original);
      syncBuiltinESMExports();
    },
  };
}

const ONE_HASH: Work = { scrypt: [{ N: 2 ** 15, r: 8, p: 3, keylen: 32 }], compared: [32] };

describe('verifyPassword', () => {
  let watch: ReturnType<typeof watchCrypto>;
  beforeAll(() => {
    watch = watchCrypto();
  });
  afterAll(() => watch.restore());

  it('does one scrypt at the stored cost and one full-length constant-time comparison, whatever it is given', async () => {
    const stored = await hashPassword('the right password');
    // The very first check of a missing hash included (the decoy must not be made on first use).
    const cases = {
      noPassword: await watch.measure(() => verifyPassword('the right password', null)),
      right: await watch.measure(() => verifyPassword('the right password', stored)),
      wrong: await watch.measure(() => verifyPassword('the wrong password', stored)),
      // Differs from the right one in the last character only: no early exit on a prefix.
      nearlyRight: await watch.measure(() => verifyPassword('the right passwore', stored)),
      unreadable: await watch.measure(() => verifyPassword('the right password', 'bcrypt$2b$10$whatever')),
    };
    expect(Object.fromEntries(Object.entries(cases).map(([name, c]) => [name, c.result]))).toEqual({ noPassword: false, right: true, wrong: false, nearlyRight: false, unreadable: false });
    for (const [name, c] of Object.entries(cases)) expect(c.work, name).toEqual(ONE_HASH);
  });
});

describeEachEngine('POST /api/auth/login does the same work for every account', (getDb) => {
  let h: Harness;
  let watch: ReturnType<typeof watchCrypto>;
  beforeAll(async () => {
    h = await createHarness(getDb().db, { rateLimits: { authFailures: 0, authWindowSeconds: 60, sdkRequestsPerMinute: 0, trustedProxyHops: 0, loginFailuresPerEmail: 0, loginWindowSeconds: 60 } });
    watch = watchCrypto();
  });
  afterAll(() => watch?.restore());

  it('unknown email, invited (no password), disabled, wrong and right password: one hash each', async () => {
    const active = await invitePerson(h, 'viewer', 'Tim Timing');
    const disabled = await invitePerson(h, 'viewer', 'Dee Disabled');
    expect((await h.call('PATCH', `/api/users/${disabled.id}`, { disabled: true })).status).toBe(200);
    expect((await h.call('POST', '/api/users', { email: 'ines.invited@shop.example', name: 'Ines', role: 'viewer' })).status).toBe(201);
    const login = (email: string, password: string) => h.call('POST', '/api/auth/login', { email, password }, { key: null });

    const cases = {
      right: await watch.measure(() => login(active.email, active.password)),
      wrong: await watch.measure(() => login(active.email, 'not the password at all')),
      unknown: await watch.measure(() => login('nobody.here@shop.example', 'not the password at all')),
      invited: await watch.measure(() => login('ines.invited@shop.example', 'not the password at all')),
      disabled: await watch.measure(() => login(disabled.email, disabled.password)),
    };
    expect(Object.fromEntries(Object.entries(cases).map(([name, c]) => [name, c.result.status]))).toEqual({ right: 200, wrong: 401, unknown: 401, invited: 401, disabled: 401 });
    for (const [name, c] of Object.entries(cases)) expect(c.work, name).toEqual(ONE_HASH);
    // And the refusals cannot be told apart by their answer either.
    const bodies = await Promise.all([cases.wrong, cases.unknown, cases.invited, cases.disabled].map(async (c) => ((await c.result.json()) as { detail: string }).detail));
    expect(new Set(bodies).size).toBe(1);
  });
});
