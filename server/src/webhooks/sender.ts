import http from 'node:http';
import https from 'node:https';
import { checkLiteralHost, guardedLookup } from './address-guard.js';

export interface SendOutcome {
  /** The receiver's HTTP status; null when no answer came (refused, timed out, network error). */
  statusCode: number | null;
  error: string | null;
}

/**
 * One POST of `body` to `url`, with the SSRF guard on the address actually connected to, and a
 * deadline on the whole exchange. Redirects are not followed (a 3xx is a failed attempt): following
 * them would let a receiver send us anywhere. The answer's body is read and thrown away.
 */
export function postOnce(url: string, body: string, headers: Record<string, string>, options: { timeoutMs: number; allowPrivate: boolean }): Promise<SendOutcome> {
  return new Promise((resolve) => {
    let target: URL;
    try {
      target = new URL(url);
      checkLiteralHost(target, options.allowPrivate);
    } catch (error) {
      resolve({ statusCode: null, error: String(error instanceof Error ? error.message : error) });
      return;
    }
    const client = target.protocol === 'https:' ? https : http;
    let settled = false;
    const finish = (outcome: SendOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const request = client.request(
      target,
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)), 'User-Agent': 'Touchpoint-Webhooks/1', ...headers },
        lookup: guardedLookup(options.allowPrivate),
        agent: false,
      },
      (response) => {
        response.resume();
        response.on('end', () => finish({ statusCode: response.statusCode ?? null, error: null }));
        response.on('error', (error) => finish({ statusCode: response.statusCode ?? null, error: error.message }));
      },
    );
    const timer = setTimeout(() => {
      request.destroy(new Error(`no answer within ${options.timeoutMs} ms`));
    }, options.timeoutMs);
    request.on('error', (error) => finish({ statusCode: null, error: error.message }));
    request.end(body);
  });
}
