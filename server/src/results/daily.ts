/**
 * Daily cumulative series of the primary metric for charts. Day d holds the units whose first
 * exposure falls on or before day d (UTC), with their outcomes as counted now: the series is built
 * from the per-(variant, exposure day) sufficient statistics of the results query, so it costs no
 * second scan. Days without exposures between the first and the last are filled in.
 */
import type { OpenInterval, RelativeLift } from '../stats/index.js';
import { type AnalysisSettings, compareVariants } from './compare.js';
import type { MetricDefinition } from './definitions.js';
import { type MetricStats, addMetricStats, emptyMetricStats } from './sufficient-stats.js';

export interface DailyPoint {
  date: string;
  variants: {
    key: string;
    units: number;
    value: number | null;
    /**
     * Relative lift vs control with its Fieller interval (with the confidence sequence's radius when
     * sequential testing is on; a null end is unbounded) and the absolute difference's p-value.
     */
    lift?: { estimate: number | null; ci: OpenInterval | null; pValue: number | null };
  }[];
}

type Stats = MetricStats & { n: number };

function nextDay(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

const MAX_DAYS = 1000;

export function dailySeries(
  metric: MetricDefinition,
  variantKeys: readonly string[],
  perDay: ReadonlyMap<string, Stats[]>,
  settings: AnalysisSettings,
): DailyPoint[] {
  const days = [...perDay.keys()].sort();
  const first = days[0];
  const last = days[days.length - 1];
  if (first === undefined || last === undefined) return [];
  const cumulative: Stats[] = variantKeys.map(() => ({ ...emptyMetricStats(), n: 0 }));
  const points: DailyPoint[] = [];
  for (let day = first, i = 0; day <= last && i < MAX_DAYS; day = nextDay(day), i++) {
    const today = perDay.get(day);
    if (today) {
      today.forEach((s, v) => {
        const acc = cumulative[v];
        if (acc) cumulative[v] = { ...addMetricStats(acc, s), n: acc.n + s.n };
      });
    }
    // The series shows lifts and intervals only: the Bayesian figures (an exact sum and a quadrature
    // per variant and day) would be computed for nothing.
    const compared = compareVariants(metric, variantKeys.map((key, v) => ({ key, stats: cumulative[v]! })), settings, { bayesian: false });
    points.push({
      date: day,
      variants: compared.map((v) => {
        const c = v.comparison;
        const liftOf = (e: RelativeLift, ci: OpenInterval | null, pValue: number | null) => ({ estimate: e.estimate, ci, pValue });
        return {
          key: v.key,
          units: v.units,
          value: v.value,
          ...(c && {
            lift: c.sequential
              ? liftOf(c.relativeLift, c.sequential.relativeLift.ci, c.sequential.absoluteDifference.pValue)
              : liftOf(c.relativeLift, c.relativeLift.ci, c.pValue),
          }),
        };
      }),
    });
  }
  return points;
}
