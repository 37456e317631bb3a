/**
 * Every answer a test sees is checked against the OpenAPI document (GET /openapi.json): its status
 * must be documented for the operation, its media type listed for that status, and its body valid
 * against that media type's schema (JSON Schema 2020-12, checked by Ajv). A request that matches no
 * operation must get the app's 404 problem document. The harness installs this on every app it builds
 * (withResponseValidation), so a response that drifts from the document fails the test that saw it.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { buildOpenApiDocument } from '../openapi/document.js';

// ajv-formats is CommonJS: its default export arrives wrapped when imported from ESM.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (ajv: Ajv2020) => void;

type Json = Record<string, unknown>;

interface DocumentedOperation {
  method: string;
  template: string;
  pattern: RegExp;
  /** Characters outside `{params}`: the more, the more specific (`/a/summary` before `/a/{key}`). */
  literalLength: number;
  responses: Record<string, Json>;
}

interface Checker {
  operations: DocumentedOperation[];
  resolve(node: Json): Json;
  validator(key: string, schema: Json): ValidateFunction;
}

let checker: Checker | undefined;

function buildChecker(): Checker {
  const document = buildOpenApiDocument() as { paths: Record<string, Record<string, { responses: Record<string, Json> }>> } & Json;
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  const compiled = new Map<string, ValidateFunction>();
  const operations: DocumentedOperation[] = [];
  for (const [template, methods] of Object.entries(document.paths)) {
    const source = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{\w+\}/g, '[^/]+');
    for (const [method, operation] of Object.entries(methods)) {
      operations.push({ method: method.toUpperCase(), template, pattern: new RegExp(`^${source}$`), literalLength: template.replace(/\{\w+\}/g, '').length, responses: operation.responses });
    }
  }
  operations.sort((a, b) => b.literalLength - a.literalLength);
  const resolve = (node: Json): Json => {
    const ref = node.$ref;
    if (typeof ref !== 'string') return node;
    let target: unknown = document;
    for (const part of ref.replace(/^#\//, '').split('/')) target = (target as Json | undefined)?.[part.replaceAll('~1', '/').replaceAll('~0', '~')];
    if (!target || typeof target !== 'object') throw new Error(`OpenAPI document: unresolvable $ref ${ref}`);
    return resolve(target as Json);
  };
  return {
    operations,
    resolve,
    validator: (key, schema) => {
      let validate = compiled.get(key);
      if (!validate) compiled.set(key, (validate = ajv.compile(schema)));
      return validate;
    },
  };
}

/**
 * What a request no operation documents may get: the app's 404 problem document (app.notFound) or,
 * under a prefix whose operations all check a key (/api, /sdk), the 401 or 403 of the key check, which
 * runs before routing. Taken from the document itself: the statuses every operation under the prefix shares.
 */
function noRouteResponse(operations: readonly DocumentedOperation[], path: string, status: number): Json | undefined {
  if (status === 404) return { $ref: '#/components/responses/Problem404' };
  const prefix = path.split('/')[1];
  // The operations that check who is calling (documenting a 401): the public ones under /api (signing in) say nothing about other paths.
  const siblings = operations.filter((op) => op.template.split('/')[1] === prefix && '401' in op.responses && '403' in op.responses);
  const shared = siblings.length > 0 && siblings.every((op) => String(status) in op.responses);
  return (status === 401 || status === 403) && shared ? siblings[0]!.responses[String(status)] : undefined;
}

const mediaTypeOf = (response: Response) => (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
const isJson = (mediaType: string) => /^application\/(?:[\w.+-]+\+)?json$/.test(mediaType);

/** The ways `response` departs from the document for `request` (empty when it conforms). */
export async function responseViolations(request: Request, response: Response): Promise<string[]> {
  checker ??= buildChecker();
  const method = request.method.toUpperCase();
  const path = new URL(request.url).pathname;
  // CORS preflights are the browser's protocol, answered by the CORS middleware on /sdk/*, not API operations.
  if (method === 'OPTIONS' && request.headers.has('access-control-request-method')) return [];
  const lookup = method === 'HEAD' ? 'GET' : method;
  const operation = checker.operations.find((op) => op.method === lookup && op.pattern.test(path));
  const where = operation ? `${operation.method} ${operation.template}` : `${method} ${path} (no documented operation)`;
  const documented = operation ? operation.responses[String(response.status)] : noRouteResponse(checker.operations, path, response.status);
  if (!documented) {
    const known = operation ? Object.keys(operation.responses).join(', ') : '404, or the key check\'s 401/403 under /api and /sdk';
    return [`${where}: status ${response.status} is not documented (documented: ${known}); body: ${(await response.clone().text()).slice(0, 300)}`];
  }
  const spec = checker.resolve(documented);
  const content = spec.content as Record<string, { schema?: Json }> | undefined;
  const body = await response.clone().text();
  if (!content) return body === '' ? [] : [`${where} ${response.status}: documented without a body, but one was sent: ${body.slice(0, 300)}`];
  if (method === 'HEAD') return [];
  const mediaType = mediaTypeOf(response);
  const media = content[mediaType];
  if (!media) return [`${where} ${response.status}: Content-Type "${mediaType}" is not documented (documented: ${Object.keys(content).join(', ')})`];
  if (!media.schema || !isJson(mediaType)) return [];
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return [`${where} ${response.status}: the ${mediaType} body is not JSON: ${body.slice(0, 300)}`];
  }
  const validate = checker.validator(`${where} ${response.status} ${mediaType}`, media.schema);
  if (validate(value)) return [];
  return (validate.errors ?? []).slice(0, 10).map((e) => `${where} ${response.status}: body${e.instancePath} ${e.message}${e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : ''}`);
}

/** For apps that serve the dashboard: its pages and assets (every path outside the API) are not operations. */
export const outsideApi = (request: Request): boolean =>
  !/^\/(?:api|sdk|openapi\.json|problems|health|ready|metrics)(?:\/|$)/.test(new URL(request.url).pathname);

/** Thrown into the test that made the request: the response does not match the document. */
export class UndocumentedResponseError extends Error {
  override name = 'UndocumentedResponseError';
}

export interface ValidationOptions {
  /** Called with each departure; by default it is thrown into the request (UndocumentedResponseError). */
  onViolation?: (message: string) => void;
  /** Requests outside the API (the dashboard's pages and assets) that are not checked. */
  skip?: (request: Request) => boolean;
}

/**
 * Wraps `app.fetch` (which `app.request` calls too) so every response is checked before the test
 * sees it. A server started on the wrapped fetch (the end-to-end tests) is checked the same way; there
 * `onViolation` collects the departures for the test to assert on, as a browser would not report them.
 */
export function withResponseValidation<A extends { fetch: (request: Request, ...rest: never[]) => Response | Promise<Response> }>(app: A, options: ValidationOptions = {}): A {
  const fetch = app.fetch.bind(app);
  const report = options.onViolation ?? ((message: string) => {
    throw new UndocumentedResponseError(message);
  });
  app.fetch = (async (request: Request, ...rest: never[]) => {
    const response = await fetch(request, ...rest);
    if (options.skip?.(request)) return response;
    const violations = await responseViolations(request, response);
    if (violations.length) report(`The response does not match the OpenAPI document:\n- ${violations.join('\n- ')}`);
    return response;
  }) as A['fetch'];
  return app;
}
