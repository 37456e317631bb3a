/**
 * Distribution functions used across the stats module.
 *
 * Normal cdf and quantile come from jstat (Chebyshev erf, Newton-polished erfc
 * inverse: both within ~1e-16 of R's pnorm/qnorm). Student t, chi-square and
 * log-gamma are computed here because jstat's versions stop too early for
 * results we promise to 1e-6: its incomplete-beta continued fraction exits at
 * a relative step of 3e-7 after at most 100 terms (too few for Welch df in the
 * tens of thousands), and its 6-term Lanczos log-gamma is good to ~1e-10
 * relative, i.e. ~1e-3 absolute for arguments near 1e7.
 * The algorithms are the textbook ones: Stirling series for ln Γ, Lentz's
 * continued fraction for the incomplete beta and gamma functions
 * (Press et al., Numerical Recipes, 3rd ed., §6.1, §6.2, §6.4).
 */
import jStat from 'jstat';

const EPSILON = 1e-15;
const MAX_ITERATIONS = 100_000;
const TINY = 1e-300;
const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

/** Φ(x), the standard normal cdf. */
export function normalCdf(x: number): number {
  return jStat.normal.cdf(x, 0, 1);
}

/** Φ⁻¹(p), exact to double precision; z(0.975) = 1.959963984540054. */
export function normalQuantile(p: number): number {
  return jStat.normal.inv(p, 0, 1);
}

/** Two-sided normal p-value 2·Φ(−|z|). */
export function normalTwoSidedP(z: number): number {
  return Math.min(1, 2 * normalCdf(-Math.abs(z)));
}

/** Standard normal density φ(x). */
export function normalPdf(x: number): number {
  return Math.exp(-0.5 * x * x - HALF_LOG_TWO_PI);
}

/**
 * ln Γ(x) for x > 0. Shifts x up to ≥ 15 with Γ(x+1) = xΓ(x), then the
 * Stirling series (x−½)ln x − x + ½ln 2π + Σ B₂ₖ/(2k(2k−1)x^(2k−1)) to k = 7,
 * whose truncation error at x = 15 is below 1e-17.
 */
export function logGamma(x: number): number {
  let shift = 0;
  let z = x;
  while (z < 15) {
    shift += Math.log(z);
    z += 1;
  }
  return (z - 0.5) * Math.log(z) - z + HALF_LOG_TWO_PI + stirlingSeries(z) - shift;
}

/** Σ B₂ₖ/(2k(2k−1)z^(2k−1)), k = 1…7: the correction term of the Stirling series. */
function stirlingSeries(z: number): number {
  const inv = 1 / z;
  const inv2 = inv * inv;
  return (
    inv *
    (1 / 12 +
      inv2 *
        (-1 / 360 +
          inv2 * (1 / 1260 + inv2 * (-1 / 1680 + inv2 * (1 / 1188 + inv2 * (-691 / 360360 + inv2 / 156))))))
  );
}

/**
 * ln Γ(x) − ln Γ(y) without the cancellation of subtracting two large
 * logarithms (each ln Γ near 10⁷ carries ~1e-9 absolute rounding). For
 * x, y ≥ 15 and d = x − y, from the Stirling series:
 *   (y − ½)·log1p(d/y) + d·ln x − d + S(x) − S(y).
 */
export function logGammaDifference(x: number, y: number): number {
  if (x < 15 || y < 15) return logGamma(x) - logGamma(y);
  const d = x - y;
  return (y - 0.5) * Math.log1p(d / y) + d * Math.log(x) - d + stirlingSeries(x) - stirlingSeries(y);
}

/**
 * ln B(a, b) = ln Γ(small) − [ln Γ(a + b) − ln Γ(large)], the bracket without cancellation: summing
 * three ln Γ lost ~1e-8 absolute once a + b reached millions (B(1, 3.2·10⁶) was off by 7e-9).
 */
export function logBeta(a: number, b: number): number {
  const small = Math.min(a, b);
  const large = Math.max(a, b);
  return logGamma(small) - logGammaDifference(a + b, large);
}

/** Continued fraction for the incomplete beta function (modified Lentz). */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= MAX_ITERATIONS; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPSILON) break;
  }
  return h;
}

/** x^a·(1 − x)^b / B(a, b), the prefactor of both continued-fraction forms (1 − x never formed). */
function betaFront(x: number, a: number, b: number): number {
  return Math.exp(a * Math.log(x) + b * Math.log1p(-x) - logBeta(a, b));
}

/** Regularized incomplete beta I_x(a, b) for a, b > 0 and 0 ≤ x ≤ 1. */
export function regularizedBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  // The fraction converges fast only left of the mean; use the symmetry
  // I_x(a, b) = 1 − I_{1−x}(b, a) on the other side.
  if (x < (a + 1) / (a + b + 2)) return (betaFront(x, a, b) * betaContinuedFraction(x, a, b)) / a;
  return 1 - (betaFront(x, a, b) * betaContinuedFraction(1 - x, b, a)) / b;
}

/**
 * The upper tail 1 − I_x(a, b), accurate where it is tiny (no 1 − I_x) and where x is tiny (no
 * I_{1−x}(b, a) with 1 − x rounded: near x = 0 that rounding alone moves a steep tail by ~1e-10).
 */
export function regularizedBetaUpper(x: number, a: number, b: number): number {
  if (x <= 0) return 1;
  if (x >= 1) return 0;
  if (x < (a + 1) / (a + b + 2)) return 1 - (betaFront(x, a, b) * betaContinuedFraction(x, a, b)) / a;
  return (betaFront(x, a, b) * betaContinuedFraction(1 - x, b, a)) / b;
}

/**
 * Two-sided Student t p-value P(|T_ν| ≥ |t|) = I_{ν/(ν+t²)}(ν/2, ½), valid for
 * non-integer ν (Welch). Matches R's 2*pt(-abs(t), df).
 */
export function studentTTwoSidedP(t: number, df: number): number {
  if (!Number.isFinite(df)) return normalTwoSidedP(t);
  const x = df / (df + t * t);
  return Math.min(1, Math.max(0, regularizedBeta(x, df / 2, 0.5)));
}

/** Student t cdf P(T_ν ≤ t). */
export function studentTCdf(t: number, df: number): number {
  const tail = studentTTwoSidedP(t, df) / 2;
  return t < 0 ? tail : 1 - tail;
}

/** Student t density. */
function studentTPdf(t: number, df: number): number {
  const logDensity =
    -0.5 * Math.log(df) - logBeta(0.5, df / 2) - ((df + 1) / 2) * Math.log1p((t * t) / df);
  return Math.exp(logDensity);
}

/**
 * Student t quantile for any real ν > 0: jstat's estimate, then Newton steps
 * on the accurate cdf above until the step is below 1e-14 relative.
 */
export function studentTQuantile(p: number, df: number): number {
  if (!Number.isFinite(df) || df > 1e10) return normalQuantile(p);
  if (p === 0.5) return 0;
  let t = jStat.studentt.inv(p, df);
  if (!Number.isFinite(t)) t = normalQuantile(p);
  for (let i = 0; i < 50; i++) {
    const step = (studentTCdf(t, df) - p) / studentTPdf(t, df);
    if (!Number.isFinite(step)) break;
    t -= step;
    if (Math.abs(step) <= 1e-14 * Math.max(1, Math.abs(t))) break;
  }
  return t;
}

/** Upper regularized gamma Q(a, x) = Γ(a, x)/Γ(a). */
export function upperRegularizedGamma(a: number, x: number): number {
  if (x <= 0) return 1;
  const logFront = -x + a * Math.log(x) - logGamma(a);
  if (x < a + 1) {
    // Series for P(a, x), then Q = 1 − P.
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n <= MAX_ITERATIONS; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * EPSILON) break;
    }
    return Math.max(0, 1 - sum * Math.exp(logFront));
  }
  // Continued fraction for Q(a, x) (modified Lentz).
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i <= MAX_ITERATIONS; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPSILON) break;
  }
  return Math.exp(logFront) * h;
}

/** Chi-square survival function P(X²_df ≥ x); R's pchisq(x, df, lower.tail = FALSE). */
export function chiSquareSurvival(x: number, df: number): number {
  return upperRegularizedGamma(df / 2, x / 2);
}

/** A finite number or null: JSON answers never carry NaN or Infinity. */
export function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}
