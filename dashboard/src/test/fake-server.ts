/**
 * A fake of the HTTP API for component tests: routes "METHOD /path" to handlers, records every
 * call (method, path, query, headers, body). Unknown routes answer a 404 problem document, as the
 * server does. The real API client runs on top of it, so its parsing is tested too.
 */
export interface Call {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Headers;
  body: unknown;
}

export type Reply = { status?: number; body?: unknown; headers?: Record<string, string> } | Promise<never>;
export type Handler = (call: Call) => Reply | Promise<Reply>;

export const json = (body: unknown, status = 200): Reply => ({ status, body });

export function problem(status: number, type: string, detail: string, errors: { field: string; detail: string }[] = []): Reply {
  return {
    status,
    headers: { 'Content-Type': 'application/problem+json' },
    body: { type: `/problems/${type}`, title: type.replace(/-/g, ' '), status, detail, instance: '/', requestId: 'req-1', errors: errors.map((e) => ({ ...e, pointer: `/${e.field.replaceAll('.', '/')}` })) },
  };
}

/** A promise that never settles: the page stays in its loading state. */
export const pending = (): Reply => new Promise<never>(() => {});

export function fakeServer(routes: Record<string, Handler | Reply>) {
  const calls: Call[] = [];
  const fetch = async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(String(input), 'http://dashboard.test');
    const method = (init.method ?? 'GET').toUpperCase();
    const call: Call = {
      method,
      path: url.pathname,
      query: url.searchParams,
      headers: new Headers(init.headers),
      body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
    };
    calls.push(call);
    const route = routes[`${method} ${url.pathname}`];
    const reply = await (typeof route === 'function' ? route(call) : (route ?? problem(404, 'not-found', `No route ${method} ${url.pathname}.`)));
    const status = reply.status ?? 200;
    return new Response(status === 204 || reply.body === undefined ? null : JSON.stringify(reply.body), {
      status,
      headers: { 'Content-Type': 'application/json', ...reply.headers },
    });
  };
  return {
    fetch: fetch as typeof globalThis.fetch,
    calls,
    /** Calls to one route, e.g. `server.callsTo('POST /api/experiments')`. */
    callsTo: (route: string) => calls.filter((c) => `${c.method} ${c.path}` === route),
  };
}
