/**
 * Where a redirect variant sends a visitor: the variant's URL resolved against the page, carrying the
 * page's query parameters (campaign tags, click ids) unless the target sets them itself, and its
 * fragment. Null when the target is the page itself (same origin and path): redirecting there would loop.
 */
export function redirectTarget(currentHref: string, redirect: string): string | null {
  let from: URL;
  let to: URL;
  try {
    from = new URL(currentHref);
    to = new URL(redirect, from);
  } catch {
    return null;
  }
  if (to.protocol !== 'http:' && to.protocol !== 'https:') return null;
  const own = new Set(to.searchParams.keys());
  from.searchParams.forEach((value, key) => {
    if (!own.has(key)) to.searchParams.append(key, value);
  });
  if (!to.hash) to.hash = from.hash;
  const trim = (p: string) => p.replace(/\/+$/, '') || '/';
  if (to.origin === from.origin && trim(to.pathname) === trim(from.pathname)) return null;
  return to.href;
}
