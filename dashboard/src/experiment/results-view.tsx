import type { ExperimentResults, MetricResult } from '../api/results-types.js';
import { formatInteger } from '../components/format.js';
import { Suspense, lazy } from 'react';
import { Loading } from '../components/states.js';
import { LiftBar, liftDomain } from './lift-bar.js';
import { DecisionPanel } from './decision-panel.js';
import { SrmDetails } from './srm-details.js';
import { DASH, VERDICT_LABEL, confidenceLevel, expectedLoss, interval, metricValue, pText, pValue, percent, signedPercent, valueLabel } from './results-format.js';

// Recharts is most of the bundle: the charts load in their own chunk, only when results are shown.
const CumulativeLiftChart = lazy(() => import('./results-charts.js').then((m) => ({ default: m.CumulativeLiftChart })));
const FunnelChart = lazy(() => import('./results-charts.js').then((m) => ({ default: m.FunnelChart })));

/** Above this share of units seen in more than one variant the page warns (they are left out of the analysis). */
export const MULTIPLE_EXPOSURE_WARNING = 0.01;

const ROLE_LABEL = { primary: 'Primary', secondary: 'Secondary', guardrail: 'Guardrail' } as const;

/** The whole results document: warnings, progress, one table per metric, the cumulative chart. */
export function ResultsView({ results }: { results: ExperimentResults }) {
  const names = new Map(results.variants.map((v) => [v.key, v.name]));
  const level = confidenceLevel(results.experiment.alpha);
  const dailyMetric = results.metrics.find((m) => m.key === results.daily.metric);
  return (
    <div className="results">
      <DecisionPanel decision={results.decision} names={names} />
      <ResultsWarnings results={results} />
      <ProgressToSample results={results} />
      <SrmDetails results={results} />
      {results.reasons.length > 0 && (
        <div className="note" data-testid="results-reasons">
          <p>
            <strong>Read with care:</strong>
          </p>
          <ul>
            {results.reasons.map((r, i) => (
              <li key={i}>{r}</li>
            ))}
          </ul>
        </div>
      )}
      {results.metrics.length === 0 ? (
        <p className="muted">This experiment has no metrics to analyse.</p>
      ) : (
        results.metrics.map((m) => <MetricTable key={m.key} metric={m} names={names} level={level} sequential={results.experiment.sequential !== null} />)
      )}
      {dailyMetric && results.daily.days.length > 0 && (
        <Suspense fallback={<Loading label="Loading the chart…" />}>
          <CumulativeLiftChart metric={dailyMetric} days={results.daily.days} names={names} level={level} />
        </Suspense>
      )}
      <p className="muted small">
        {formatInteger(results.exposures.analysedUnits)} of {formatInteger(results.exposures.units)} exposed units analysed · computed{' '}
        {new Date(results.computedAt).toLocaleString()}
        {results.snapshot && ` (${snapshotNote(results.snapshot)})`}
      </p>
    </div>
  );
}

/** Where the figures come from: a stored snapshot and its age, or a computation and how much it redid. */
function snapshotNote(snapshot: NonNullable<ExperimentResults['snapshot']>): string {
  if (snapshot.source === 'snapshot') return `stored snapshot, ${Math.round(snapshot.ageSeconds)} s old`;
  const refresh = snapshot.refresh;
  if (!refresh) return 'computed now';
  if (refresh.mode === 'full') return 'computed now in full';
  return `updated now: ${refresh.daysRecomputed} exposure ${refresh.daysRecomputed === 1 ? 'day' : 'days'} recomputed`;
}

/** SRM and multiple-exposure warnings: one alert, shown only when there is something to say. */
export function ResultsWarnings({ results }: { results: ExperimentResults }) {
  const { srm, exposures } = results;
  const share = exposures.multipleExposureShare;
  const multiple = share !== null && share >= MULTIPLE_EXPOSURE_WARNING;
  if (!srm.mismatch && !multiple) return null;
  const total = results.variants.reduce((sum, v) => sum + v.units, 0);
  return (
    <div className="banner banner-warning" role="alert" data-testid="srm-banner">
      {srm.mismatch && (
        <>
          <p>
            <strong>Sample ratio mismatch.</strong> The split of units between variants is not the one configured (χ² = {srm.chiSquare?.toFixed(1) ?? DASH}, {pText(srm.pValue)}; alarm
            below {srm.threshold}). Assignment or tracking is likely broken: do not trust these results until the cause is found.
          </p>
          <ul className="small">
            {results.variants.map((v) => (
              <li key={v.key}>
                {v.name}: {formatInteger(v.units)} units ({percent(total ? v.units / total : null)}), expected {percent(v.weight, 0)}
              </li>
            ))}
          </ul>
        </>
      )}
      {multiple && (
        <p>
          <strong>Multiple exposure.</strong> {formatInteger(exposures.multipleExposures)} units ({percent(share)}) were seen in more than one variant and are left
          out of the analysis. Check that the unit id is stable across sessions and devices.
        </p>
      )}
    </div>
  );
}

export function ProgressToSample({ results }: { results: ExperimentResults }) {
  const p = results.progress;
  if (p.progress === null) {
    return <p className="muted small">Progress toward the needed sample: {p.reason ?? 'not available yet.'}</p>;
  }
  const value = Math.round(p.progress * 1000) / 10;
  const metric = results.metrics.find((m) => m.key === p.metric);
  const baseline = p.baseline === null ? DASH : metric ? metricValue(metric, p.baseline) : p.baseline.toPrecision(3);
  const remaining =
    p.progress >= 1 ? 'the needed sample is reached' : p.daysRemaining === null ? 'days remaining unknown' : `about ${p.daysRemaining === 1 ? '1 day' : `${formatInteger(p.daysRemaining)} days`} remaining`;
  return (
    <div className="progress-block">
      <p id="progress-label">
        <strong>Progress toward the needed sample</strong>: {value}% of {p.requiredPerVariant === null ? DASH : formatInteger(p.requiredPerVariant)} units per variant · {remaining}
      </p>
      <div className="progress" role="progressbar" aria-labelledby="progress-label" aria-valuemin={0} aria-valuemax={100} aria-valuenow={value} aria-valuetext={`${value}%, ${remaining}`}>
        <span style={{ width: `${Math.min(100, value)}%` }} />
      </div>
      <p className="muted small">
        To detect a {percent(p.minimumDetectableEffect, 0)} relative change from a baseline of {baseline} with {percent(p.power, 0)} power
        {p.dailyUnits !== null && p.daysElapsed !== null && p.daysElapsed >= 1 && ` · ${formatInteger(Math.round(p.dailyUnits))} units a day`}
        {p.daysElapsed !== null && ` · ${p.daysElapsed < 1 ? 'less than a day' : `${Math.floor(p.daysElapsed)} day${Math.floor(p.daysElapsed) === 1 ? '' : 's'}`} elapsed`}
      </p>
    </div>
  );
}

export function MetricTable({ metric, names, level, sequential }: { metric: MetricResult; names: Map<string, string>; level: string; sequential: boolean }) {
  const comparisons = metric.variants.map((v) => v.comparison);
  const domain = liftDomain(
    comparisons.map((c) => c?.relativeLift.ci),
    comparisons.map((c) => c?.relativeLift.estimate),
  );
  const id = `metric-${metric.key}`;
  return (
    <section className="metric-result" aria-labelledby={id} data-testid={`metric-${metric.key}`}>
      <h3 id={id}>
        {metric.name} <span className="tag">{ROLE_LABEL[metric.role]}</span>{' '}
        <span className="muted small">
          {metric.type} · {metric.direction === 'increase' ? 'higher is better' : 'lower is better'}
        </span>
      </h3>
      {metric.reason && <p className="note">{metric.reason}</p>}
      <div className="table-wrap">
        <table className="table table-stack results-table">
          <caption className="visually-hidden">
            {metric.name}: per-variant {valueLabel(metric).toLowerCase()}, relative lift vs control with its {level} interval, p-values and verdict
          </caption>
          <thead>
            <tr>
              <th scope="col">Variant</th>
              <th scope="col">Units</th>
              <th scope="col">{valueLabel(metric)}</th>
              <th scope="col">Lift ({level} interval)</th>
              <th scope="col">p-value</th>
              <th scope="col">Adjusted p</th>
              <th scope="col">Chance to beat control</th>
              <th scope="col">Expected loss</th>
              <th scope="col">Verdict</th>
            </tr>
          </thead>
          <tbody>
            {metric.variants.map((v) => {
              const c = v.comparison;
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
                  <td data-label="Lift">{c ? <LiftBar estimate={c.relativeLift.estimate} ci={c.relativeLift.ci} domain={domain} verdict={c.verdict} level={level} /> : DASH}</td>
                  <td data-label="p-value">{c ? pValue(c.pValue) : DASH}</td>
                  <td data-label="Adjusted p">{c ? pValue(c.adjustedPValue) : DASH}</td>
                  <td data-label="Chance to beat control">
                    {c ? percent(c.chanceToBeatControl) : DASH}
                    {c?.credibleInterval && (
                      <span className="cell-note muted small" title={`Bayesian ${level} credible interval of the lift`}>
                        credible {interval(c.credibleInterval)}
                      </span>
                    )}
                  </td>
                  <td data-label="Expected loss">{c ? expectedLoss(metric, c.expectedLoss) : DASH}</td>
                  <td data-label="Verdict">{c ? <span className={`badge verdict-${c.verdict}`}>{VERDICT_LABEL[c.verdict]}</span> : DASH}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {metric.variants.some((v) => v.comparison?.sequential || v.comparison?.cuped || v.comparison?.reason) && (
        <ul className="metric-extra small">
          {metric.variants.map((v) => {
            const c = v.comparison;
            if (!c) return null;
            const name = names.get(v.key) ?? v.key;
            return [
              c.reason && <li key={`${v.key}-reason`}>{name}: {c.reason}</li>,
              c.sequential && (
                <li key={`${v.key}-seq`} data-testid="sequential">
                  {name} — sequential (always valid{sequential ? ', decides significance' : ''}): lift interval {interval(c.sequential.relativeLift.ci)}, p ={' '}
                  {pValue(c.sequential.relativeLift.pValue)}, adjusted p = {pValue(c.sequential.adjustedPValue)}
                </li>
              ),
              c.cuped && (
                <li key={`${v.key}-cuped`} data-testid="cuped">
                  {name} — CUPED: variance reduced by {percent(c.cuped.varianceReduction)} (θ = {c.cuped.theta.toPrecision(3)}); adjusted lift{' '}
                  {signedPercent(c.cuped.relativeLift.estimate)} {interval(c.cuped.relativeLift.ci)}, p = {pValue(c.cuped.pValue)}
                </li>
              ),
            ];
          })}
        </ul>
      )}
      {metric.steps && metric.steps.length > 0 && (
        <Suspense fallback={<Loading label="Loading the funnel chart…" />}>
          <FunnelChart metric={metric} steps={metric.steps} names={names} />
        </Suspense>
      )}
    </section>
  );
}
