/**
 * Latency of the hostile inputs of issue 13 (#6, #7) on an in-process app over in-memory PGlite:
 *
 *   npm run bench:hostile -w server
 *
 * Targeting patterns that backtrack exponentially (stored directly, as if saved before validation
 * refused them) against a 29-character attribute on POST /sdk/assign (9.6 s before RE2), and an
 * events batch whose one item nests 5,000 deep beside a valid sibling (a 500 before). 30 requests
 * each; the first includes compiling the pattern. The tests assert the same with generous bounds.
 */
import { sql } from 'kysely';
import { createApp } from '../src/app.js';
import { connect } from '../src/db/connect.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { createMemoryLogger } from '../src/http/logger.js';
import { createKey } from '../src/keys/repository.js';
const handle = await connect({ dataDir: 'memory://' });
await migrateToLatest(handle.db);
const app = createApp({ db: handle.db, logger: createMemoryLogger(), now: () => new Date(), maxBodyBytes: 1 << 20 });
const sys = { keyId: null, requestId: 'm' };
const admin = (await createKey(handle.db, sys, { kind: 'admin', name: 'a' })).secret;
const sdk = (await createKey(handle.db, sys, { kind: 'sdk', name: 's' })).secret;
const call = (m: string, p: string, body: unknown, key = admin) => app.request(p, { method: m, headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
await call('POST', '/api/touchpoints', { key: 'checkout-cta', name: 'C', kind: 'cta', funnelStage: 'purchase' });
await call('POST', '/api/metrics', { key: 'purchase', name: 'P', type: 'conversion', eventName: 'purchase' });
for (const [i, pattern] of ['^(\\w|\\d)*$', '(a|a)*$'].entries()) {
  const key = `redos-${i}`;
  await call('POST', '/api/experiments', { key, name: 'x', touchpointKey: 'checkout-cta', primaryMetric: 'purchase', variants: [{ key: 'a', name: 'A', weight: 0.5 }, { key: 'b', name: 'B', weight: 0.5 }] });
  await call('POST', `/api/experiments/${key}/start`, undefined);
  await sql`update experiments set targeting = ${JSON.stringify({ attribute: 'code', op: 'regex', value: pattern })}::jsonb, version = version + 1 where key = ${key}`.execute(handle.db);
}
const time = async (label: string, f: () => Response | Promise<Response>) => {
  const ms: number[] = []; const statuses = new Set<number>();
  for (let i = 0; i < 30; i++) { const t = performance.now(); const r = await f(); await r.text(); ms.push(performance.now() - t); statuses.add(r.status); }
  ms.sort((a, b) => a - b);
  console.log(`${label}: statuses ${[...statuses]} median ${ms[15]!.toFixed(1)} ms, max ${ms[29]!.toFixed(1)} ms (30 requests)`);
};
const hostile = 'a'.repeat(28) + '!';
await time('/sdk/assign ^(\\w|\\d)*$ + 29 chars', () => call('POST', '/sdk/assign', { unitId: 'u', attributes: { code: hostile }, experiments: ['redos-0'] }, sdk));
await time('/sdk/assign (a|a)*$ + 29 chars', () => call('POST', '/sdk/assign', { unitId: 'u', attributes: { code: hostile }, experiments: ['redos-1'] }, sdk));
await time('/sdk/assign (a|a)*$ + 4000 chars', () => call('POST', '/sdk/assign', { unitId: 'u', attributes: { code: 'a'.repeat(3999) + '!' }, experiments: ['redos-1'] }, sdk));
const deep = '{"a":'.repeat(5000) + '1' + '}'.repeat(5000);
let n = 0;
await time('/sdk/events 5,000-deep item + valid sibling', () => { n++; const ok = JSON.stringify({ id: `ok-${n}`, type: 'event', unitId: 'u', name: 'purchase', timestamp: new Date().toISOString() }); const bad = `{"id":"deep-${n}","type":"event","unitId":"u","name":"purchase","timestamp":"${new Date().toISOString()}","attributes":{"a":${deep}}}`; return call('POST', '/sdk/events', `{"items":[${ok},${bad}]}`, sdk); });
await handle.close();
