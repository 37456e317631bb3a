import type { Context, MiddlewareHandler, Next } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import type { AppEnv } from './context.js';
import { setResponseHeaders } from './response-headers.js';

type Policy = Record<string, string[]>;

/**
 * The dashboard is a built Vite app: module scripts and one stylesheet from this origin, a data: SVG
 * favicon, fetches to this origin's API. Nothing inline, nothing from elsewhere (React sets style
 * properties through the CSSOM, which style-src does not govern). The end-to-end test runs the real
 * dashboard in Chromium under this policy and fails on any violation.
 */
export const DASHBOARD_CSP: Policy = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'"],
  'connect-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
};

/** JSON, CSV and problem documents are data, never a page: should one be rendered, it may load nothing. */
export const API_CSP: Policy = {
  'default-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
  'frame-ancestors': ["'none'"],
};

export const cspHeader = (policy: Policy): string =>
  Object.entries(policy)
    .map(([directive, sources]) => `${directive} ${sources.join(' ')}`)
    .join('; ');

const DASHBOARD_CSP_HEADER = cspHeader(DASHBOARD_CSP);
const API_CSP_HEADER = cspHeader(API_CSP);

/**
 * Security headers on every response (design.md §11), one middleware for the whole app: Hono's
 * secureHeaders for the fixed ones (`X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY`,
 * `Referrer-Policy: no-referrer`, …), then the CSP by what the response is: an HTML page (the
 * dashboard) gets DASHBOARD_CSP, anything else API_CSP; both forbid framing. `/sdk/*` is called
 * from shops' pages, so its resources may be read cross-origin (CORS still decides who may).
 * No Strict-Transport-Security: the server speaks plain HTTP and TLS ends in front of it; the
 * proxy that terminates TLS is the place to set it for the right host names.
 */
export function securityHeaders(): MiddlewareHandler<AppEnv> {
  const fixed = secureHeaders({
    xFrameOptions: 'DENY',
    referrerPolicy: 'no-referrer',
    strictTransportSecurity: false,
    crossOriginResourcePolicy: false,
    crossOriginOpenerPolicy: 'same-origin',
  });
  // The SDK paths' headers, read once from secureHeaders itself (it only sets headers on the response),
  // with their CSP and CORP: lower-case names, as a web Headers object gives them.
  let sdkHeaders: Record<Lowercase<string>, string> | undefined;
  const sdkHeadersReady = (async () => {
    const res = { headers: new Headers() };
    await fixed({ res } as never, async () => {});
    res.headers.set('Content-Security-Policy', API_CSP_HEADER);
    res.headers.set('Cross-Origin-Resource-Policy', 'cross-origin');
    return (sdkHeaders = Object.fromEntries(res.headers) as Record<Lowercase<string>, string>);
  })();
  const others = async (c: Context<AppEnv>, next: Next) => {
    await fixed(c, next);
    const html = /^text\/html\b/i.test(c.res.headers.get('content-type') ?? '');
    c.res.headers.set('Content-Security-Policy', html ? DASHBOARD_CSP_HEADER : API_CSP_HEADER);
    c.res.headers.set('Cross-Origin-Resource-Policy', 'same-origin');
  };
  return function securityHeadersMiddleware(c, next) {
    if (!c.req.path.startsWith('/sdk/')) return others(c, next);
    // The SDK hot path (issue 16): never HTML, so every header is known before the handler runs and
    // goes with the request's other headers (response-headers.ts): /sdk/config answers without the
    // Headers API. Headers changed after next() cost about a third of its throughput. Not async once
    // the set is ready (from the first request on): no promise of its own per request.
    if (sdkHeaders) {
      setResponseHeaders(c, sdkHeaders);
      return next();
    }
    return sdkHeadersReady.then((headers) => {
      setResponseHeaders(c, headers);
      return next();
    });
  };
}
