import { BlockList, isIP } from 'node:net';
import { lookup } from 'node:dns/promises';
import type { LookupAddress, LookupOptions } from 'node:dns';
import dns from 'node:dns';

/**
 * Server-side request forgery guard: a webhook may not point at this machine or its private network
 * (metadata services at 169.254.169.254, databases on 10.x…) unless WEBHOOK_ALLOW_PRIVATE=1. Checked at
 * creation and again at delivery, on the addresses the name resolves to at connection time (a name
 * that resolved to a public address at creation may resolve to a private one later).
 */
const blocked = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) blocked.addSubnet(network, prefix, 'ipv4');
// BlockList checks an IPv4-mapped address (::ffff:a.b.c.d, a classic way around an IPv4-only list)
// against the IPv4 rules above (pure.test.ts covers it), so those need no rule of their own.
for (const [network, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]] as const) {
  blocked.addSubnet(network, prefix, 'ipv6');
}

/** Loopback, private, link-local, carrier-grade NAT, multicast, reserved or unspecified. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return blocked.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export class RefusedAddressError extends Error {}

/** The host of a URL as an IP literal, brackets removed, or null for a name. */
function literalHost(url: URL): string | null {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return isIP(host) ? host : null;
}

/**
 * Why a webhook URL is refused at creation, or null: http(s) only, and (unless private addresses are
 * allowed) its host must not be, or resolve to, a private address.
 */
export async function urlRefusal(raw: string, allowPrivate: boolean): Promise<string | null> {
  const url = new URL(raw);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an http or https URL';
  if (url.username || url.password) return 'must not carry credentials; authenticate deliveries with the signature';
  if (allowPrivate) return null;
  const literal = literalHost(url);
  const addresses = literal ? [literal] : await lookup(url.hostname, { all: true }).then((found) => found.map((a) => a.address), () => null);
  if (!addresses) return `host "${url.hostname}" does not resolve`;
  const refused = addresses.find(isPrivateAddress);
  return refused ? `points at a private, loopback or link-local address (${refused}); set WEBHOOK_ALLOW_PRIVATE=1 to allow it` : null;
}

/** Throws RefusedAddressError when the URL's literal host is private (names are checked by `guardedLookup`). */
export function checkLiteralHost(url: URL, allowPrivate: boolean): void {
  const literal = literalHost(url);
  if (!allowPrivate && literal && isPrivateAddress(literal)) throw new RefusedAddressError(`refused private address ${literal}`);
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for node:http that resolves the name and refuses private answers, so the check and the
 * connection use the same addresses (no window for DNS rebinding between them).
 */
export function guardedLookup(allowPrivate: boolean) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const refused = allowPrivate ? undefined : addresses.find((a) => isPrivateAddress(a.address));
      if (refused) return callback(new RefusedAddressError(`refused: ${hostname} resolves to private address ${refused.address}`), []);
      if (options.all) return callback(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}
