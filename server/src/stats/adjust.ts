/**
 * Multiple-comparison adjustment of the k − 1 variant-versus-control p-values.
 */

export type Correction = 'holm' | 'bh';

/**
 * Adjusted p-values exactly as R's p.adjust (stats package, R ≥ 2.x):
 * - Holm (1979): sort ascending p₍₁₎ ≤ … ≤ p₍ₘ₎; p̃₍ᵢ₎ = max_{j ≤ i} min(1, (m − j + 1)·p₍ⱼ₎).
 *   Controls the family-wise error rate under any dependence.
 * - Benjamini–Hochberg (1995): p̃₍ᵢ₎ = min_{j ≥ i} min(1, m/j·p₍ⱼ₎). Controls
 *   the false discovery rate for independent or positively dependent tests.
 * Results are capped at 1, monotone in the sorted order and returned in input
 * order. null entries (undefined p-values) are left out of the family and stay
 * null, like NA in p.adjust (m counts the non-null values).
 */
export function adjustPValues(pValues: readonly (number | null)[], method: Correction = 'holm'): (number | null)[] {
  const present = pValues
    .map((p, index) => ({ p, index }))
    .filter((entry): entry is { p: number; index: number } => entry.p !== null && Number.isFinite(entry.p));
  const m = present.length;
  const adjusted: (number | null)[] = pValues.map(() => null);
  if (m === 0) return adjusted;
  // Stable sort keeps ties in input order, as R's order() does.
  const sorted = [...present].sort((x, y) => x.p - y.p);
  if (method === 'holm') {
    let running = 0;
    sorted.forEach((entry, i) => {
      running = Math.max(running, Math.min(1, (m - i) * entry.p));
      adjusted[entry.index] = running;
    });
  } else {
    let running = 1;
    for (let i = m - 1; i >= 0; i--) {
      const entry = sorted[i];
      if (entry === undefined) continue;
      running = Math.min(running, Math.min(1, (m / (i + 1)) * entry.p));
      adjusted[entry.index] = running;
    }
  }
  return adjusted;
}
