import { expect, it } from 'vitest';
import { describeEachEngine } from '../test/engines.js';
import { type Harness, createHarness, fixtures, seedCatalog } from '../test/harness.js';

describeEachEngine('experiment lifecycle', (db) => {
  let h: Harness;
  let n = 0;
  const fresh = async (overrides: Record<string, unknown> = {}) => {
    h ??= await createHarness(db().db);
    await seedCatalog(h);
    const key = `lifecycle-${++n}`;
    const res = await h.call('POST', '/api/experiments', fixtures.experiment(key, overrides));
    expect(res.status, await res.clone().text()).toBe(201);
    return key;
  };
  const act = (key: string, action: string, body?: unknown) => h.call('POST', `/api/experiments/${key}/${action}`, body);
  const statusOf = async (key: string) => ((await (await h.call('GET', `/api/experiments/${key}`)).json()) as { status: string }).status;

  it('walks draft → running → paused → running → stopped', async () => {
    const key = await fresh();
    expect(await statusOf(key)).toBe('draft');
    const started = await act(key, 'start');
    expect(started.status).toBe(200);
    const body = (await started.json()) as { status: string; startedAt: string; phase: number };
    expect(body).toMatchObject({ status: 'running', phase: 0 });
    expect(body.startedAt).toBeTruthy();
    expect((await act(key, 'pause')).status).toBe(200);
    expect(await statusOf(key)).toBe('paused');
    expect((await act(key, 'start')).status).toBe(200);
    expect(await statusOf(key)).toBe('running');
    const stopped = await act(key, 'stop', { winner: 'urgent', note: 'Clear win on purchases' });
    expect(stopped.status).toBe(200);
    expect(await stopped.json()).toMatchObject({ status: 'stopped', decision: { winner: 'urgent', note: 'Clear win on purchases' } });
  });

  it('stops from paused with no winner', async () => {
    const key = await fresh();
    await act(key, 'start');
    await act(key, 'pause');
    const res = await act(key, 'stop', { winner: null, note: 'Inconclusive' });
    expect(await res.json()).toMatchObject({ status: 'stopped', decision: { winner: null, note: 'Inconclusive' } });
  });

  it.each([
    ['pause', 'draft'],
    ['stop', 'draft'],
  ])('refuses to %s a %s experiment with 409', async (action) => {
    const key = await fresh();
    const res = await act(key, action);
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await res.json()).toMatchObject({ type: '/problems/invalid-transition', currentStatus: 'draft' });
    expect(await statusOf(key)).toBe('draft');
  });

  it('refuses start on running, pause on paused, and everything on stopped', async () => {
    const key = await fresh();
    await act(key, 'start');
    expect((await act(key, 'start')).status).toBe(409);
    await act(key, 'pause');
    expect((await act(key, 'pause')).status).toBe(409);
    await act(key, 'stop');
    for (const action of ['start', 'pause', 'stop']) {
      const res = await act(key, action);
      expect(res.status, action).toBe(409);
    }
    expect(await statusOf(key)).toBe('stopped');
  });

  it('needs a primary metric to start', async () => {
    const key = await fresh({ primaryMetric: null });
    const res = await act(key, 'start');
    expect(res.status).toBe(409);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/primary metric/);
  });

  it('rejects a winner that is not a variant, and changes nothing', async () => {
    const key = await fresh();
    await act(key, 'start');
    const res = await act(key, 'stop', { winner: 'nope' });
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ errors: [{ field: 'winner' }] });
    expect(await statusOf(key)).toBe('running');
  });

  it('archives only draft or stopped experiments, and archived ones leave the default list', async () => {
    const key = await fresh();
    await act(key, 'start');
    expect((await act(key, 'archive')).status).toBe(409);
    await act(key, 'stop');
    expect((await act(key, 'archive')).status).toBe(200);
    const list = (await (await h.call('GET', '/api/experiments?limit=500')).json()) as { items: { key: string }[] };
    expect(list.items.map((e) => e.key)).not.toContain(key);
    const archived = (await (await h.call('GET', '/api/experiments?archived=true')).json()) as { items: { key: string }[] };
    expect(archived.items.map((e) => e.key)).toContain(key);
    expect((await act(key, 'start')).status).toBe(409);
    expect((await act(key, 'unarchive')).status).toBe(200);
  });

  const patch = (key: string, version: number, body: Record<string, unknown>) => h.call('PATCH', `/api/experiments/${key}`, { ...body, version });
  const versionOf = async (key: string) => ((await (await h.call('GET', `/api/experiments/${key}`)).json()) as { version: number }).version;

  it('allows every edit on a draft', async () => {
    const key = await fresh();
    const res = await patch(key, 1, {
      salt: 'new-salt',
      coverage: 0.3,
      variants: [
        { key: 'control', name: 'A', weight: 0.34 },
        { key: 'b', name: 'B', weight: 0.33 },
        { key: 'c', name: 'C', weight: 0.33 },
      ],
      namespace: { id: 'checkout-layer', range: [0, 0.5] },
    });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toMatchObject({ salt: 'new-salt', coverage: 0.3, version: 2 });
  });

  it.each([
    ['salt', { salt: 'other' }],
    ['namespace', { namespace: { id: 'layer', range: [0, 0.5] } }],
    ['variants', { variants: [{ key: 'control', name: 'A', weight: 0.5 }, { key: 'other', name: 'B', weight: 0.5 }] }],
    ['variants.0.weight', { variants: [{ key: 'control', name: 'A', weight: 0.6 }, { key: 'urgent', name: 'B', weight: 0.4 }] }],
    ['coverage', { coverage: 0.5 }],
    ['targeting', { targeting: { all: [{ attribute: 'country', op: 'eq', value: 'FR' }] } }],
  ])('refuses a structural edit (%s) on a running experiment', async (field, body) => {
    const key = await fresh({ coverage: 0.8 });
    await act(key, 'start');
    const version = await versionOf(key);
    const res = await patch(key, version, body);
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ type: '/problems/experiment-locked', errors: [{ field }] });
    expect(await versionOf(key)).toBe(version);
  });

  it('raises coverage on a running experiment, opening a new phase', async () => {
    const key = await fresh({ coverage: 0.2 });
    await act(key, 'start');
    const res = await patch(key, await versionOf(key), { coverage: 0.6, name: 'Ramped' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ coverage: 0.6, name: 'Ramped', phase: 1, status: 'running' });
  });

  it('changes weights on a running experiment only as an explicit new phase', async () => {
    const key = await fresh();
    await act(key, 'start');
    const res = await patch(key, await versionOf(key), {
      newPhase: true,
      variants: [{ key: 'control', name: 'Buy now', weight: 0.2 }, { key: 'urgent', name: 'Urgent', weight: 0.8 }],
    });
    expect(res.status, JSON.stringify(h.logger.lines.filter((l) => l.level === 'error'))).toBe(200);
    expect(await res.json()).toMatchObject({ phase: 1, variants: [{ weight: 0.2 }, { weight: 0.8 }] });
  });

  it('accepts analysis settings and names on a running experiment', async () => {
    const key = await fresh();
    await act(key, 'start');
    const res = await patch(key, await versionOf(key), { name: 'Renamed', alpha: 0.01, sequential: { tuningParameter: 10000 } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ name: 'Renamed', alpha: 0.01, sequential: { tuningParameter: 10000 }, phase: 0 });
  });

  it('keeps a stopped experiment read-only except name and hypothesis', async () => {
    const key = await fresh();
    await act(key, 'start');
    await act(key, 'stop');
    expect((await patch(key, await versionOf(key), { coverage: 1 })).status).toBe(409);
    expect((await patch(key, await versionOf(key), { alpha: 0.1 })).status).toBe(409);
    expect((await patch(key, await versionOf(key), { hypothesis: 'Learned: urgency works' })).status).toBe(200);
  });
});
