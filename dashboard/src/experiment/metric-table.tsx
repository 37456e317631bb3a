import { Suspense, lazy } from 'react';
import type { Decision, MetricResult, VariantComparison } from '../api/results-types.js';
import { DASH, formatAmount, formatInteger, formatNumber, interval, pValue, percent, percentagePoints, probability, signedPercent } from '../components/format.js';
import { Loading } from '../components/states.js';
import { LiftBar, liftDomain } from './lift-bar.js';
import { VERDICT_LABEL, decidingLift, expectedLoss, guardrailText, intervalName, measureOf, metricValue, valueLabel } from './results-format.js';

const FunnelChart = lazy(() => import('./results-charts.js').then((m) => ({ default: m.FunnelChart })));

const ROLE_LABEL = { primary: 'Primary', secondary: 'Secondary', guardrail: 'Guardrail' } as const;
const TYPE_LABEL = { conversion: 'conversion rate', funnel: 'funnel', revenue: 'revenue per unit', ratio: 'ratio' } as const;

/** How the page's evidence shapes every table: set once by ResultsView from the decision. */
export interface Evidence {
  /** Why there is too little data (results-format `tooLittleData`), or null. */
  tooLittle: string | null;
  /** The decision is `collecting`: no verdict badge may read as a finding. */
  collecting: boolean;
  decision: Pick<Decision, 'checks'>;
}

/** The verdict cell: a guardrail's status with its margin; "Collecting data" while the decision collects; else the verdict. */
function Verdict({ metric, c, evidence }: { metric: MetricResult; c: VariantComparison; evidence: Evidence }) {
  if (metric.role === 'guardrail') {
    if (evidence.tooLittle) return <span className="muted">Too little data</span>;
    const text = guardrailText(metric, c);
    const status = c.guardrail?.status ?? 'inconclusive';
    return text ? <span className={`badge badge-wrap verdict-${status === 'ok' ? 'good' : status === 'harmed' ? 'bad' : 'inconclusive'}`} data-slot="guardrail-status">{text}</span> : <>{DASH}</>;
  }
  if (evidence.collecting) return <span className="badge verdict-inconclusive" data-slot="verdict">Collecting data</span>;
  return <span className={`badge verdict-${c.verdict}`} data-slot="verdict">{VERDICT_LABEL[c.verdict]}</span>;
}

/** One metric: a row per variant with its value, the lift and its one deciding interval, p-values, Bayesian figures and the verdict. */
export function MetricTable({ metric, names, level, evidence }: { metric: MetricResult; names: Map<string, string>; level: string; evidence: Evidence }) {
  const lifts = metric.variants.map((v) => (v.comparison ? decidingLift(v.comparison) : null));
  const domain = liftDomain(
    lifts.map((l) => l?.ci),
    lifts.map((l) => l?.estimate),
  );
  const sequential = lifts.some((l) => l?.sequential);
  const id = `metric-${metric.key}`;
  const unitNote = metric.currency ? ` · in ${metric.currency}` : metric.unit ? ` · in ${metric.unit}` : '';
  return (
    <section className="metric-result" aria-labelledby={id} data-testid={`metric-${metric.key}`}>
      <h3 id={id}>
        {metric.name} <span className="tag">{ROLE_LABEL[metric.role]}</span>{' '}
        <span className="muted small">
          {TYPE_LABEL[metric.type]}
          {unitNote} · {metric.direction === 'increase' ? 'higher is better' : 'lower is better'}
        </span>
      </h3>
      {metric.reason && <p className="note">{metric.reason}</p>}
      <div className="table-wrap">
        <table className="table table-stack results-table">
          <caption className="visually-hidden">
            {metric.name}: per-variant {valueLabel(metric).toLowerCase()}, relative lift vs control with its {intervalName(level, sequential)}, p-values and verdict
          </caption>
          <thead>
            <tr>
              <th scope="col">Variant</th>
              <th scope="col">Units</th>
              <th scope="col">{valueLabel(metric)}</th>
              <th scope="col">Lift ({intervalName(level, sequential)})</th>
              <th scope="col">p-value</th>
              <th scope="col">Adjusted p</th>
              <th scope="col">Chance to beat control</th>
              <th scope="col">Expected loss</th>
              <th scope="col">{metric.role === 'guardrail' ? 'Guardrail' : 'Verdict'}</th>
            </tr>
          </thead>
          <tbody>
            {metric.variants.map((v, i) => {
              const c = v.comparison;
              const lift = lifts[i];
              const thin = evidence.tooLittle !== null;
              return (
                <tr key={v.key}>
                  <th scope="row" data-label="Variant">
                    {names.get(v.key) ?? v.key} <span className="mono muted small">{v.key}</span>
                    {!c && <span className="muted small"> (control)</span>}
                  </th>
                  <td data-label="Units">{formatInteger(v.units)}</td>
                  <td data-label={valueLabel(metric)}>
                    {metricValue(metric, v.value)}
                    {metric.type !== 'ratio' && <span className="muted small"> ({formatInteger(v.converted)} converted)</span>}
                  </td>
                  <td data-label="Lift">{c && lift ? <LiftBar estimate={lift.estimate} ci={lift.ci} domain={domain} verdict={evidence.collecting ? 'inconclusive' : c.verdict} level={level} /> : DASH}</td>
                  <td data-label="p-value">{lift ? pValue(lift.pValue) : DASH}</td>
                  <td data-label="Adjusted p">{lift ? pValue(lift.adjustedPValue) : DASH}</td>
                  <td data-label="Chance to beat control" data-slot="chance-to-beat">
                    {!c ? DASH : thin ? <span className="muted">Too little data</span> : probability(c.chanceToBeatControl)}
                  </td>
                  <td data-label="Expected loss" data-slot="expected-loss">
                    {!c ? DASH : thin ? <span className="muted">Too little data</span> : expectedLoss(metric, c.expectedLoss)}
                  </td>
                  <td data-label={metric.role === 'guardrail' ? 'Guardrail' : 'Verdict'}>{c ? <Verdict metric={metric} c={c} evidence={evidence} /> : DASH}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <ComparisonDetails metric={metric} names={names} level={level} evidence={evidence} />
      {metric.steps && metric.steps.length > 0 && (
        <Suspense fallback={<Loading label="Loading the funnel chart…" />}>
          <FunnelChart metric={metric} steps={metric.steps} names={names} collecting={evidence.collecting} />
        </Suspense>
      )}
    </section>
  );
}

/**
 * A comparison's own reason, without the decision's hold the server puts in front of it
 * ("collecting: minimum-days (…); fixed horizon: …"): the decision panel says that in full already.
 * The hold is rebuilt from the decision's failing checks as the server words it (decision.ts, verdictHold).
 */
function ownReason(reason: string | undefined, decision: Evidence['decision']): string | null {
  if (!reason) return null;
  const failing = decision.checks.filter((c) => !c.ok && c.name !== 'guardrails');
  const holds = [failing, failing.filter((c) => c.name !== 'planned-sample')].map((checks) => `collecting: ${checks.map((c) => `${c.name} (${c.detail})`).join('; ')}`);
  for (const hold of holds) {
    if (reason === hold) return null;
    if (reason.startsWith(`${hold}; `)) return reason.slice(hold.length + 2);
  }
  return reason;
}

/**
 * The other intervals and tests of each comparison, for whoever wants to check them: the fixed-horizon
 * interval beside the confidence sequence, the Bayesian credible interval, the delta method
 * (GrowthBook's), the pooled z-test, Welch's t, CUPED.
 */
function ComparisonDetails({ metric, names, level, evidence }: { metric: MetricResult; names: Map<string, string>; level: string; evidence: Evidence }) {
  const treated = metric.variants.filter((v) => v.comparison);
  if (treated.length === 0) return null;
  const measure = measureOf(metric);
  return (
    <details className="metric-details small" data-testid={`details-${metric.key}`}>
      <summary>Other intervals and tests</summary>
      {treated.map((v) => {
        const c = v.comparison!;
        const name = names.get(v.key) ?? v.key;
        const reason = ownReason(c.reason, evidence.decision);
        return (
          <dl key={v.key} className="facts" data-testid="comparison-details">
            <dt>{name}</dt>
            <dd>
              <ul>
                {reason && <li>{reason}</li>}
                <li>
                  Absolute difference {metric.type === 'conversion' || metric.type === 'funnel' ? percentagePoints(c.absoluteDifference.estimate, 2, { signed: true }) : formatAmount(c.absoluteDifference.estimate, measure, { signed: true })} vs control
                </li>
                {c.sequential && (
                  <li>
                    Fixed-horizon {level} interval of the lift {interval(c.relativeLift.ci)}, p = {pValue(c.pValue)} (valid only at a planned sample size; the confidence sequence above is valid at any look)
                  </li>
                )}
                <li data-slot="credible-interval">
                  Bayesian {level} credible interval of the lift {evidence.tooLittle ? 'not shown: too little data' : interval(c.credibleInterval)}
                </li>
                <li>
                  Delta method (GrowthBook) {interval(c.relativeLift.deltaMethod.ci)}, p = {pValue(c.relativeLift.deltaMethod.pValue)}
                </li>
                {c.pooledZTest && <li>Pooled two-proportion z-test: z = {formatNumber(c.pooledZTest.z)}, p = {pValue(c.pooledZTest.pValue)}</li>}
                {c.welch && <li>Welch’s t = {formatNumber(c.welch.t)} with {formatNumber(c.welch.df, 1)} degrees of freedom</li>}
                {c.guardrail?.reason && <li>Guardrail: {c.guardrail.reason}</li>}
                {c.cuped && (
                  <li data-testid="cuped">
                    CUPED: variance reduced by {percent(c.cuped.varianceReduction)} (θ = {formatNumber(c.cuped.theta, 3)}); adjusted lift{' '}
                    {signedPercent(c.cuped.relativeLift.estimate)} {interval(c.cuped.relativeLift.ci)}, p = {pValue(c.cuped.pValue)}
                  </li>
                )}
              </ul>
            </dd>
          </dl>
        );
      })}
    </details>
  );
}
