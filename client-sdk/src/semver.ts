// Semantic-version precedence (semver.org §11) for targeting on app or OS versions.
// Lenient on input: "v" prefix allowed, missing minor/patch read as 0, build metadata ignored.
const SEMVER = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

export type Semver = [number, number, number, string[]];

export function parseSemver(input: unknown): Semver | null {
  if (typeof input !== 'string') return null;
  const m = SEMVER.exec(input.trim());
  if (!m) return null;
  return [+m[1]!, +(m[2] ?? 0), +(m[3] ?? 0), m[4] ? m[4].split('.') : []];
}

const NUMERIC = /^\d+$/;

function compareIdentifiers(a: string, b: string): number {
  const an = NUMERIC.test(a);
  const bn = NUMERIC.test(b);
  // Numeric identifiers sort before alphanumeric ones and compare by value.
  if (an && bn) return +a - +b;
  if (an !== bn) return an ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Negative, zero or positive as `a` precedes, equals or follows `b`. */
export function compareSemver(a: Semver, b: Semver): number {
  for (let i = 0; i < 3; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d) return d;
  }
  const pa = a[3];
  const pb = b[3];
  // A release outranks any of its pre-releases (1.0.0 > 1.0.0-rc.1).
  if (!pa.length || !pb.length) return pb.length - pa.length;
  for (let i = 0; i < pa.length && i < pb.length; i++) {
    const d = compareIdentifiers(pa[i]!, pb[i]!);
    if (d) return d;
  }
  return pa.length - pb.length;
}
