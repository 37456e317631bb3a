import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect as netConnect } from 'node:net';
import { serve } from '@hono/node-server';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeEachEngine } from '../test/engines.js';
import { type Harness, createHarness, fixtures, seedCatalog } from '../test/harness.js';
import { snapshot as takeSnapshot, withRawMember } from '../test/hostile.js';

/**
 * Hostile input (design.md §7): every malformed, mistyped, oversized or out-of-range request gets a
 * 4xx problem document that names the field, never a 500, and writes nothing at all.
 */

const MAX_BODY = 1024 * 1024;
const EXISTING_EXPERIMENT = 'hostile-existing';

type Body = Record<string, unknown>;
interface Endpoint {
  name: string;
  method: 'POST' | 'PATCH';
  path: string;
  /** A body this endpoint accepts (PATCH bodies carry the current version). */
  valid: () => Body;
}

const ENDPOINTS: Endpoint[] = [
  { name: 'POST touchpoint', method: 'POST', path: '/api/touchpoints', valid: () => fixtures.touchpoint('hostile-new') },
  { name: 'PATCH touchpoint', method: 'PATCH', path: '/api/touchpoints/checkout-cta', valid: () => ({ name: 'Renamed', version: 1 }) },
  { name: 'POST metric', method: 'POST', path: '/api/metrics', valid: () => fixtures.metric('hostile-new') },
  { name: 'PATCH metric', method: 'PATCH', path: '/api/metrics/purchase', valid: () => ({ name: 'Renamed', version: 1 }) },
  { name: 'POST experiment', method: 'POST', path: '/api/experiments', valid: () => fixtures.experiment('hostile-new') },
  { name: 'PATCH experiment', method: 'PATCH', path: `/api/experiments/${EXISTING_EXPERIMENT}`, valid: () => ({ name: 'Renamed', version: 1 }) },
  { name: 'POST key', method: 'POST', path: '/api/keys', valid: () => ({ kind: 'sdk', name: 'Hostile' }) },
  { name: 'POST webhook', method: 'POST', path: '/api/webhooks', valid: () => ({ url: 'https://203.0.113.10/hook', events: ['experiment.started'] }) },
];
const byName = (name: string) => ENDPOINTS.find((e) => e.name === name)!;


const variants = (weights: number[], extra: (i: number) => Body = () => ({})) =>
  weights.map((weight, i) => ({ key: i === 0 ? 'control' : `v${i}`, name: `Variant ${i}`, weight, ...extra(i) }));

describeEachEngine('hostile input', (db) => {
  let h: Harness;

  beforeAll(async () => {
    h = await createHarness(db().db);
    await seedCatalog(h);
    const res = await h.call('POST', '/api/experiments', fixtures.experiment(EXISTING_EXPERIMENT));
    expect(res.status, await res.clone().text()).toBe(201);
  });

  const snapshot = () => takeSnapshot(db().db);

  interface Expected {
    status: number;
    type?: string;
    /** Every one of these must be named by errors[].field. */
    fields?: string[];
  }

  async function expectProblem(res: Response, expected: Expected): Promise<Record<string, unknown>> {
    const raw = await res.text();
    expect(res.status, raw).toBe(expected.status);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const body = JSON.parse(raw) as Record<string, unknown>;
    expect(body).toMatchObject({ status: expected.status, type: expect.stringMatching(/^\/problems\/[a-z-]+$/), title: expect.any(String), detail: expect.any(String) });
    expect((body.detail as string).length).toBeGreaterThan(0);
    if (expected.type) expect(body.type).toBe(`/problems/${expected.type}`);
    if (expected.fields) {
      const named = ((body.errors ?? []) as { field: string; pointer: string; detail: string }[]).map((e) => e.field);
      for (const field of expected.fields) expect(named, raw).toContain(field);
    }
    return body;
  }

  /** Sends a hostile request and checks the refusal and that the database did not change. */
  async function refused(send: () => Promise<Response> | Response, expected: Expected): Promise<Record<string, unknown>> {
    const before = await snapshot();
    const body = await expectProblem(await send(), expected);
    expect(await snapshot()).toEqual(before);
    return body;
  }

  /** A request with exactly these headers (the harness always adds a JSON Content-Type). */
  const raw = (method: string, path: string, body: string | Uint8Array | undefined, headers: Record<string, string> = {}) =>
    h.app.request(path, { method, headers: { Authorization: `Bearer ${h.adminKey}`, ...headers }, ...(body !== undefined && { body: body as BodyInit }) });

  const send = (endpoint: Endpoint, body: unknown, headers: Record<string, string> = {}) =>
    h.call(endpoint.method, endpoint.path, body, { headers });

  describe('malformed JSON', () => {
    const cases: [string, string][] = [
      ['truncated', '{"key": "checkout", "na'],
      ['trailing garbage', '{"name": "x"} trailing'],
      ['two documents', '{"name": "x"}{"name": "y"}'],
      ['bare NaN', 'NaN'],
      ['NaN member', '{"name": "x", "version": NaN}'],
      ['single quotes', "{'name': 'x'}"],
      ['trailing comma', '{"name": "x",}'],
      ['comment', '{"name": "x" /* hi */}'],
      ['unterminated string', '"abc'],
      ['lone brace', '}'],
    ];
    for (const endpoint of ENDPOINTS) {
      it.each(cases)(`${endpoint.name}: %s → 400`, async (_label, body) => {
        await refused(() => send(endpoint, body), { status: 400, type: 'malformed-request' });
      });
      it(`${endpoint.name}: empty body → 400`, async () => {
        await refused(() => raw(endpoint.method, endpoint.path, '', { 'Content-Type': 'application/json' }), { status: 400, type: 'malformed-request' });
      });
      it.each([
        ['an invalid byte', [0xff]],
        ['a lone continuation byte', [0x80]],
        ['a truncated sequence', [0xe2, 0x82]],
        ['an overlong "/"', [0xc0, 0xaf]],
        ['a CESU-8 surrogate', [0xed, 0xa0, 0x80]],
      ])(`${endpoint.name}: %s in a string (invalid UTF-8) → 400, never stored as U+FFFD`, async (_label, bytes) => {
        const json = JSON.stringify({ ...endpoint.valid(), name: 'cafe@' });
        const [head, tail] = json.split('@') as [string, string];
        const body = Buffer.concat([Buffer.from(head), Buffer.from(bytes), Buffer.from(tail)]);
        await refused(() => raw(endpoint.method, endpoint.path, body, { 'Content-Type': 'application/json' }), { status: 400, type: 'malformed-request' });
      });
      it.each([
        ['a bare string', '"hello"'],
        ['a bare number', '42'],
        ['an array', '[{"name": "x"}]'],
        ['null', 'null'],
        ['true', 'true'],
      ])(`${endpoint.name}: %s as the body → 422`, async (_label, body) => {
        await refused(() => send(endpoint, body), { status: 422, type: 'validation-failed', fields: [''] });
      });
    }
  });

  describe('Content-Type', () => {
    for (const endpoint of ENDPOINTS) {
      it.each([
        ['text/plain', { 'Content-Type': 'text/plain' }],
        ['text/plain; charset=utf-8', { 'Content-Type': 'text/plain; charset=utf-8' }],
        ['none', {}],
        ['application/x-www-form-urlencoded', { 'Content-Type': 'application/x-www-form-urlencoded' }],
        ['multipart/form-data', { 'Content-Type': 'multipart/form-data; boundary=x' }],
        ['application/jsonx', { 'Content-Type': 'application/jsonx' }],
        ['text/html', { 'Content-Type': 'text/html' }],
      ])(`${endpoint.name}: a valid body sent as %s → 415`, async (_label, headers) => {
        await refused(() => raw(endpoint.method, endpoint.path, JSON.stringify(endpoint.valid()), headers), { status: 415, type: 'unsupported-media-type' });
      });
      it(`${endpoint.name}: a form-encoded body → 415`, async () => {
        await refused(() => raw(endpoint.method, endpoint.path, 'key=x&name=y', { 'Content-Type': 'application/x-www-form-urlencoded' }), {
          status: 415,
          type: 'unsupported-media-type',
        });
      });
    }
  });

  describe('unknown fields', () => {
    for (const endpoint of ENDPOINTS) {
      it(`${endpoint.name}: an unknown field is named`, async () => {
        await refused(() => send(endpoint, { ...endpoint.valid(), isAdmin: true }), { status: 422, type: 'validation-failed', fields: ['isAdmin'] });
      });
      it.each([
        ['__proto__', '"__proto__": {"polluted": true}'],
        ['constructor', '"constructor": {"prototype": {"polluted": true}}'],
        ['prototype', '"prototype": {"polluted": true}'],
      ])(`${endpoint.name}: a "%s" member is refused and pollutes nothing`, async (field, member) => {
        await refused(() => send(endpoint, withRawMember(endpoint.valid(), member)), { status: 422, type: 'validation-failed', fields: [field] });
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
      });
    }
    it('an unknown field inside a variant is named by its path', async () => {
      const body = fixtures.experiment('hostile-new', { variants: variants([0.5, 0.5], (i) => (i === 1 ? { colour: 'red' } : {})) });
      await refused(() => send(byName('POST experiment'), body), { status: 422, fields: ['variants.1.colour'] });
    });
    it('an unknown field inside the namespace is named by its path', async () => {
      const body = fixtures.experiment('hostile-new', { namespace: { id: 'layer', range: [0, 0.5], owner: 'me' } });
      await refused(() => send(byName('POST experiment'), body), { status: 422, fields: ['namespace.owner'] });
    });
    it('an unknown field inside a ratio definition is named by its path', async () => {
      const body = { key: 'aov', name: 'AOV', type: 'ratio', numerator: { eventName: 'purchase', aggregate: 'sum', scale: 2 }, denominator: { eventName: 'purchase', aggregate: 'count' } };
      await refused(() => send(byName('POST metric'), body), { status: 422, fields: ['numerator.scale'] });
    });
  });

  describe('oversized bodies', () => {
    for (const endpoint of ENDPOINTS) {
      it(`${endpoint.name}: a body over ${MAX_BODY} bytes → 413`, async () => {
        const body = { ...endpoint.valid(), name: 'x'.repeat(MAX_BODY) };
        await refused(() => send(endpoint, body), { status: 413, type: 'payload-too-large' });
      });
      it(`${endpoint.name}: a valid body padded with whitespace over ${MAX_BODY} bytes → 413`, async () => {
        await refused(() => send(endpoint, `${JSON.stringify(endpoint.valid())}${' '.repeat(MAX_BODY)}`), { status: 413, type: 'payload-too-large' });
      });
    }
    it('a Content-Length that announces more than the limit → 413 without reading', async () => {
      await refused(
        () => raw('POST', '/api/touchpoints', JSON.stringify(fixtures.touchpoint('hostile-new')), { 'Content-Type': 'application/json', 'Content-Length': String(MAX_BODY + 1) }),
        { status: 413, type: 'payload-too-large' },
      );
    });

    it('a Content-Length that understates the body (in process, no HTTP framing) is not a way past the limit → 413', async () => {
      const body = `${JSON.stringify(fixtures.touchpoint('hostile-new'))}${' '.repeat(MAX_BODY + 1)}`;
      await refused(() => raw('POST', '/api/touchpoints', body, { 'Content-Type': 'application/json', 'Content-Length': '10' }), { status: 413, type: 'payload-too-large' });
    });
    it('a Content-Length that understates a body under the limit (in process) → 400', async () => {
      const body = JSON.stringify(fixtures.touchpoint('hostile-new'));
      await refused(() => raw('POST', '/api/touchpoints', body, { 'Content-Type': 'application/json', 'Content-Length': '10' }), { status: 400, type: 'malformed-request' });
    });
    it('a Content-Length that overstates a small body → 400', async () => {
      await refused(() => raw('POST', '/api/touchpoints', JSON.stringify(fixtures.touchpoint('hostile-new')), { 'Content-Type': 'application/json', 'Content-Length': '5000' }), {
        status: 400,
        type: 'malformed-request',
      });
    });
    it('a body of 90,000 unknown keys gets a bounded problem document that still counts them', async () => {
      const body = `{${Array.from({ length: 90_000 }, (_, i) => `"k${i}":0`).join(',')}}`;
      expect(body.length).toBeLessThan(MAX_BODY);
      const problem = (await refused(() => send(byName('POST touchpoint'), body), { status: 422, fields: ['k0'] })) as { errors: unknown[]; detail: string };
      expect(problem.errors.length).toBeLessThanOrEqual(50);
      expect(problem.detail).toMatch(/and \d{5} more/);
      expect(JSON.stringify(problem).length).toBeLessThan(16 * 1024);
    });

    describe('over a real socket', () => {
      let port = 0;
      let close: () => Promise<void> = async () => {};
      beforeAll(async () => {
        const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
          const listening = serve({ fetch: h.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(listening));
        });
        port = (server.address() as AddressInfo).port;
        close = () => new Promise((resolve) => server.close(() => resolve()));
        return () => close();
      });

      /** Writes raw bytes to the server and returns the first response's status line, headers and body. */
      const rawHttp = (head: string, body: string) =>
        new Promise<{ status: number; contentType: string; body: string }>((resolve, reject) => {
          const socket = netConnect(port, '127.0.0.1');
          let received = '';
          socket.on('data', (chunk: Buffer) => {
            received += chunk.toString('utf8');
            const end = received.indexOf('\r\n\r\n');
            if (end < 0) return;
            const headers = received.slice(0, end);
            const length = Number(/content-length:\s*(\d+)/i.exec(headers)?.[1] ?? NaN);
            const rest = received.slice(end + 4);
            if (Number.isFinite(length) && Buffer.byteLength(rest) >= length) {
              socket.destroy();
              resolve({
                status: Number(headers.split(' ')[1]),
                contentType: /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1] ?? '',
                body: rest.slice(0, length),
              });
            }
          });
          // Node's HTTP parser may answer a framing error itself (a bare 400) and close the connection.
          socket.on('close', () =>
            received.startsWith('HTTP/1.1 ')
              ? resolve({ status: Number(received.split(' ')[1]), contentType: /content-type:\s*([^\r\n]+)/i.exec(received)?.[1] ?? '', body: '' })
              : reject(new Error('connection closed without a response')),
          );
          socket.on('error', (error) => (received ? undefined : reject(error)));
          socket.write(head + body);
        });

      const head = (headers: string) =>
        `POST /api/touchpoints HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${h.adminKey}\r\nContent-Type: application/json\r\n${headers}\r\n`;

      it('a chunked body over the limit → 413', async () => {
        const before = await snapshot();
        const status = await new Promise<{ status: number; contentType: string; body: string }>((resolve, reject) => {
          const req = httpRequest(
            { host: '127.0.0.1', port, method: 'POST', path: '/api/touchpoints', headers: { Authorization: `Bearer ${h.adminKey}`, 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' } },
            (res) => {
              let text = '';
              res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
              res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type']), body: text }));
            },
          );
          req.on('error', reject);
          // A valid body padded with whitespace: only the size limit stands between it and a 201.
          const chunk = ' '.repeat(64 * 1024);
          req.write(JSON.stringify(fixtures.touchpoint('hostile-new')));
          for (let i = 0; i < 20; i++) req.write(chunk);
          req.end();
        });
        expect(status.status).toBe(413);
        expect(status.contentType).toMatch(/^application\/problem\+json/);
        expect(JSON.parse(status.body)).toMatchObject({ type: '/problems/payload-too-large', status: 413 });
        expect(await snapshot()).toEqual(before);
      });

      it('a Content-Length smaller than the body: only the announced bytes are read, and they are refused', async () => {
        const before = await snapshot();
        const body = JSON.stringify({ ...fixtures.touchpoint('hostile-new'), name: 'x'.repeat(MAX_BODY + 10) });
        const res = await rawHttp(head('Content-Length: 40\r\n'), body);
        // Either the app refuses the 40 bytes it read (malformed JSON), or Node's parser refuses the
        // rest as a garbage second request and closes the connection; never a write.
        expect(res.status).toBe(400);
        if (res.body) expect(JSON.parse(res.body)).toMatchObject({ type: '/problems/malformed-request' });
        expect(await snapshot()).toEqual(before);
      });

      it('a Content-Length over the limit with a small body → 413', async () => {
        const before = await snapshot();
        const res = await rawHttp(head(`Content-Length: ${MAX_BODY * 4}\r\n`), JSON.stringify(fixtures.touchpoint('hostile-new')));
        expect(res.status).toBe(413);
        expect(res.contentType).toMatch(/^application\/problem\+json/);
        expect(await snapshot()).toEqual(before);
      });
    });
  });

  describe('wrong types and out-of-range values, field by field', () => {
    const cases: [endpoint: string, field: string, value: unknown, named?: string][] = [
      ['POST touchpoint', 'key', 123],
      ['POST touchpoint', 'key', null],
      ['POST touchpoint', 'key', ['checkout']],
      ['POST touchpoint', 'name', 42],
      ['POST touchpoint', 'name', null],
      ['POST touchpoint', 'name', ''],
      ['POST touchpoint', 'name', { first: 'x' }],
      ['POST touchpoint', 'name', 'x'.repeat(201)],
      ['POST touchpoint', 'kind', 'banner'],
      ['POST touchpoint', 'kind', 1],
      ['POST touchpoint', 'kind', 'CTA'],
      ['POST touchpoint', 'funnelStage', 'middle'],
      ['POST touchpoint', 'funnelStage', null],
      ['POST touchpoint', 'urlPattern', 5],
      ['POST touchpoint', 'urlPattern', 'x'.repeat(501)],
      ['POST touchpoint', 'description', false],
      ['POST touchpoint', 'description', 'x'.repeat(5001)],
      ['PATCH touchpoint', 'name', ''],
      ['PATCH touchpoint', 'kind', 'banner'],
      ['PATCH touchpoint', 'version', 0],
      ['PATCH touchpoint', 'version', -1],
      ['PATCH touchpoint', 'version', 1.5],
      ['PATCH touchpoint', 'version', '1'],
      ['PATCH touchpoint', 'version', null],
      ['PATCH touchpoint', 'version', 2 ** 53 + 2],
      ['POST metric', 'key', 'Purchase'],
      ['POST metric', 'type', 'count'],
      ['POST metric', 'type', null],
      ['POST metric', 'eventName', 5],
      ['POST metric', 'eventName', ''],
      ['POST metric', 'eventName', 'has space'],
      ['POST metric', 'eventName', 'x'.repeat(101)],
      ['POST metric', 'attributionHours', -1],
      ['POST metric', 'attributionHours', 0],
      ['POST metric', 'attributionHours', 1.5],
      ['POST metric', 'attributionHours', '72'],
      ['POST metric', 'attributionHours', 24 * 365 + 1],
      ['POST metric', 'attributionHours', 1e300],
      ['POST metric', 'direction', 'up'],
      ['POST metric', 'steps', ['purchase', 'checkout']],
      ['POST metric', 'description', 7],
      ['PATCH metric', 'steps', ['a', 'b']],
      ['PATCH metric', 'eventName', 'bad name'],
      ['PATCH metric', 'version', 'latest'],
      ['PATCH metric', 'type', 'revenue'],
      ['POST experiment', 'key', 7],
      ['POST experiment', 'name', ''],
      ['POST experiment', 'hypothesis', 5],
      ['POST experiment', 'touchpointKey', 'Bad Key'],
      ['POST experiment', 'touchpointKey', 'no-such-touchpoint'],
      ['POST experiment', 'coverage', -0.1],
      ['POST experiment', 'coverage', 1.01],
      ['POST experiment', 'coverage', '1'],
      ['POST experiment', 'coverage', null],
      ['POST experiment', 'coverage', 1e308],
      ['POST experiment', 'variants', 'control,urgent'],
      ['POST experiment', 'variants', {}],
      ['POST experiment', 'variants', []],
      ['POST experiment', 'variants', null],
      ['POST experiment', 'variants', [1, 2], 'variants.0'],
      ['POST experiment', 'salt', ''],
      ['POST experiment', 'salt', 12],
      ['POST experiment', 'primaryMetric', 'no-such-metric'],
      ['POST experiment', 'primaryMetric', 'Purchase!'],
      ['POST experiment', 'secondaryMetrics', 'purchase'],
      ['POST experiment', 'secondaryMetrics', ['no-such-metric'], 'secondaryMetrics.0'],
      ['POST experiment', 'secondaryMetrics', ['purchase'], 'secondaryMetrics.0'],
      ['POST experiment', 'guardrailMetrics', [null], 'guardrailMetrics.0'],
      ['POST experiment', 'alpha', 0],
      ['POST experiment', 'alpha', 0.6],
      ['POST experiment', 'alpha', '0.05'],
      ['POST experiment', 'correction', 'bonferroni'],
      ['POST experiment', 'namespace', { id: 'layer', range: [0.5, 0.2] }, 'namespace.range'],
      ['POST experiment', 'namespace', { id: 'layer', range: [0, 2] }, 'namespace.range.1'],
      ['POST experiment', 'namespace', { id: 'Layer One', range: [0, 0.5] }, 'namespace.id'],
      ['POST experiment', 'namespace', { id: 'layer', range: [0] }, 'namespace.range'],
      ['POST experiment', 'namespace', 'layer'],
      ['POST experiment', 'sequential', { tuningParameter: 1 }, 'sequential.tuningParameter'],
      ['POST experiment', 'sequential', true],
      ['POST experiment', 'minimumDetectableEffect', 0],
      ['POST experiment', 'minimumDetectableEffect', -0.05],
      ['PATCH experiment', 'name', null],
      ['PATCH experiment', 'coverage', 2],
      ['PATCH experiment', 'newPhase', 'yes'],
      ['PATCH experiment', 'version', '1'],
      ['PATCH experiment', 'key', 'renamed'],
      ['PATCH experiment', 'status', 'running'],
      ['POST key', 'kind', 'root'],
      ['POST key', 'kind', null],
      ['POST key', 'name', ''],
      ['POST key', 'name', 'x'.repeat(101)],
      ['POST key', 'allowedOrigins', 'https://shop.example.com'],
      ['POST key', 'allowedOrigins', ['https://shop.example.com/path'], 'allowedOrigins.0'],
      ['POST key', 'allowedOrigins', ['javascript:alert(1)'], 'allowedOrigins.0'],
      ['POST key', 'allowedOrigins', [42], 'allowedOrigins.0'],
      ['POST key', 'secret', 'tp_admin_chosen-by-the-caller-123456'],
      ['POST key', 'id', 'key_AAAAAAAAAAAAAAAA'],
    ];
    it.each(cases)('%s: %s = %j → 422 naming the field', async (endpointName, field, value, named) => {
      const endpoint = byName(endpointName);
      await refused(() => send(endpoint, { ...endpoint.valid(), [field]: value }), { status: 422, type: 'validation-failed', fields: [named ?? field] });
    });

    it('a missing required field is named', async () => {
      for (const [endpointName, field] of [
        ['POST touchpoint', 'key'],
        ['POST touchpoint', 'funnelStage'],
        ['POST metric', 'type'],
        ['POST experiment', 'touchpointKey'],
        ['POST experiment', 'variants'],
        ['POST key', 'kind'],
      ] as const) {
        const { [field]: _omitted, ...body } = byName(endpointName).valid();
        await refused(() => send(byName(endpointName), body), { status: 422, fields: [field] });
      }
    });

    it('an admin key with allowedOrigins is refused (SDK keys only)', async () => {
      await refused(() => send(byName('POST key'), { kind: 'admin', name: 'x', allowedOrigins: ['https://shop.example.com'] }), {
        status: 422,
        fields: ['allowedOrigins'],
      });
    });
  });

  describe('variant weights and counts', () => {
    const cases: [label: string, variants: unknown, field: string][] = [
      ['a negative weight', variants([-0.5, 1.5]), 'variants.0.weight'],
      ['a weight above 1', variants([1.5, -0.5]), 'variants.0.weight'],
      ['weights summing to 0.9', variants([0.5, 0.4]), 'variants'],
      ['weights summing to 1.2', variants([0.6, 0.6]), 'variants'],
      ['all weights zero', variants([0, 0]), 'variants'],
      ['a zero-weight control', variants([0, 1]), 'variants.0.weight'],
      ['the string "NaN" as a weight', variants([0.5, 0.5]).map((v, i) => (i === 0 ? { ...v, weight: 'NaN' } : v)), 'variants.0.weight'],
      ['a string weight', variants([0.5, 0.5]).map((v, i) => (i === 1 ? { ...v, weight: '0.5' } : v)), 'variants.1.weight'],
      ['a missing weight', variants([0.5, 0.5]).map(({ weight: _w, ...v }, i) => (i === 1 ? v : { ...v, weight: 0.5 })), 'variants.1.weight'],
      ['one variant only', variants([1]), 'variants'],
      ['21 variants', variants(Array.from({ length: 21 }, () => 1 / 21)), 'variants'],
      ['duplicate variant keys', variants([0.5, 0.5]).map((v) => ({ ...v, key: 'same' })), 'variants.1.key'],
      ['an upper-case variant key', variants([0.5, 0.5]).map((v, i) => (i === 0 ? { ...v, key: 'Control' } : v)), 'variants.0.key'],
      ['an empty variant name', variants([0.5, 0.5]).map((v, i) => (i === 1 ? { ...v, name: '' } : v)), 'variants.1.name'],
      ['a variant that is a string', ['control', 'urgent'], 'variants.0'],
    ];
    for (const endpointName of ['POST experiment', 'PATCH experiment']) {
      it.each(cases)(`${endpointName}: %s → 422`, async (_label, list, field) => {
        const endpoint = byName(endpointName);
        await refused(() => send(endpoint, { ...endpoint.valid(), variants: list }), { status: 422, type: 'validation-failed', fields: [field] });
      });
      it(`${endpointName}: a weight of 1e400 (Infinity once parsed) → 422`, async () => {
        const endpoint = byName(endpointName);
        const body = JSON.stringify({ ...endpoint.valid(), variants: variants([0.5, 0.5]) }).replace('"weight":0.5', '"weight":1e400');
        expect(body).toContain('1e400');
        await refused(() => send(endpoint, body), { status: 422, fields: ['variants.0.weight'] });
      });
      it(`${endpointName}: a weight of -1e400 → 422`, async () => {
        const endpoint = byName(endpointName);
        const body = JSON.stringify({ ...endpoint.valid(), variants: variants([0.5, 0.5]) }).replace('"weight":0.5', '"weight":-1e400');
        await refused(() => send(endpoint, body), { status: 422, fields: ['variants.0.weight'] });
      });
    }
    it('weights of a third each sum to 1 within tolerance and 20 variants are accepted (the limits are where they say)', async () => {
      const thirds = await send(byName('POST experiment'), fixtures.experiment('hostile-thirds', { variants: variants([1 / 3, 1 / 3, 1 / 3]) }));
      expect(thirds.status, await thirds.clone().text()).toBe(201);
      const twenty = await send(byName('POST experiment'), fixtures.experiment('hostile-twenty', { variants: variants(Array.from({ length: 20 }, () => 0.05)) }));
      expect(twenty.status, await twenty.clone().text()).toBe(201);
    });
  });

  describe('slugs', () => {
    const bad: [string, string][] = [
      ['upper case', 'Checkout-CTA'],
      ['a space', 'checkout cta'],
      ['a leading hyphen', '-checkout'],
      ['a trailing hyphen', 'checkout-'],
      ['a double hyphen', 'checkout--cta'],
      ['an underscore', 'checkout_cta'],
      ['65 characters', 'a'.repeat(65)],
      ['unicode', 'café'],
      ['a homoglyph', 'сheckout'],
      ['dot-dot-slash', '../etc/passwd'],
      ['a slash', 'a/b'],
      ['percent-encoding', '%2e%2e'],
      ['empty', ''],
      ['a NUL', 'ab\u0000c'],
      ['SQL', "x'; drop table experiments; --"],
    ];
    for (const endpointName of ['POST touchpoint', 'POST metric', 'POST experiment']) {
      it.each(bad)(`${endpointName}: a key with %s → 422`, async (_label, key) => {
        const endpoint = byName(endpointName);
        await refused(() => send(endpoint, { ...endpoint.valid(), key }), { status: 422, type: 'validation-failed', fields: ['key'] });
      });
    }
    it('64 characters is still a slug', async () => {
      const res = await send(byName('POST touchpoint'), fixtures.touchpoint('a'.repeat(64)));
      expect(res.status, await res.clone().text()).toBe(201);
    });
  });

  describe('strings that look like code are data', () => {
    const SQL = "'; drop table experiments; --";
    const SCRIPT = '<script>alert(1)</script>';

    it('SQL-looking names are stored verbatim and harm nothing', async () => {
      const tp = await send(byName('POST touchpoint'), { ...fixtures.touchpoint('sql-tp'), name: SQL, description: `${SQL} " \\ \` $$ $1` });
      expect(tp.status, await tp.clone().text()).toBe(201);
      const exp = await send(byName('POST experiment'), fixtures.experiment('sql-exp', { name: SQL, hypothesis: "1' or '1'='1", variants: variants([0.5, 0.5], () => ({ name: SQL, payload: { label: SQL } })) }));
      expect(exp.status, await exp.clone().text()).toBe(201);
      const got = (await (await h.call('GET', '/api/experiments/sql-exp')).json()) as { name: string; hypothesis: string; variants: { name: string; payload: unknown }[] };
      expect(got.name).toBe(SQL);
      expect(got.hypothesis).toBe("1' or '1'='1");
      expect(got.variants[1]).toMatchObject({ name: SQL, payload: { label: SQL } });
      expect(((await (await h.call('GET', '/api/touchpoints/sql-tp')).json()) as { description: string }).description).toBe(`${SQL} " \\ \` $$ $1`);
      const stored = await db().db.selectFrom('experiments').select('name').where('key', '=', 'sql-exp').executeTakeFirstOrThrow();
      expect(stored.name).toBe(SQL);
      // The tables are all still there, and still work.
      expect((await h.call('GET', '/api/experiments?limit=500')).status).toBe(200);
    });

    it('SQL-looking and wildcard search text is matched literally', async () => {
      const res = await h.call('GET', `/api/experiments?q=${encodeURIComponent(SQL)}`);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { items: { key: string }[] }).items.map((e) => e.key)).toEqual(['sql-exp']);
      const none = await h.call('GET', `/api/touchpoints?q=${encodeURIComponent("' or 1=1 --")}`);
      expect(((await none.json()) as { items: unknown[] }).items).toEqual([]);
    });

    it('script-looking names are stored verbatim and come back as JSON, never HTML', async () => {
      const res = await send(byName('POST touchpoint'), { ...fixtures.touchpoint('script-tp'), name: SCRIPT, urlPattern: 'javascript:alert(1)' });
      expect(res.status, await res.clone().text()).toBe(201);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      const got = await h.call('GET', '/api/touchpoints/script-tp');
      expect(got.headers.get('content-type')).toMatch(/^application\/json/);
      expect(((await got.json()) as { name: string }).name).toBe(SCRIPT);
      const exp = await send(byName('POST experiment'), fixtures.experiment('script-exp', { name: SCRIPT, variants: variants([0.5, 0.5], () => ({ payload: { html: SCRIPT } })) }));
      expect(exp.status, await exp.clone().text()).toBe(201);
      expect(((await exp.json()) as { name: string; variants: { payload: unknown }[] }).variants[0]!.payload).toEqual({ html: SCRIPT });
    });

    it('a problem document echoing hostile text is JSON, never HTML', async () => {
      const res = await send(byName('POST touchpoint'), { ...fixtures.touchpoint('script-tp'), name: SCRIPT });
      expect(res.status).toBe(409);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const missing = await h.call('GET', `/api/nothing-${encodeURIComponent(SCRIPT)}`);
      expect(missing.status).toBe(404);
      expect(missing.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    });
  });

  describe('unicode', () => {
    const EMOJI = '😀'; // one code point, two UTF-16 code units

    it('a name of 200 emoji is at the limit and accepted; one more is refused', async () => {
      for (const [endpointName, key] of [['POST touchpoint', 'emoji-tp'], ['POST metric', 'emoji-metric'], ['POST experiment', 'emoji-exp']] as const) {
        const endpoint = byName(endpointName);
        const ok = await send(endpoint, { ...endpoint.valid(), key, name: EMOJI.repeat(200) });
        expect(ok.status, `${endpointName}: ${await ok.clone().text()}`).toBe(201);
        expect(((await ok.json()) as { name: string }).name).toBe(EMOJI.repeat(200));
        await refused(() => send(endpoint, { ...endpoint.valid(), key: `${key}-2`, name: EMOJI.repeat(201) }), { status: 422, fields: ['name'] });
      }
    });

    it('combining marks, right-to-left text and astral characters are stored verbatim', async () => {
      const name = 'e\u0301 שלום 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 👩🏽‍💻 \u200b';
      const res = await send(byName('POST touchpoint'), { ...fixtures.touchpoint('unicode-tp'), name });
      expect(res.status, await res.clone().text()).toBe(201);
      expect(((await (await h.call('GET', '/api/touchpoints/unicode-tp')).json()) as { name: string }).name).toBe(name);
    });

    const unstorable: [string, string][] = [
      ['a NUL', 'before\u0000after'],
      ['an unpaired high surrogate', 'x\ud800y'],
      ['an unpaired low surrogate', '\udc00'],
      ['a reversed surrogate pair', '\udc00\ud800'],
    ];
    const stringFields: [endpoint: string, field: string][] = [
      ['POST touchpoint', 'name'],
      ['POST touchpoint', 'description'],
      ['POST touchpoint', 'urlPattern'],
      ['PATCH touchpoint', 'name'],
      ['POST metric', 'name'],
      ['POST metric', 'description'],
      ['POST metric', 'eventName'],
      ['PATCH metric', 'name'],
      ['POST experiment', 'name'],
      ['POST experiment', 'hypothesis'],
      ['POST experiment', 'salt'],
      ['PATCH experiment', 'name'],
      ['PATCH experiment', 'hypothesis'],
      ['POST key', 'name'],
    ];
    for (const [label, value] of unstorable) {
      it.each(stringFields)(`%s: %s with ${label} → 422`, async (endpointName, field) => {
        const endpoint = byName(endpointName);
        await refused(() => send(endpoint, { ...endpoint.valid(), [field]: value }), { status: 422, type: 'validation-failed', fields: [field] });
      });
      it(`variant payloads with ${label} in a value, a key or deep inside → 422`, async () => {
        for (const endpointName of ['POST experiment', 'PATCH experiment']) {
          const endpoint = byName(endpointName);
          for (const payload of [{ label: value }, { [value]: 'x' }, { a: [{ b: [value] }] }, value]) {
            const body = { ...endpoint.valid(), variants: variants([0.5, 0.5], (i) => (i === 1 ? { payload } : {})) };
            await refused(() => send(endpoint, body), { status: 422, fields: ['variants.1.payload'] });
          }
          await refused(() => send(endpoint, { ...endpoint.valid(), variants: variants([0.5, 0.5], (i) => (i === 0 ? { name: value } : {})) }), {
            status: 422,
            fields: ['variants.0.name'],
          });
        }
      });
      it(`targeting with ${label} → 422`, async () => {
        const body = fixtures.experiment('hostile-new', { targeting: { all: [{ attribute: 'country', op: 'in', value: ['FR', value] }] } });
        await refused(() => send(byName('POST experiment'), body), { status: 422, fields: ['targeting'] });
      });
      it(`an allowed origin with ${label} → 422`, async () => {
        await refused(() => send(byName('POST key'), { kind: 'sdk', name: 'x', allowedOrigins: [`https://shop${value}.example.com`] }), {
          status: 422,
          fields: ['allowedOrigins.0'],
        });
      });
    }
  });

  describe('nesting and numbers', () => {
    const nested = (depth: number): unknown => {
      let value: unknown = 'leaf';
      for (let i = 0; i < depth; i++) value = { n: value };
      return value;
    };
    it('a payload nested 17 levels deep → 422; 15 levels is fine', async () => {
      await refused(() => send(byName('POST experiment'), fixtures.experiment('hostile-new', { variants: variants([0.5, 0.5], () => ({ payload: nested(17) })) })), {
        status: 422,
        fields: ['variants.0.payload'],
      });
      const ok = await send(byName('POST experiment'), fixtures.experiment('hostile-nested-ok', { variants: variants([0.5, 0.5], () => ({ payload: nested(15) })) }));
      expect(ok.status, await ok.clone().text()).toBe(201);
    });
    for (const endpoint of ENDPOINTS) {
      it(`${endpoint.name}: 200,000 levels of nesting (parser stack) → 4xx, never 500`, async () => {
        const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
        await refused(() => send(endpoint, withRawMember(endpoint.valid(), `"extra": ${deep}`)), { status: 422 });
        await refused(() => send(endpoint, deep), { status: 422 });
      });
    }
    it('200,000 levels of nesting in a payload or targeting → 422', async () => {
      const deep = `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`;
      const body = fixtures.experiment('hostile-new');
      await refused(() => send(byName('POST experiment'), withRawMember(body, `"targeting": ${deep}`)), { status: 422, fields: ['targeting'] });
      const variantBody = JSON.stringify(body).replace('"payload":{"label":"Buy now"}', `"payload":${deep}`);
      expect(variantBody).not.toContain('"label":"Buy now"}');
      await refused(() => send(byName('POST experiment'), variantBody), { status: 422, fields: ['variants.0.payload'] });
    });
    it('a payload over 16 KiB → 422', async () => {
      await refused(() => send(byName('POST experiment'), fixtures.experiment('hostile-new', { variants: variants([0.5, 0.5], () => ({ payload: { html: 'x'.repeat(17 * 1024) } })) })), {
        status: 422,
        fields: ['variants.0.payload'],
      });
    });
    it.each([
      ['a payload number of 1e400', '"payload":{"label":"Buy now"}', '"payload":{"price":1e400}', 'variants.0.payload'],
      ['a coverage of 1e400', '"name":"Checkout CTA copy"', '"name":"Checkout CTA copy","coverage":1e400', 'coverage'],
      ['a coverage of -1e400', '"name":"Checkout CTA copy"', '"name":"Checkout CTA copy","coverage":-1e400', 'coverage'],
      ['an alpha of 1e-400 (zero once parsed)', '"name":"Checkout CTA copy"', '"name":"Checkout CTA copy","alpha":1e-400', 'alpha'],
      ['a 400-digit tuning parameter', '"name":"Checkout CTA copy"', `"name":"Checkout CTA copy","sequential":{"tuningParameter":${'9'.repeat(400)}}`, 'sequential.tuningParameter'],
    ])('%s → 422', async (_label, find, replace, field) => {
      const body = JSON.stringify(fixtures.experiment('hostile-new')).replace(find, replace);
      expect(body).toContain(replace);
      await refused(() => send(byName('POST experiment'), body), { status: 422, fields: [field] });
    });
    it.each([
      ['PATCH touchpoint', '1e400'],
      ['PATCH metric', '-1e400'],
      ['PATCH experiment', '9007199254740993'],
      ['PATCH experiment', '1e21'],
    ])('%s: a version of %s → 422', async (endpointName, version) => {
      const endpoint = byName(endpointName);
      await refused(() => send(endpoint, `{"name":"x","version":${version}}`), { status: 422, fields: ['version'] });
    });
    it('a huge but valid integer version is a conflict, not an error', async () => {
      await refused(() => send(byName('PATCH touchpoint'), { name: 'x', version: 2_000_000_000 }), { status: 409, type: 'version-conflict' });
      await refused(() => send(byName('PATCH touchpoint'), { name: 'x', version: 2 ** 40 }), { status: 409, type: 'version-conflict' });
    });
    it('a metric attribution window of 1e400 hours → 422', async () => {
      const body = JSON.stringify(fixtures.metric('hostile-new')).replace('"eventName":"purchase"', '"eventName":"purchase","attributionHours":1e400');
      await refused(() => send(byName('POST metric'), body), { status: 422, fields: ['attributionHours'] });
    });
  });

  describe('query parameters', () => {
    const lists = ['/api/touchpoints', '/api/metrics', '/api/experiments', `/api/experiments/${EXISTING_EXPERIMENT}/audit`];
    const bad: [string, string][] = [
      ['limit=-1', 'limit'],
      ['limit=0', 'limit'],
      ['limit=1.5', 'limit'],
      ['limit=abc', 'limit'],
      ['limit=', 'limit'],
      ['limit=501', 'limit'],
      ['limit=1e400', 'limit'],
      ['limit=9007199254740993', 'limit'],
      ['limit=NaN', 'limit'],
      ['limit=Infinity', 'limit'],
      ['offset=-1', 'offset'],
      ['offset=0.5', 'offset'],
      ['offset=abc', 'offset'],
      ['offset=99999999999', 'offset'],
      ['sort=name', 'sort'],
      ['__proto__=x', '__proto__'],
      ['constructor=x', 'constructor'],
    ];
    for (const path of lists) {
      it.each(bad)(`GET ${path}?%s → 422`, async (query, field) => {
        await refused(() => h.call('GET', `${path}?${query}`), { status: 422, type: 'validation-failed', fields: [field] });
      });
    }
    it.each([
      ['/api/touchpoints?kind=banner', 'kind'],
      ['/api/touchpoints?funnelStage=middle', 'funnelStage'],
      ['/api/touchpoints?q=%00', 'q'],
      [`/api/touchpoints?q=${'x'.repeat(201)}`, 'q'],
      ['/api/metrics?type=count', 'type'],
      ['/api/metrics?q=a%00b', 'q'],
      ['/api/experiments?status=done', 'status'],
      ['/api/experiments?archived=yes', 'archived'],
      ['/api/experiments?touchpointKey=Bad%20Key', 'touchpointKey'],
      ['/api/keys?includeRevoked=1', 'includeRevoked'],
      ['/api/keys?limit=5', 'limit'],
    ])('GET %s → 422', async (path, field) => {
      await refused(() => h.call('GET', path), { status: 422, fields: [field] });
    });
    it.each([
      ['/api/touchpoints?q=a&q=%00', 'q'],
      ['/api/touchpoints?limit=1&limit=abc', 'limit'],
      ['/api/touchpoints?limit=abc&limit=1', 'limit'],
      ['/api/metrics?type=ratio&type=funnel', 'type'],
      ['/api/experiments?status=draft&status=running', 'status'],
      ['/api/keys?includeRevoked=true&includeRevoked=false', 'includeRevoked'],
    ])('GET %s: a repeated parameter → 422 (no silent pick of one value)', async (path, field) => {
      await refused(() => h.call('GET', path), { status: 422, fields: [field] });
    });
    it('a UTF-8 byte-order mark before the body is tolerated', async () => {
      const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(fixtures.touchpoint('bom-tp')))]);
      const res = await raw('POST', '/api/touchpoints', body, { 'Content-Type': 'application/json' });
      expect(res.status, await res.clone().text()).toBe(201);
      expect(((await res.json()) as { key: string }).key).toBe('bom-tp');
    });
    it('an invalid percent-encoding or UTF-8 in a query is a 4xx, never a 500', async () => {
      for (const query of ['q=%E0%A4%A', 'q=%ED%A0%80', 'q=%FF', 'q=%']) {
        const res = await h.call('GET', `/api/touchpoints?${query}`);
        expect(res.status, query).toBeLessThan(500);
        if (res.status >= 400) await expectProblem(res, { status: res.status });
      }
    });
  });

  describe('lifecycle action bodies', () => {
    const base = `/api/experiments/${EXISTING_EXPERIMENT}`;
    it.each([
      ['start', '{"version": 1,', 400, undefined],
      ['start', 'null', 422, ''],
      ['start', '{"force": true}', 422, 'force'],
      ['start', '{"version": "1"}', 422, 'version'],
      ['start', '{"__proto__": {"status": "running"}}', 422, '__proto__'],
      ['pause', '[]', 422, ''],
      ['archive', '{"version": 1e400}', 422, 'version'],
      ['stop', '{"winner": "Not A Variant!"}', 422, 'winner'],
      ['stop', '{"winner": 1}', 422, 'winner'],
      ['stop', '{"note": "\\u0000"}', 422, 'note'],
      ['stop', `{"note": "${'x'.repeat(5001)}"}`, 422, 'note'],
      ['stop', '{"decision": "ship"}', 422, 'decision'],
      ['stop', '{"ship": true}', 422, 'winner'],
      ['stop', '{"winner": "urgent", "ship": "true"}', 422, 'ship'],
      ['rollout/end', '{"winner": "urgent"}', 422, 'winner'],
      ['rollout/end', '{"version": -1}', 422, 'version'],
    ])('POST …/%s with %s → %i', async (action, body, status, field) => {
      await refused(() => h.call('POST', `${base}/${action}`, body), { status, ...(field !== undefined && { fields: [field] }) });
      expect(((await (await h.call('GET', base)).json()) as { status: string }).status).toBe('draft');
    });
    it('a non-empty lifecycle body that is not JSON → 415', async () => {
      await refused(() => raw('POST', `${base}/start`, '{}', { 'Content-Type': 'text/plain' }), { status: 415, type: 'unsupported-media-type' });
    });
  });

  describe('If-Match', () => {
    const patchable = ['PATCH touchpoint', 'PATCH metric', 'PATCH experiment'];
    for (const endpointName of patchable) {
      it.each([['*'], ['1'], ['"abc"'], ['"1", "2"'], ['"-1"'], ['"1.5"'], ['"99999999999"'], [''], ['"1'], ['W/'], ['"\u00e9"']])(
        `${endpointName}: If-Match %j → 412`,
        async (value) => {
          const { version: _v, ...body } = byName(endpointName).valid();
          await refused(() => send(byName(endpointName), body, { 'If-Match': value }), { status: 412, type: 'precondition-failed' });
        },
      );
      it(`${endpointName}: If-Match and a body version that disagree → 412`, async () => {
        await refused(() => send(byName(endpointName), { name: 'x', version: 1 }, { 'If-Match': '"2"' }), { status: 412, type: 'precondition-failed' });
      });
      it(`${endpointName}: a stale If-Match → 412, a stale body version → 409`, async () => {
        await refused(() => send(byName(endpointName), { name: 'x' }, { 'If-Match': '"7"' }), { status: 412, type: 'precondition-failed' });
        await refused(() => send(byName(endpointName), { name: 'x', version: 7 }), { status: 409, type: 'version-conflict' });
      });
      it(`${endpointName}: no version at all → 428`, async () => {
        await refused(() => send(byName(endpointName), { name: 'x' }), { status: 428, type: 'precondition-required' });
      });
    }
  });

  describe('path keys that are not slugs', () => {
    const keys = ['Checkout-CTA', '..%2F..%2Fetc%2Fpasswd', '%00', 'a%20b', "x'%3B%20drop%20table%20experiments%3B--", '%3Cscript%3E', 'caf%C3%A9', 'a'.repeat(65), '-x', '%ED%A0%80'];
    for (const base of ['/api/touchpoints', '/api/metrics', '/api/experiments']) {
      it.each(keys)(`GET/PATCH ${base}/%s → 404`, async (key) => {
        await refused(() => h.call('GET', `${base}/${key}`), { status: 404, type: 'not-found' });
        await refused(() => h.call('PATCH', `${base}/${key}`, { name: 'x', version: 1 }), { status: 404, type: 'not-found' });
      });
    }
    it.each(keys)('DELETE /api/touchpoints/%s → 404', async (key) => {
      await refused(() => h.call('DELETE', `/api/touchpoints/${key}`), { status: 404, type: 'not-found' });
    });
    it.each(keys)('POST /api/experiments/%s/start → 404', async (key) => {
      await refused(() => h.call('POST', `/api/experiments/${key}/start`), { status: 404, type: 'not-found' });
    });
    it.each(['key_', 'key_AAAAAAAAAAAAAAAA', "key_'%20or%201=1", '..%2Fkeys', 'KEY_AAAAAAAAAAAAAAAA'])('DELETE /api/keys/%s → 404', async (id) => {
      await refused(() => h.call('DELETE', `/api/keys/${id}`), { status: 404, type: 'not-found' });
    });
  });

  // Properties over arbitrary JSON, for every endpoint that takes a body or writes: hostile-properties.test.ts.
});
