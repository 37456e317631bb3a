import { expect, it } from 'vitest';
import { describeEachEngine } from '../test/engines.js';
import { type Harness, createHarness, fixtures, seedCatalog } from '../test/harness.js';

describeEachEngine('concurrent experiment edits', (db) => {
  let h: Harness;
  let n = 0;
  const fresh = async () => {
    h ??= await createHarness(db().db);
    await seedCatalog(h);
    const key = `concurrent-${++n}`;
    expect((await h.call('POST', '/api/experiments', fixtures.experiment(key))).status).toBe(201);
    return key;
  };

  it('lets exactly one of two edits of the same version win (body version → 409)', async () => {
    const key = await fresh();
    const [a, b] = await Promise.all([
      h.call('PATCH', `/api/experiments/${key}`, { version: 1, name: 'Edit A' }),
      h.call('PATCH', `/api/experiments/${key}`, { version: 1, name: 'Edit B' }),
    ]);
    const statuses = [a.status, b.status].sort();
    expect(statuses).toEqual([200, 409]);
    const loser = a.status === 409 ? a : b;
    expect(await loser.json()).toMatchObject({ type: '/problems/version-conflict', currentVersion: 2 });
    const winner = (await (a.status === 200 ? a : b).json()) as { name: string };
    const current = (await (await h.call('GET', `/api/experiments/${key}`)).json()) as { name: string; version: number };
    expect(current).toMatchObject({ name: winner.name, version: 2 });
  });

  it('never loses an update among many concurrent edits with If-Match (the rest get 412)', async () => {
    const key = await fresh();
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => h.call('PATCH', `/api/experiments/${key}`, { hypothesis: `edit ${i}` }, { headers: { 'If-Match': '"1"' } })),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 412)).toHaveLength(7);
    const audit = (await (await h.call('GET', `/api/experiments/${key}/audit`)).json()) as { items: { action: string }[] };
    expect(audit.items.map((e) => e.action)).toEqual(['update', 'create']);
  });

  it('serialises a read-modify-write chain: every client that retries on conflict lands its change', async () => {
    const key = await fresh();
    const names = ['one', 'two', 'three', 'four'];
    await Promise.all(
      names.map(async (name) => {
        for (let attempt = 0; attempt < 20; attempt++) {
          const current = (await (await h.call('GET', `/api/experiments/${key}`)).json()) as { version: number; secondaryMetrics: string[] };
          const res = await h.call('PATCH', `/api/experiments/${key}`, { version: current.version, hypothesis: name });
          if (res.status === 200) return;
          expect(res.status).toBe(409);
        }
        throw new Error(`${name} never landed`);
      }),
    );
    const current = (await (await h.call('GET', `/api/experiments/${key}`)).json()) as { version: number };
    expect(current.version).toBe(1 + names.length);
  });

  it('requires a version: PATCH without If-Match or version is 428', async () => {
    const key = await fresh();
    const res = await h.call('PATCH', `/api/experiments/${key}`, { name: 'No version' });
    expect(res.status).toBe(428);
    expect(await res.json()).toMatchObject({ type: '/problems/precondition-required' });
  });

  it('exposes the version as an ETag and honours it in If-Match', async () => {
    const key = await fresh();
    const read = await h.call('GET', `/api/experiments/${key}`);
    expect(read.headers.get('etag')).toBe('"1"');
    const ok = await h.call('PATCH', `/api/experiments/${key}`, { name: 'With ETag' }, { headers: { 'If-Match': read.headers.get('etag')! } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('etag')).toBe('"2"');
    const stale = await h.call('PATCH', `/api/experiments/${key}`, { name: 'Stale' }, { headers: { 'If-Match': '"1"' } });
    expect(stale.status).toBe(412);
  });

  it('applies a lifecycle action and an edit racing on the same version one at a time', async () => {
    const key = await fresh();
    const [start, edit] = await Promise.all([
      h.call('POST', `/api/experiments/${key}/start`, { version: 1 }),
      h.call('PATCH', `/api/experiments/${key}`, { version: 1, salt: 'reshuffled' }),
    ]);
    expect([start.status, edit.status].sort()).toEqual([200, 409]);
    const current = (await (await h.call('GET', `/api/experiments/${key}`)).json()) as { status: string; salt: string };
    // Whichever won, the other did not sneak in: never running with a changed salt applied after start.
    if (start.status === 200) expect(current).toMatchObject({ status: 'running', salt: key });
    else expect(current).toMatchObject({ status: 'draft', salt: 'reshuffled' });
  });
});
