import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { expect, it } from 'vitest';
import { describeEachEngine } from '../test/engines.js';
import { createHarness } from '../test/harness.js';
import { buildOpenApiDocument } from './document.js';

/** `/api/experiments/:key/results` and `/api/experiments/{key}/results` both become `/api/experiments/{}/results`. */
const shape = (path: string) => path.replace(/:\w+/g, '{}').replace(/\{\w+\}/g, '{}');

type Paths = Record<string, Record<string, { responses: Record<string, unknown> }>>;

describeEachEngine('OpenAPI covers every route', (db) => {
  it('documents an operation for every route the app registers, and no operation the app lacks', async () => {
    const { app } = await createHarness(db().db);
    const paths = buildOpenApiDocument().paths as Paths;
    const documented = new Set(Object.entries(paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${shape(path)}`)));
    // Middleware (`use`) registers as method ALL; every handler has a concrete method.
    const routes = new Set(app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${shape(r.path)}`));
    expect(routes.size).toBeGreaterThan(30);
    expect([...routes].filter((r) => !documented.has(r)), 'routes without an operation').toEqual([]);
    expect([...documented].filter((d) => !routes.has(d)), 'operations without a route').toEqual([]);
  });

  it('gives every operation a success, a 500 and only problem documents for its 4xx and 5xx, and every $ref resolves', () => {
    const document = buildOpenApiDocument();
    const paths = document.paths as Paths;
    const text = JSON.stringify(document);
    for (const ref of new Set([...text.matchAll(/"\$ref":"#\/([^"]+)"/g)].map((m) => m[1]!))) {
      const target = ref.split('/').reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part.replaceAll('~1', '/')], document);
      expect(target, ref).toBeTypeOf('object');
    }
    for (const [path, methods] of Object.entries(paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        const statuses = Object.keys(operation.responses);
        // A success: 2xx, or the redirect of a browser flow (SSO).
        expect(statuses.some((s) => /^[23]\d\d$/.test(s)), `${method} ${path}`).toBe(true);
        expect(statuses, `${method} ${path}`).toContain('500');
        // Exact statuses only: a range such as 4XX would let an undocumented status through.
        expect(statuses.every((s) => /^\d{3}$/.test(s)), `${method} ${path}`).toBe(true);
        for (const status of statuses.filter((s) => Number(s) >= 400 && !(path === '/ready' && s === '503'))) {
          expect(operation.responses[status], `${method} ${path} ${status}`).toEqual({ $ref: `#/components/responses/Problem${status}` });
        }
      }
    }
  });
});

it('is a valid OpenAPI 3.1 document by the specification\'s own JSON Schema', async () => {
  const validator = new Validator();
  const result = await validator.validate(buildOpenApiDocument() as never);
  expect(result.errors ?? [], JSON.stringify(result.errors)?.slice(0, 2000)).toEqual([]);
  expect(result.valid).toBe(true);
  expect(validator.version).toBe('3.1');
});

it('leaves no test app unchecked: every test file that builds an app with createApp validates its answers', () => {
  // The harness does it for createHarness; a test that builds its own app must wrap it too.
  const root = path.resolve(import.meta.dirname, '../../..');
  const testFiles = ['server/src', 'client-sdk/e2e', 'dashboard/e2e'].flatMap((dir) =>
    readdirSync(path.join(root, dir), { recursive: true, encoding: 'utf8' })
      .filter((file) => /\.test\.tsx?$/.test(file))
      .map((file) => path.join(dir, file)),
  );
  const builders = testFiles.filter((file) => /\bcreateApp\(/.test(readFileSync(path.join(root, file), 'utf8')));
  expect(builders.length).toBeGreaterThan(3);
  expect(builders.filter((file) => !readFileSync(path.join(root, file), 'utf8').includes('withResponseValidation('))).toEqual([]);
});
