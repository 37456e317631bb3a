import type { ExperimentResults } from '../api/results-types.js';
import { DASH, formatDateTime, formatInteger, formatNumber, pText, percent } from '../components/format.js';
import { Suspense, lazy } from 'react';
import { Loading } from '../components/states.js';
import { DecisionPanel } from './decision-panel.js';
import { type Evidence, MetricTable } from './metric-table.js';
import { SrmDetails } from './srm-details.js';
import { confidenceLevel, isCollecting, metricValue, tooLittleData } from './results-format.js';

// Recharts is most of the bundle: the charts load in their own chunk, only when results are shown.
const CumulativeLiftChart = lazy(() => import('./results-charts.js').then((m) => ({ default: m.CumulativeLiftChart })));

/** Above this share of units seen in more than one variant the page warns (they are left out of the analysis). */
export const MULTIPLE_EXPOSURE_WARNING = 0.01;

/** The whole results document: warnings, progress, one table per metric, the cumulative chart. */
export function ResultsView({ results }: { results: ExperimentResults }) {
  const names = new Map(results.variants.map((v) => [v.key, v.name]));
  const level = confidenceLevel(results.experiment.alpha);
  const dailyMetric = results.metrics.find((m) => m.key === results.daily.metric);
  // Decided once for every table, chart and badge below (results-format.ts).
  const evidence: Evidence = { tooLittle: tooLittleData(results.decision), collecting: isCollecting(results.decision), decision: results.decision };
  return (
    <div className="results">
      <DecisionPanel decision={results.decision} names={names} />
      {evidence.tooLittle && <TooLittleData reason={evidence.tooLittle} />}
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
        results.metrics.map((m) => <MetricTable key={m.key} metric={m} names={names} level={level} evidence={evidence} />)
      )}
      {dailyMetric && results.daily.days.length > 0 && (
        <Suspense fallback={<Loading label="Loading the chart…" />}>
          <CumulativeLiftChart metric={dailyMetric} days={results.daily.days} names={names} level={level} sequential={results.experiment.sequential !== null} />
        </Suspense>
      )}
      <p className="muted small">
        {formatInteger(results.exposures.analysedUnits)} of {formatInteger(results.exposures.units)} exposed units analysed · computed{' '}
        {formatDateTime(results.computedAt)}
        {results.snapshot && ` (${snapshotNote(results.snapshot)})`}
      </p>
    </div>
  );
}

/**
 * "Too little data": why the Bayesian figures and verdicts are not shown, and what is missing — instead
 * of a "chance to beat control" of 37.5% on six units.
 */
export function TooLittleData({ reason }: { reason: string }) {
  return (
    <div className="note" data-testid="too-little-data">
      <p>
        <strong>Too little data to read these results yet.</strong> Chance to beat control, expected loss and credible intervals swing to
        extremes on a handful of units, so they are hidden, and no verdict is given until every arm has enough.
      </p>
      <p className="small">Still needed: {reason}.</p>
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
            <strong>Sample ratio mismatch.</strong> The split of units between variants is not the one configured (χ² = {formatNumber(srm.chiSquare, 1)}, {pText(srm.pValue)}; alarm
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
  const baseline = p.baseline === null ? DASH : metric ? metricValue(metric, p.baseline) : formatNumber(p.baseline, 3);
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
