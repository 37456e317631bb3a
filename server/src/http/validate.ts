import type { Context } from 'hono';
import type { z } from 'zod';
import { readBody } from './body.js';
import type { AppEnv } from './context.js';
import { type FieldError, ProblemError, fieldError } from './problem.js';
import { requestHeader } from './request-header.js';

/** Turns zod issues into field errors; unknown keys are reported on the unknown field itself. */
export function zodFieldErrors(error: z.ZodError): FieldError[] {
  const errors: FieldError[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) errors.push(fieldError([...issue.path, key], 'unknown field'));
    } else {
      errors.push(fieldError(issue.path, issue.message));
    }
  }
  return errors;
}

/**
 * At most this many field errors in one problem: plenty to fix a form, and a body of a hundred
 * thousand unknown keys does not become a response several times its size. The detail keeps the count.
 */
export const MAX_FIELD_ERRORS = 50;

export function validationProblem(errors: FieldError[]): ProblemError {
  const first = errors[0];
  const summary = first ? `${first.field || 'body'}: ${first.detail}` : 'invalid input';
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
  return new ProblemError('validation-failed', summary + more, { errors: errors.slice(0, MAX_FIELD_ERRORS) });
}

/** Validates any value with a schema, throwing a 422 problem that names each offending field. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw validationProblem(zodFieldErrors(result.error));
  return result.data;
}

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\b/i;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * JSON bodies are UTF-8 (RFC 8259). Decoding strictly refuses invalid bytes: the lenient decoder of
 * `c.req.text()` turns them into U+FFFD and the damaged text would be stored as if it had been sent.
 */
function decodeUtf8(bytes: Uint8Array): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    throw new ProblemError('malformed-request', 'The body is not valid UTF-8.');
  }
}

/**
 * Reads the body as JSON (at most the app's body limit: http/body.ts) and validates it.
 * `optional`: an empty body counts as `{}` (lifecycle actions without options).
 */
export async function readJson<S extends z.ZodType>(
  c: Context<AppEnv>,
  schema: S,
  { optional = false, acceptTextPlain = false }: { optional?: boolean; acceptTextPlain?: boolean } = {},
): Promise<z.output<S>> {
  const bytes = await readBody(c);
  // The body-size limit trusts Content-Length when there is one; a body longer than announced
  // must not slip past it (Node's parser frames by Content-Length, other adapters may not).
  const declared = requestHeader(c, 'content-length');
  if (declared !== undefined && requestHeader(c, 'transfer-encoding') === undefined && Number(declared) !== bytes.byteLength) {
    throw new ProblemError('malformed-request', `Content-Length says ${Number(declared)} bytes but the body has ${bytes.byteLength}.`);
  }
  const text = decodeUtf8(bytes);
  if (text.trim() === '') {
    if (optional) return parseWith(schema, {});
    throw new ProblemError('malformed-request', 'The request body is empty; send a JSON object.');
  }
  const contentType = requestHeader(c, 'content-type') ?? '';
  const textPlain = acceptTextPlain && /^text\/plain\b/i.test(contentType);
  if (!JSON_TYPE.test(contentType) && !textPlain) {
    throw new ProblemError('unsupported-media-type', `Content-Type must be application/json, got "${contentType || 'none'}".`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ProblemError('malformed-request', `The body is not valid JSON: ${(error as Error).message}`);
  }
  return parseWith(schema, value);
}

/**
 * Validates the query string. Every parameter takes a single value: a repeated one is refused rather
 * than silently reduced to one of its values (a proxy that checked the other one would be fooled).
 */
export function readQuery<S extends z.ZodType>(c: Context, schema: S): z.output<S> {
  const repeated = Object.entries(c.req.queries()).filter(([, values]) => values.length > 1);
  if (repeated.length) throw validationProblem(repeated.map(([name]) => fieldError([name], 'is given more than once')));
  return parseWith(schema, c.req.query());
}

const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/**
 * A slug path parameter. A value that could never be a key is simply not found (404): nothing with
 * that key can exist, and echoing hostile text back in a validation message helps nobody.
 */
export function slugParam(c: Context, what: string, name = 'key'): string {
  const value = c.req.param(name) ?? '';
  if (value.length > 64 || !SLUG.test(value)) throw new ProblemError('not-found', `No ${what} with that key.`);
  return value;
}
