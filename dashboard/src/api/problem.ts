import { humanizeFields } from '../components/field-labels.js';

/** One invalid field named by a problem document: `field` is a dotted path such as `variants.1.weight`. */
export interface FieldProblem {
  field: string;
  detail: string;
}

/**
 * An RFC 9457 problem document from the API (or a network failure, status 0), thrown by the API
 * client. `errors` lists the fields the server named, so forms can show each next to its input.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    /** Problem type slug, e.g. `validation-failed`, `in-use`, `network-error`. */
    readonly type: string,
    readonly title: string,
    readonly detail: string,
    readonly errors: FieldProblem[] = [],
    readonly requestId?: string,
    /** A 429's Retry-After, in seconds: how long to wait before trying again. */
    readonly retryAfterSeconds?: number,
  ) {
    super(detail || title);
  }

  /** The errors naming `field` or anything inside it (`variants` matches `variants.1.weight`). */
  errorsFor(field: string): FieldProblem[] {
    return this.errors.filter((e) => e.field === field || e.field.startsWith(`${field}.`));
  }
}

const typeSlug = (type: unknown): string => (typeof type === 'string' ? type.replace(/^.*\/problems\//, '') : 'unknown');

/** Builds an ApiError from a failed response, whether or not its body is a problem document. */
export async function problemFrom(response: Response): Promise<ApiError> {
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = await response.json();
    if (parsed && typeof parsed === 'object') body = parsed as Record<string, unknown>;
  } catch {
    // not JSON: fall back to the status line
  }
  const errors = Array.isArray(body.errors)
    ? body.errors.flatMap((e: unknown) => {
        const item = e as { field?: unknown; detail?: unknown };
        return typeof item?.detail === 'string' ? [{ field: typeof item.field === 'string' ? item.field : '', detail: humanizeFields(item.detail) }] : [];
      })
    : [];
  const title = typeof body.title === 'string' ? body.title : response.statusText || `HTTP ${response.status}`;
  // Shown to people: the API's field names ("minimumDetectableEffect: …") read as their labels.
  const detail = typeof body.detail === 'string' ? humanizeFields(body.detail) : title;
  const requestId = typeof body.requestId === 'string' ? body.requestId : undefined;
  // The server sends Retry-After as seconds (RFC 9110 also allows a date; that is left unread).
  const retryAfter = /^\d+$/.test(response.headers.get('Retry-After') ?? '') ? Number(response.headers.get('Retry-After')) : undefined;
  return new ApiError(response.status, typeSlug(body.type), title, detail, errors, requestId, retryAfter);
}

export function networkError(cause: unknown): ApiError {
  const message = cause instanceof Error ? cause.message : String(cause);
  return new ApiError(0, 'network-error', 'Network error', `The server could not be reached (${message}).`);
}

/** A readable message for any thrown value. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.detail;
  if (error instanceof Error) return error.message;
  return String(error);
}
