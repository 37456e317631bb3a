import { ProblemError, fieldError } from '../http/problem.js';

/**
 * Foreign keys a request can trip over when the row it refers to is deleted concurrently (after
 * validation checked it existed): the request field to name. Only touchpoints can be deleted.
 */
const FOREIGN_KEY_FIELDS: Record<string, string> = {
  experiments_touchpoint_key_fkey: 'touchpointKey',
};

function foreignKeyProblem(error: { constraint?: unknown; detail?: unknown }): ProblemError {
  // "… is still referenced from table …": a delete raced with a new reference; the thing is in use.
  if (typeof error.detail === 'string' && /still referenced/.test(error.detail)) {
    return new ProblemError('in-use', 'The resource is referenced elsewhere and cannot be removed.');
  }
  const field = typeof error.constraint === 'string' ? FOREIGN_KEY_FIELDS[error.constraint] : undefined;
  return new ProblemError('validation-failed', 'A referenced resource does not exist.', field ? { errors: [fieldError([field], 'does not exist (any more)')] } : {});
}

const unavailable = () => new ProblemError('service-unavailable', 'The database is unreachable; retry later.', { headers: { 'Retry-After': '5' } });

/**
 * Safety net: turns database errors that escaped validation into problem documents.
 * Returns null for errors that are genuinely internal (they become a logged 500).
 */
export function problemFromDatabaseError(error: unknown): ProblemError | null {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  // The pg pool throws some connection failures without a code.
  if (typeof code !== 'string') return isConnectionFailure(error) ? unavailable() : null;
  if (code === '23505') return new ProblemError('already-exists', 'A resource with this key already exists.');
  if (code === '23503') return foreignKeyProblem(error as { constraint?: unknown; detail?: unknown });
  if (code === '40001' || code === '40P01') {
    return new ProblemError('version-conflict', 'A concurrent change conflicted with this one; retry.');
  }
  // Class 22 (data exception) and 23514 (check violation): the input was storable by our validation
  // but not by the database; say so instead of failing with a 500.
  if (code.startsWith('22') || code === '23514' || code === '23502') {
    return new ProblemError('validation-failed', 'A value is out of range or cannot be stored.');
  }
  // 57014: the statement outlived its deadline (DB_STATEMENT_TIMEOUT_MS, db/deadlines.ts); the database
  // is too slow to answer now: a retry later may succeed.
  if (code === '57014' || isUnavailable(code)) return unavailable();
  return null;
}

// Connection-level failures: node socket errors, PostgreSQL classes 08 (connection), 57P0x (shutdown),
// 53 (insufficient resources).
function isUnavailable(code: string): boolean {
  return (
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH'].includes(code) ||
    code.startsWith('08') ||
    code.startsWith('57P') ||
    code.startsWith('53')
  );
}

/**
 * Errors the pg pool throws without a code when it cannot get a connection, or when a query outlived
 * the client-side deadline (`Query read timeout`, db/deadlines.ts).
 */
function isConnectionFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return /timeout exceeded when trying to connect|Connection terminated|Query read timeout|connect ECONNREFUSED|Client has encountered a connection error|Cannot use a pool after calling end/i.test(
    error.message,
  );
}

/** Whether an error means the database cannot be reached at all (the app answers 503). */
export function isDatabaseUnavailable(error: unknown): boolean {
  return problemFromDatabaseError(error)?.status === 503;
}
