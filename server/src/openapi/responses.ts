/**
 * The `responses` (and header parameters) of each operation: its success, a 304 where it is
 * conditional, and one problem document per status it can answer. A status absent from an operation is
 * a status it never answers: the test harness fails any test that sees one (test/openapi-validator.ts).
 */
import { z } from 'zod';
import { PROBLEM_TYPES } from '../http/problem.js';
import type { Operation, ResponseHeader } from './registry.js';

/** A zod schema as the JSON Schema 2020-12 that OpenAPI 3.1 embeds (without `$schema`: the document's dialect applies). */
export function toSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
  return json;
}

const HEADERS: Record<ResponseHeader | 'WWW-Authenticate', { description: string; schema: Record<string, unknown> }> = {
  'ETag': { description: 'The representation\'s version: `"<version>"` for catalog resources (send it back as If-Match), a content hash for /sdk/config (send it back as If-None-Match)', schema: { type: 'string' } },
  'Location': { description: 'The created resource', schema: { type: 'string' } },
  'Cache-Control': { description: 'How long browsers and CDNs may reuse the answer', schema: { type: 'string' } },
  'Content-Disposition': { description: 'The file name of a download', schema: { type: 'string' } },
  'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'string', pattern: '^[0-9]+$' } },
  'Set-Cookie': { description: 'The session cookie `tp_session` (HttpOnly, SameSite=Lax, Path=/, Secure over https or with COOKIE_SECURE=1), set on sign-in and cleared on sign-out', schema: { type: 'string' } },
  'WWW-Authenticate': { description: 'The Bearer challenge (RFC 6750)', schema: { type: 'string' } },
};

/** Reusable header objects for `components.headers`. */
export const headerComponents = HEADERS;

const headerRefs = (names: readonly (ResponseHeader | 'WWW-Authenticate')[]) =>
  Object.fromEntries(names.map((name) => [name, { $ref: `#/components/headers/${name}` }]));

/**
 * The problem statuses an operation can answer: any can fail (500); a person's session or a key is
 * checked against the database and their role against the route's (401, 403, 503) and rate limited (429); a path parameter names something that may not exist (404); a query or a
 * body is validated (422; a body may also be unreadable, too large or not JSON: 400, 413, 415); an
 * edit made against a stale version is refused (409 from the body's `version`, 412 from If-Match,
 * 428 when neither is sent). `op.problems` adds what a route does beyond that.
 */
export function problemStatuses(op: Operation): number[] {
  const statuses = new Set<number>([500]);
  const add = (...more: number[]) => more.forEach((s) => statuses.add(s));
  if (op.auth !== 'none') add(401, 403, 503);
  // Key-checked requests are rate limited (failed authentications per address, SDK writes per key)
  // wherever the vocabulary has a 429 type.
  if (op.auth !== 'none' && Object.values(PROBLEM_TYPES).some((info) => (info.status as number) === 429)) add(429);
  if (/\{\w+\}/.test(op.path)) add(404);
  if (op.query) add(422);
  if (op.body) add(400, 413, 415, 422);
  if (op.conditional === 'if-match') add(409, 412, 428);
  if (op.conditional === 'if-match-optional') add(409, 412);
  for (const status of op.problems ?? []) add(status);
  return [...statuses].sort((a, b) => a - b);
}

const problemTypesWith = (status: number) =>
  Object.entries(PROBLEM_TYPES)
    .filter(([, info]) => info.status === status)
    .map(([type]) => type);

/** `components.responses.Problem<status>`: the problem document, its `type` limited to the types with that status. */
export function problemResponseComponents(): Record<string, unknown> {
  const statuses: number[] = [...new Set(Object.values(PROBLEM_TYPES).map((info) => info.status as number))].sort((a, b) => a - b);
  return Object.fromEntries(
    statuses.map((status) => {
      const types = problemTypesWith(status);
      const headers = status === 503 || status === 429 ? ['Retry-After' as const] : status === 401 ? ['WWW-Authenticate' as const] : [];
      return [
        `Problem${status}`,
        {
          description: `RFC 9457 problem document: ${types.map((t) => `\`/problems/${t}\` (${PROBLEM_TYPES[t as keyof typeof PROBLEM_TYPES].description})`).join('; ')}`,
          ...(headers.length && { headers: headerRefs(headers) }),
          content: {
            'application/problem+json': {
              schema: {
                type: 'object',
                properties: {
                  type: { type: 'string', enum: types.map((t) => `/problems/${t}`) },
                  title: { type: 'string' },
                  status: { type: 'integer', const: status },
                  detail: { type: 'string' },
                  instance: { type: 'string' },
                  requestId: { type: 'string' },
                  errors: {
                    type: 'array',
                    items: {
                      type: 'object',
                      properties: { field: { type: 'string' }, pointer: { type: 'string' }, detail: { type: 'string' } },
                      required: ['field', 'pointer', 'detail'],
                    },
                  },
                },
                // Extension members (such as `currentVersion` on a version conflict) may be added.
                required: ['type', 'title', 'status', 'detail', 'instance'],
              },
            },
          },
        },
      ];
    }),
  );
}

/** Header parameters of a conditional operation. */
export function conditionalParameters(op: Operation): Record<string, unknown>[] {
  if (op.conditional === 'if-none-match') {
    return [{ name: 'If-None-Match', in: 'header', required: false, schema: { type: 'string' }, description: 'ETags from an earlier answer (or `*`); a match answers 304 without a body' }];
  }
  if (op.conditional === 'if-match' || op.conditional === 'if-match-optional') {
    const required = op.conditional === 'if-match' ? ' This or the body\'s `version` is required (428 otherwise).' : ' Optional.';
    return [{ name: 'If-Match', in: 'header', required: false, schema: { type: 'string', pattern: '^\\s*(W/)?"[0-9]{1,9}"\\s*$' }, description: `The ETag (\`"<version>"\`) of the version this change was made against; a stale one answers 412.${required}` }];
  }
  return [];
}

export function responsesOf(op: Operation): Record<string, unknown> {
  const status = op.status ?? 200;
  const content: Record<string, unknown> = {
    ...(op.response && { 'application/json': { schema: toSchema(op.response) } }),
    ...Object.fromEntries(Object.entries(op.alternates ?? {}).map(([type, description]) => [type, { schema: { type: 'string', description } }])),
  };
  const responses: Record<string, unknown> = {
    [status]: {
      description: status === 204 ? 'Done; no body' : status >= 300 ? 'Redirect: see Location' : 'Success',
      ...(op.headers?.length && { headers: headerRefs(op.headers) }),
      ...(Object.keys(content).length && { content }),
    },
  };
  if (op.conditional === 'if-none-match') {
    responses['304'] = { description: 'Not modified: an If-None-Match ETag is current; no body', headers: headerRefs(op.headers ?? ['ETag']) };
  }
  for (const [code, other] of Object.entries(op.otherResponses ?? {})) {
    responses[code] = {
      description: other.description,
      ...(other.headers?.length && { headers: headerRefs(other.headers) }),
      content: { 'application/json': { schema: toSchema(other.schema) } },
    };
  }
  for (const code of problemStatuses(op)) {
    if (!(String(code) in responses)) responses[code] = { $ref: `#/components/responses/Problem${code}` };
  }
  return responses;
}
