import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { buildScriptTag } from '@touchpoint/client-sdk/script-tag-build';
import { Hono } from 'hono';
import { access } from '../access/declare.js';
import { z } from 'zod';
import type { AppEnv } from '../http/context.js';
import { requestHeader } from '../http/request-header.js';
import type { Operation } from '../openapi/registry.js';

/**
 * GET /sdk/touchpoint.js (design.md §10): the script tag, public (the SDK key is in the tag, not in
 * the request). Built once per process from the client-sdk sources the server runs from, so a clean
 * clone serves it with no build step and it can never be older than the SDK next to it.
 *
 * Caching: the plain URL is what themes paste, so a fix reaches every shop within CACHE_PLAIN_SECONDS;
 * `?v=<version>` (the version is in the ETag and in `Content-Location`) never changes content and is
 * cached for a year. Any other `v` gets the current script with the short lifetime, never a 404
 * that would break a shop that pinned an old version.
 */
export const CACHE_PLAIN_SECONDS = 300;
const CACHE_VERSIONED_SECONDS = 31_536_000;

export interface ScriptTagBundle {
  code: string;
  gzipped: Buffer;
  /** First 16 hex digits of the SHA-256 of the code. */
  version: string;
}

let bundle: Promise<ScriptTagBundle> | undefined;

/** The script, built on first use; a failed build is retried on the next request. */
export function scriptTagBundle(): Promise<ScriptTagBundle> {
  bundle ??= buildScriptTag().then(
    (code) => ({ code, gzipped: gzipSync(code, { level: 9 }), version: createHash('sha256').update(code).digest('hex').slice(0, 16) }),
    (error: unknown) => {
      bundle = undefined;
      throw error;
    },
  );
  return bundle;
}

const ifNoneMatch = (header: string | undefined, etag: string) =>
  !!header && (header.trim() === '*' || header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag));

export function scriptTagRoutes() {
  return new Hono<AppEnv>().get('/touchpoint.js', access('public'), async (c) => {
    const { code, gzipped, version } = await scriptTagBundle();
    const etag = `"${version}"`;
    const pinned = c.req.query('v') === version;
    c.header('ETag', etag);
    c.header('Cache-Control', pinned ? `public, max-age=${CACHE_VERSIONED_SECONDS}, immutable` : `public, max-age=${CACHE_PLAIN_SECONDS}`);
    c.header('Content-Location', `/sdk/touchpoint.js?v=${version}`);
    c.header('Vary', 'Accept-Encoding');
    // Loaded by <script src> from any shop; `crossorigin` (subresource integrity) needs CORS too.
    c.header('Access-Control-Allow-Origin', '*');
    c.header('Cross-Origin-Resource-Policy', 'cross-origin');
    if (ifNoneMatch(requestHeader(c, 'if-none-match'), etag)) return c.body(null, 304);
    c.header('Content-Type', 'text/javascript; charset=utf-8');
    if (/\bgzip\b/.test(requestHeader(c, 'accept-encoding') ?? '')) {
      c.header('Content-Encoding', 'gzip');
      return c.body(new Uint8Array(gzipped));
    }
    return c.body(code);
  });
}

export const scriptTagOperation: Operation = {
  method: 'get',
  path: '/sdk/touchpoint.js',
  summary:
    'The script tag: one self-contained minified script for `<script src=".../sdk/touchpoint.js" data-sdk-key="tp_sdk_...">` ' +
    '(settings `data-sdk-key`, `data-api`, `data-consent="pending"`; exposes `window.touchpoint`). Public. ' +
    `The plain URL is cached ${CACHE_PLAIN_SECONDS} s; \`?v=<version>\` (the version is the ETag, also given in Content-Location) a year, immutable. Gzipped when accepted`,
  tag: 'sdk',
  auth: 'none',
  // Not strict: themes add cache-busting parameters of their own (WordPress: ?ver=), which are ignored.
  query: z.object({ v: z.string().max(64).optional().describe('The script version (its ETag without quotes): a URL that may be cached for a year') }),
  alternates: { 'text/javascript': 'The script (an IIFE; no import, no other file)' },
  headers: ['ETag', 'Cache-Control'],
  conditional: 'if-none-match',
};
