/**
 * A touchpoint's `urlPattern` (design.md §3) as the script tag reads it: `*` matches any run of
 * characters, everything else is literal; the query string and the fragment are ignored.
 * - A pattern starting with `/` is matched against the path: `/products/*`, `/checkout`.
 * - Otherwise against host + path, with or without a scheme: `shop.example/cart`, `https://*.example/p/*`.
 * A trailing `/` is optional on both sides (`/cart` matches `/cart/`). No pattern = every page.
 */
export function matchesUrlPattern(pattern: string | null | undefined, href: string): boolean {
  if (!pattern || !pattern.trim()) return true;
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return false;
  }
  const trimmed = pattern.trim().replace(/[?#].*$/, '');
  const subject = trimmed.startsWith('/')
    ? url.pathname
    : /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)
      ? `${url.protocol}//${url.host}${url.pathname}`
      : `${url.host}${url.pathname}`;
  const strip = (s: string) => (s.length > 1 ? s.replace(/\/+$/, '') : s);
  const source = strip(trimmed).split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${source}/?$`, 'i').test(strip(subject) || '/');
}
