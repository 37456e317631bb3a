// Semantic-version precedence (semver.org §11) for targeting on app or OS versions.
// Lenient on input: "v" prefix allowed, missing minor/patch read as 0, build metadata ignored.
const SEMVER = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([\w.-]+))?(?:\+[\w.-]+)?$/;
const NUMERIC = /^\d+$/;

export type Semver = [number, number, number, string[]];

export function parseSemver(input: unknown): Semver | null {
  const m = typeof input === 'string' && SEMVER.exec(input.trim());
  return m ? [+m[1]!, +(m[2] ?? 0), +(m[3] ?? 0), m[4] ? m[4].split('.') : []] : null;
}

/** Negative, zero or positive as `a` precedes, equals or follows `b`. */
export function compareSemver(a: Semver, b: Semver): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  const pa = a[3];
  const pb = b[3];
  // A release outranks any of its pre-releases (1.0.0 > 1.0.0-rc.1).
  if (!pa.length || !pb.length) return pb.length - pa.length;
  for (let i = 0; i < pa.length && i < pb.length; i++) {
    const x = pa[i]!;
    const y = pb[i]!;
    if (x !== y) {
      const xn = NUMERIC.test(x);
      const yn = NUMERIC.test(y);
      // Numeric identifiers compare by value and sort before alphanumeric ones, which compare in ASCII order.
      if (xn && yn) {
        if (+x !== +y) return +x - +y;
      } else return xn ? -1 : yn ? 1 : x < y ? -1 : 1;
    }
  }
  return pa.length - pb.length;
}
