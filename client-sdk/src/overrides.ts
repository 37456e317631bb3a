// QA overrides from a URL: `?tp_force=checkout-cta:urgent,pdp-gallery:1` (variant key or index).

export function parseUrlOverrides(url: string | undefined, param: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!url) return out;
  let raw: string | null = null;
  try {
    raw = new URL(url).searchParams.get(param);
  } catch {
    return out;
  }
  for (const pair of raw ? raw.split(',') : []) {
    const colon = pair.lastIndexOf(':');
    if (colon > 0) out[pair.slice(0, colon)] = pair.slice(colon + 1);
  }
  return out;
}
