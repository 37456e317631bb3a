import type { Context } from 'hono';
import type { AppEnv } from './context.js';
import { ProblemError } from './problem.js';
import type { Actor } from '../audit/repository.js';

/** The version a client says it edited, from `If-Match` (preferred) or the body's `version`. */
export interface ExpectedVersion {
  version: number;
  source: 'if-match' | 'body';
}

const ETAG = /^\s*(?:W\/)?"(\d{1,9})"\s*$/;

export function etagFor(version: number): string {
  return `"${version}"`;
}

/**
 * Optimistic concurrency: every edit must say which version it was made against, so two people
 * editing one experiment cannot silently overwrite each other. Missing → 428.
 */
export function expectedVersion(c: Context<AppEnv>, bodyVersion: number | undefined, { required = true } = {}): ExpectedVersion | null {
  const header = c.req.header('if-match');
  if (header !== undefined) {
    const match = ETAG.exec(header);
    if (!match?.[1]) throw new ProblemError('precondition-failed', `If-Match must be an ETag such as "3", got ${header}.`);
    const version = Number(match[1]);
    if (bodyVersion !== undefined && bodyVersion !== version) {
      throw new ProblemError('precondition-failed', `If-Match (${version}) and body version (${bodyVersion}) disagree.`);
    }
    return { version, source: 'if-match' };
  }
  if (bodyVersion !== undefined) return { version: bodyVersion, source: 'body' };
  if (!required) return null;
  throw new ProblemError('precondition-required', 'Send If-Match: "<version>" or a "version" field with the version you edited.');
}

/** The problem for a stale version: 412 when it came from If-Match, 409 when from the body. */
export function staleVersion(expected: ExpectedVersion, current: number): ProblemError {
  const detail = `You edited version ${expected.version}, but the current version is ${current}; reload and apply your change again.`;
  return expected.source === 'if-match'
    ? new ProblemError('precondition-failed', detail, { currentVersion: current })
    : new ProblemError('version-conflict', detail, { currentVersion: current });
}

/** Who the audit names for a change made by this request (design.md §9): the person or key, by name. */
export function actorOf(c: Context<AppEnv>): Actor {
  const principal = c.get('principal');
  const who = principal ? { type: principal.type, id: principal.id, name: principal.name } : null;
  return { keyId: c.get('apiKey')?.id ?? null, requestId: c.get('requestId') ?? null, who };
}
