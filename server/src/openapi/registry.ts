import type { z } from 'zod';
import type { Role } from '../access/roles.js';

/** Response headers the document can name (described once, in responses.ts). */
export type ResponseHeader = 'ETag' | 'Location' | 'Cache-Control' | 'Content-Disposition' | 'Retry-After' | 'Set-Cookie';

/**
 * One documented operation; `path` uses OpenAPI's `{param}` syntax. Every answer it can give is
 * documented: the success (`status`, `response`, `headers`), a 304 when it is `conditional` on
 * If-None-Match, and its problem documents — those every operation of its kind can answer
 * (responses.ts, problemStatuses) plus `problems`.
 */
export interface Operation {
  method: 'get' | 'post' | 'patch' | 'delete' | 'put';
  path: string;
  summary: string;
  tag: string;
  /** `none`: anyone; `sdk`: an SDK (or admin) key; absent: a person or admin key with `role`. */
  auth?: 'admin' | 'sdk' | 'none';
  /**
   * The role the route needs (design.md §9), the same its route declares with access() (a test
   * compares them: access/declared.test.ts); every operation that is neither `none` nor `sdk` names one.
   */
  role?: Role;
  query?: z.ZodType;
  body?: z.ZodType;
  /** The body may be left out (lifecycle actions without options). */
  optionalBody?: boolean;
  /** Media types the same JSON body may also be sent as (navigator.sendBeacon's text/plain). */
  alsoAccepts?: readonly string[];
  /** The success body (application/json); absent: no body (204), or a body not described (`/openapi.json`). */
  response?: z.ZodType;
  /** The success status; 200 when absent. */
  status?: number;
  /** Other media types of the success response, with a description (results as `text/csv`). */
  alternates?: Record<string, string>;
  /** Headers of the success response. */
  headers?: readonly ResponseHeader[];
  /**
   * `if-none-match`: a GET that answers 304 without a body when the ETag still matches.
   * `if-match`: a write that takes the version it was made against from If-Match (optimistic concurrency).
   */
  conditional?: 'if-none-match' | 'if-match' | 'if-match-optional';
  /** Problem statuses beyond those every operation of its kind can answer. */
  problems?: readonly number[];
  /** Answers that are neither the success nor a problem document (`/ready`'s 503 body). */
  otherResponses?: Record<number, { description: string; schema: z.ZodType; headers?: readonly ResponseHeader[] }>;
}
