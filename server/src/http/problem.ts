import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * The one vocabulary of problem types (RFC 9457). `type` is the relative URI `/problems/<slug>`;
 * GET /problems/<slug> describes each one, and the README lists them.
 */
export const PROBLEM_TYPES = {
  'malformed-request': { status: 400, title: 'Malformed request', description: 'The body is not valid JSON, or the request cannot be read.' },
  'unauthorized': { status: 401, title: 'Unauthorized', description: 'Not signed in (no session, or an expired or revoked one), no API key, or an unknown or revoked one: sign in, or send `Authorization: Bearer <key>`; for POST /api/auth/login, a wrong email or password.' },
  'forbidden': { status: 403, title: 'Forbidden', description: 'The role of this person or key does not allow this (viewer reads, editor edits, admin administers), an SDK key outside /sdk/*, or a signed-in write without its X-CSRF-Token; nothing was written.' },
  'not-found': { status: 404, title: 'Not found', description: 'No such resource or route.' },
  'already-exists': { status: 409, title: 'Already exists', description: 'A resource with this key already exists.' },
  'invalid-transition': { status: 409, title: 'Invalid lifecycle transition', description: 'The experiment cannot move to that status from its current one.' },
  'experiment-locked': { status: 409, title: 'Experiment locked', description: 'Structural fields cannot change while the experiment runs (except raising coverage, or weights in a new phase).' },
  'namespace-conflict': { status: 409, title: 'Namespace conflict', description: 'The namespace range overlaps the range of a running or paused experiment in the same namespace; `conflicts` names them and `freeRanges` lists what is left.' },
  'version-conflict': { status: 409, title: 'Version conflict', description: 'The resource changed since you read it; reload and apply your change again.' },
  'invalid-link': { status: 410, title: 'Invalid link', description: 'The invitation or setup link is unknown, already used or expired; ask an admin for a new one.' },
  'in-use': { status: 409, title: 'In use', description: 'The resource is referenced elsewhere and cannot be removed.' },
  'precondition-failed': { status: 412, title: 'Precondition failed', description: 'If-Match does not match the current version.' },
  'payload-too-large': { status: 413, title: 'Payload too large', description: 'The request body exceeds the size limit.' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type', description: 'Send the body as application/json.' },
  'validation-failed': { status: 422, title: 'Validation failed', description: 'One or more fields are invalid; `errors` names each field.' },
  'rate-limited': { status: 429, title: 'Too many requests', description: 'Too many failed authentications from this address, or too many requests with this SDK key; wait for Retry-After seconds.' },
  'precondition-required': { status: 428, title: 'Precondition required', description: 'Send If-Match or a `version` field, so concurrent edits are not lost.' },
  'service-unavailable': { status: 503, title: 'Service unavailable', description: 'The database is unreachable; retry later (see Retry-After).' },
  'internal-error': { status: 500, title: 'Internal error', description: 'Something failed on our side; the request id is in the logs.' },
} as const satisfies Record<string, { status: number; title: string; description: string }>;

export type ProblemType = keyof typeof PROBLEM_TYPES;

export interface FieldError {
  /** Dotted path of the offending field, e.g. `variants.1.weight` (empty for the whole body). */
  field: string;
  /** The same location as an RFC 6901 JSON Pointer. */
  pointer: string;
  detail: string;
}

export interface ProblemExtras {
  errors?: FieldError[];
  headers?: Record<string, string>;
  [extension: string]: unknown;
}

/** The one error type of the API: thrown anywhere, rendered by the app's error handler. */
export class ProblemError extends Error {
  readonly status: number;
  constructor(
    readonly type: ProblemType,
    readonly detail: string,
    readonly extras: ProblemExtras = {},
  ) {
    super(detail);
    this.status = PROBLEM_TYPES[type].status;
  }
}

export function fieldError(path: readonly PropertyKey[], detail: string): FieldError {
  const parts = path.map((p) => String(p));
  return {
    field: parts.join('.'),
    pointer: parts.length ? `/${parts.map((p) => p.replaceAll('~', '~0').replaceAll('/', '~1')).join('/')}` : '',
    detail,
  };
}

/** Shorthand for a 422 naming one field. */
export function invalidField(path: readonly PropertyKey[], detail: string): ProblemError {
  const error = fieldError(path, detail);
  return new ProblemError('validation-failed', `${error.field || 'body'}: ${detail}`, { errors: [error] });
}

export function problemResponse(c: Context, problem: ProblemError): Response {
  const { headers, ...extensions } = problem.extras;
  const info = PROBLEM_TYPES[problem.type];
  const body = {
    type: `/problems/${problem.type}`,
    title: info.title,
    status: problem.status,
    detail: problem.detail,
    instance: c.req.path,
    requestId: c.get('requestId'),
    ...extensions,
  };
  for (const [name, value] of Object.entries(headers ?? {})) c.header(name, value);
  return c.body(JSON.stringify(body), problem.status as ContentfulStatusCode, {
    'Content-Type': 'application/problem+json',
  });
}
