/**
 * The catalog's fingerprint of its identity links (migration 0021, alias-repository.ts): moved by every
 * link written and erased in the same transaction, it always equals the fingerprint computed from the
 * rows themselves — what a copy of the links (the ClickHouse shards' tp_links) is checked against.
 */
import { expect, it } from 'vitest';
import { describeEachEngine } from '../test/engines.js';
import { deleteLinksOf, linkFingerprint, lockAliases, readLinks, storeAliases } from './alias-repository.js';
import { adjustFingerprint, emptyFingerprint, linkHash, sameFingerprint } from './link-hash.js';

it('the fingerprint is order-free, removes what it added, and tells apart links that differ in any part', () => {
  const a = { aliasId: 'anon-1', unitId: 'acct-1', receivedMs: 1_000 };
  const b = { aliasId: 'anon-2', unitId: 'acct-1', receivedMs: 2_000 };
  expect(adjustFingerprint(emptyFingerprint, [a, b], 1)).toEqual(adjustFingerprint(emptyFingerprint, [b, a], 1));
  expect(adjustFingerprint(adjustFingerprint(emptyFingerprint, [a, b], 1), [a], -1)).toEqual(adjustFingerprint(emptyFingerprint, [b], 1));
  expect(adjustFingerprint(adjustFingerprint(emptyFingerprint, [a], 1), [a], -1)).toEqual(emptyFingerprint);
  // Each part counts, and the parts cannot slide into each other (length-prefixed).
  const hashes = [a, { ...a, unitId: 'acct-2' }, { ...a, receivedMs: 1_001 }, { aliasId: 'anon-1a', unitId: 'cct-1', receivedMs: 1_000 }].map(linkHash);
  expect(new Set(hashes).size).toBe(4);
  for (const h of hashes) expect(BigInt(h) < 1n << 64n && BigInt(h) >= 0n).toBe(true);
});

describeEachEngine('the catalog keeps its links fingerprint with every write and erasure', (db) => {
  const recomputed = async () => adjustFingerprint(emptyFingerprint, await readLinks(db().db, { limit: 1_000_000 }), 1);

  it('links stored (followed through an account, duplicates and refused loops included) and erased keep it equal to the rows', async () => {
    // Unknown after the migration: computed from the rows on first use.
    expect(await linkFingerprint(db().db)).toEqual(emptyFingerprint);
    const write = (rows: [string, string, string][]) =>
      db().db.transaction().execute(async (trx) => {
        await lockAliases(trx);
        return storeAliases(trx, rows.map(([itemId, aliasId, unitId]) => ({ itemId, aliasId, unitId, linkedAt: new Date() })), rows.map(() => new Date(Date.now() - 1000)));
      });
    const first = await write([['i1', 'anon-1', 'acct-1'], ['i2', 'anon-2', 'acct-1'], ['i3', 'acct-1', 'acct-9'], ['i4', 'acct-2', 'acct-3']]);
    // acct-1 has ids linked to it: an account, never linked again; the others stored as sent.
    expect(first.map((o) => o.stored?.unitId ?? null)).toEqual(['acct-1', 'acct-1', null, 'acct-3']);
    // A retry (duplicate), a link through an account's own link (anon-3 → acct-2 → acct-3), a loop back.
    const second = await write([['i1', 'anon-1', 'acct-1'], ['i5', 'anon-3', 'acct-2'], ['i6', 'acct-3', 'acct-2']]);
    expect(second.map((o) => ({ duplicate: o.duplicate, unit: o.stored?.unitId ?? null }))).toEqual([
      { duplicate: true, unit: null },
      { duplicate: false, unit: 'acct-3' },
      { duplicate: false, unit: null },
    ]);
    const kept = await linkFingerprint(db().db);
    expect(kept.links).toBe(4);
    expect(sameFingerprint(kept, await recomputed())).toBe(true);

    const erased = await db().db.transaction().execute(async (trx) => {
      await lockAliases(trx);
      return deleteLinksOf(trx, 'acct-1');
    });
    expect(erased).toBe(2);
    const after = await linkFingerprint(db().db);
    expect(after.links).toBe(2);
    expect(sameFingerprint(after, await recomputed())).toBe(true);
    // A transaction rolled back moves nothing.
    await expect(
      db().db.transaction().execute(async (trx) => {
        await lockAliases(trx);
        await deleteLinksOf(trx, 'acct-3');
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await linkFingerprint(db().db)).toEqual(after);
  });
});
