import { describe, expect, it } from 'vitest';
import { responseViolations } from './openapi-validator.js';

const request = (method: string, path: string) => new Request(`http://localhost${path}`, { method });
const json = (body: unknown, status = 200, type = 'application/json') => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': type } });
const problem = (type: string, status: number) => json({ type: `/problems/${type}`, title: 'T', status, detail: 'd', instance: '/x' }, status, 'application/problem+json');
const touchpoint = { key: 'cta', name: 'CTA', kind: 'cta', funnelStage: 'purchase', urlPattern: null, description: null, version: 1, createdAt: 'x', updatedAt: 'y' };

// The check the harness runs on every response: each departure from the document must be caught.
describe('response validation against the OpenAPI document', () => {
  it('accepts a documented answer, with fields the contract allows to be added', async () => {
    expect(await responseViolations(request('GET', '/api/touchpoints/cta'), json({ ...touchpoint, extra: true }))).toEqual([]);
    expect(await responseViolations(request('GET', '/health'), json({ status: 'ok' }))).toEqual([]);
    expect(await responseViolations(request('DELETE', '/api/touchpoints/cta'), new Response(null, { status: 204 }))).toEqual([]);
    expect(await responseViolations(request('GET', '/sdk/config'), new Response(null, { status: 304 }))).toEqual([]);
    expect(await responseViolations(request('GET', '/api/experiments/x/results?format=csv'), new Response('a,b\n', { headers: { 'Content-Type': 'text/csv; charset=utf-8' } }))).toEqual([]);
  });

  it('refuses a missing required field and a field of the wrong type', async () => {
    const { version: _v, ...missing } = touchpoint;
    expect(await responseViolations(request('GET', '/api/touchpoints/cta'), json(missing))).toEqual([expect.stringContaining("must have required property 'version'")]);
    expect(await responseViolations(request('GET', '/api/touchpoints/cta'), json({ ...touchpoint, kind: 'banner' }))).toEqual([expect.stringContaining('/kind must be equal to one of the allowed values')]);
    expect(await responseViolations(request('DELETE', '/api/units/u-1'), json({ exposuresDeleted: '3', eventsDeleted: 0, aliasesDeleted: 0 }))).toEqual([expect.stringContaining('/exposuresDeleted must be integer')]);
  });

  it('refuses an undocumented status, media type or body', async () => {
    expect(await responseViolations(request('GET', '/health'), json({ status: 'ok' }, 202))).toEqual([expect.stringContaining('status 202 is not documented')]);
    expect(await responseViolations(request('GET', '/api/touchpoints/cta'), new Response(null, { status: 304 }))).toEqual([expect.stringContaining('status 304 is not documented')]);
    expect(await responseViolations(request('GET', '/api/touchpoints/cta'), new Response(JSON.stringify(touchpoint), { headers: { 'Content-Type': 'text/plain' } }))).toEqual([
      expect.stringContaining('Content-Type "text/plain" is not documented'),
    ]);
    expect(await responseViolations(request('POST', '/api/experiments/x/start'), new Response('', { status: 200 }))).toEqual([expect.stringContaining('Content-Type "text/plain" is not documented')]);
  });

  it('holds problem documents to their status: the type must be one with that status', async () => {
    expect(await responseViolations(request('GET', '/api/touchpoints/cta'), problem('not-found', 404))).toEqual([]);
    expect(await responseViolations(request('GET', '/api/touchpoints/cta'), problem('validation-failed', 404))).not.toEqual([]);
    expect(await responseViolations(request('GET', '/api/touchpoints/cta'), json({ error: 'nope' }, 404))).toEqual([expect.stringContaining('Content-Type "application/json" is not documented')]);
    // A 409 is documented on creation (already exists), not on a read.
    expect(await responseViolations(request('GET', '/api/touchpoints/cta'), problem('already-exists', 409))).toEqual([expect.stringContaining('status 409 is not documented')]);
  });

  it('lets a request no operation documents get only the 404 (or the key check under /api and /sdk)', async () => {
    expect(await responseViolations(request('GET', '/nowhere'), problem('not-found', 404))).toEqual([]);
    expect(await responseViolations(request('PUT', '/api/touchpoints'), problem('not-found', 404))).toEqual([]);
    expect(await responseViolations(request('GET', '/api/nowhere'), problem('unauthorized', 401))).toEqual([]);
    expect(await responseViolations(request('GET', '/nowhere'), problem('unauthorized', 401))).toEqual([expect.stringContaining('status 401 is not documented')]);
    expect(await responseViolations(request('GET', '/nowhere'), json({ ok: true }))).toEqual([expect.stringContaining('status 200 is not documented')]);
  });
});
