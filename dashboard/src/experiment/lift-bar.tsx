import { type LiftInterval, interval, signedPercent } from '../components/format.js';

/** The symmetric domain (as a share) that fits every interval of a table, at least ±5%. */
export function liftDomain(intervals: readonly (LiftInterval | null | undefined)[], estimates: readonly (number | null | undefined)[] = []): number {
  let max = 0.05;
  // An unbounded end does not widen the domain: its bar runs to the edge.
  for (const ci of intervals) for (const end of ci ?? []) if (end !== null) max = Math.max(max, Math.abs(end));
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
  ci: LiftInterval | null;
  domain: number;
  verdict: 'good' | 'bad' | 'inconclusive';
  level: string;
}) {
  const pos = (x: number) => `${Math.max(0, Math.min(100, ((x + domain) / (2 * domain)) * 100))}%`;
  const end = (x: number | null, unbounded: string) => (x === null ? unbounded : signedPercent(x));
  const label = estimate === null ? 'Lift not available' : `Lift ${signedPercent(estimate)}, ${level} interval ${ci ? `${end(ci[0], 'minus infinity')} to ${end(ci[1], 'plus infinity')}` : 'not available'}`;
  // Unbounded ends run to the edges of the domain.
  const bar = ci && ([ci[0] ?? -2 * domain, ci[1] ?? 2 * domain] as const);
  return (
    <div className="lift">
      <span className="lift-text">
        <strong>{signedPercent(estimate)}</strong> <span className="muted small">{interval(ci)}</span>
      </span>
      <div className={`lift-bar lift-${verdict}`} role="img" aria-label={label}>
        <span className="lift-zero" style={{ left: pos(0) }} />
        {bar && <span className="lift-ci" style={{ left: pos(Math.min(bar[0], bar[1])), width: `calc(${pos(Math.max(bar[0], bar[1]))} - ${pos(Math.min(bar[0], bar[1]))})` }} />}
        {estimate !== null && <span className="lift-point" style={{ left: pos(estimate) }} />}
      </div>
    </div>
  );
}
