import { interval, signedPercent } from './results-format.js';

/** The symmetric domain (as a share) that fits every interval of a table, at least ±5%. */
export function liftDomain(intervals: readonly ([number, number] | null | undefined)[], estimates: readonly (number | null | undefined)[] = []): number {
  let max = 0.05;
  for (const ci of intervals) if (ci) max = Math.max(max, Math.abs(ci[0]), Math.abs(ci[1]));
  for (const e of estimates) if (e !== null && e !== undefined && Number.isFinite(e)) max = Math.max(max, Math.abs(e));
  return Math.min(max * 1.1, 10);
}

/**
 * A relative lift with its interval, drawn as a horizontal bar against a zero line. The bar is an
 * image with an aria-label carrying the numbers; the same numbers are written next to it.
 */
export function LiftBar({
  estimate,
  ci,
  domain,
  verdict,
  level,
}: {
  estimate: number | null;
  ci: [number, number] | null;
  domain: number;
  verdict: 'good' | 'bad' | 'inconclusive';
  level: string;
}) {
  const pos = (x: number) => `${Math.max(0, Math.min(100, ((x + domain) / (2 * domain)) * 100))}%`;
  const label = estimate === null ? 'Lift not available' : `Lift ${signedPercent(estimate)}, ${level} interval ${ci ? `${signedPercent(ci[0])} to ${signedPercent(ci[1])}` : 'not available'}`;
  return (
    <div className="lift">
      <span className="lift-text">
        <strong>{signedPercent(estimate)}</strong> <span className="muted small">{interval(ci)}</span>
      </span>
      <div className={`lift-bar lift-${verdict}`} role="img" aria-label={label}>
        <span className="lift-zero" style={{ left: pos(0) }} />
        {ci && <span className="lift-ci" style={{ left: pos(Math.min(ci[0], ci[1])), width: `calc(${pos(Math.max(ci[0], ci[1]))} - ${pos(Math.min(ci[0], ci[1]))})` }} />}
        {estimate !== null && <span className="lift-point" style={{ left: pos(estimate) }} />}
      </div>
    </div>
  );
}
