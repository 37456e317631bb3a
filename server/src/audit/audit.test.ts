import { expect, it } from 'vitest';
import { describeEachEngine } from '../test/engines.js';
import { type Harness, createHarness, fixtures, seedCatalog } from '../test/harness.js';

interface Entry { action: string; keyId: string | null; requestId: string | null; at: string; before: Record<string, unknown> | null; after: Record<string, unknown> | null }

describeEachEngine('audit trail', (db) => {
  let h: Harness;

  it('records who, when, before and after for every change of an experiment, newest first', async () => {
    h = await createHarness(db().db);
    await seedCatalog(h);
    const key = 'audited';
    await h.call('POST', '/api/experiments', fixtures.experiment(key));
    await h.call('PATCH', `/api/experiments/${key}`, { version: 1, name: 'Renamed' }, { headers: { 'X-Request-Id': 'req-rename-1' } });
    await h.call('POST', `/api/experiments/${key}/start`);
    await h.call('POST', `/api/experiments/${key}/pause`);
    await h.call('POST', `/api/experiments/${key}/start`);
    await h.call('PATCH', `/api/experiments/${key}`, { version: 5, coverage: 1, alpha: 0.01 });
    await h.call('POST', `/api/experiments/${key}/stop`, { winner: 'control', note: 'No lift' });
    // A refused change leaves no trace.
    expect((await h.call('POST', `/api/experiments/${key}/start`)).status).toBe(409);

    const res = await h.call('GET', `/api/experiments/${key}/audit`);
    const { items } = (await res.json()) as { items: Entry[] };
    expect(items.map((e) => e.action)).toEqual(['stop', 'update', 'resume', 'pause', 'start', 'update', 'create']);
    const keys = (await (await h.call('GET', '/api/keys')).json()) as { items: { id: string; name: string }[] };
    const adminId = keys.items.find((k) => k.name === 'test admin')!.id;
    for (const entry of items) {
      expect(entry.keyId).toBe(adminId);
      expect(Number.isNaN(Date.parse(entry.at))).toBe(false);
    }
    const rename = items[5]!;
    expect(rename.requestId).toBe('req-rename-1');
    expect(rename.before).toMatchObject({ name: 'Checkout CTA copy', version: 1 });
    expect(rename.after).toMatchObject({ name: 'Renamed', version: 2 });
    expect(items[6]!.before).toBeNull();
    expect(items[0]!.after).toMatchObject({ status: 'stopped', decision: { winner: 'control', note: 'No lift' } });
    expect(items[1]!.before).toMatchObject({ alpha: 0.05 });
    expect(items[1]!.after).toMatchObject({ alpha: 0.01 });
  });

  it('pages the history and 404s for an unknown experiment', async () => {
    const page = (await (await h.call('GET', '/api/experiments/audited/audit?limit=2&offset=1')).json()) as { items: Entry[] };
    expect(page.items.map((e) => e.action)).toEqual(['update', 'resume']);
    expect((await h.call('GET', '/api/experiments/nope/audit')).status).toBe(404);
  });

  it('audits touchpoints, metrics and keys in the same log', async () => {
    const rows = await db().db.selectFrom('audit_log').select(['entity_type', 'action']).execute();
    const kinds = new Set(rows.map((r) => `${r.entity_type}:${r.action}`));
    expect(kinds).toContain('touchpoint:create');
    expect(kinds).toContain('metric:create');
    expect(kinds).toContain('api_key:create');
  });
});
