import { createContext, type ReactNode, useContext } from 'react';
import type { ExperimentResults, ResultsSummary } from '../api/results-types.js';
import type { Experiment } from '../api/types.js';
import { useApi } from '../app/api-context.js';
import { type Resource, useResource } from '../app/use-resource.js';
import { DASH, formatInteger, interval, signedPercent } from '../components/format.js';
import { DecisionBadge } from './decision-panel.js';
import { ServingEveryone } from './rollout-status.js';
import { decidingLift, headline, isCollecting } from './results-format.js';

/** What a list shows of an experiment's results: the summary endpoint's shape, which full results also fit. */
type Headline = Pick<ExperimentResults, 'metrics'> & {
  exposures: { units: number };
  srm: { mismatch: boolean };
  decision: Pick<ExperimentResults['decision'], 'status' | 'recommendedVariant'>;
};

const SummariesContext = createContext<Resource<Map<string, ResultsSummary['results']>> | null>(null);

/**
 * Loads the headline of every running or stopped experiment in one request (GET /api/results/summary,
 * stored snapshots only) for the lists below it: thirty rows, one request, and no computation started.
 */
export function ResultsSummaries({ children }: { children: ReactNode }) {
  const api = useApi();
  const summaries = useResource(async (signal) => new Map((await api.resultsSummary(signal)).map((s) => [s.key, s.results])), [api]);
  return <SummariesContext.Provider value={summaries}>{children}</SummariesContext.Provider>;
}

/**
 * A running or stopped experiment's headline: from the shared summaries when its snapshot exists;
 * otherwise a running experiment (no snapshot yet, or no ResultsSummaries above) makes its own results
 * request, which computes and stores one. A stopped one without a snapshot shows its winner only: a
 * list must not start a computation for every finished experiment.
 */
function useHeadline(experiment: Experiment): { state: 'loading' | 'ready' | 'error'; data: Headline | null } {
  const api = useApi();
  const summaries = useContext(SummariesContext);
  const running = experiment.status === 'running' && experiment.startedAt !== null;
  const shown = running || experiment.status === 'stopped';
  const stored = summaries?.state === 'ready' ? summaries.data.get(experiment.key) : undefined;
  const waiting = summaries?.state === 'loading';
  const fallback = running && !waiting && !stored;
  const own = useResource<ExperimentResults | null>(
    (signal) => (fallback ? api.experimentResults(experiment.key, {}, signal) : Promise.resolve(null)),
    [api, experiment.key, fallback, experiment.version],
  );
  if (!shown) return { state: 'ready', data: null };
  if (stored) return { state: 'ready', data: stored };
  if (waiting) return { state: 'loading', data: null };
  if (!running) return { state: 'ready', data: null };
  return { state: own.state, data: own.state === 'ready' ? own.data : null };
}

export function HeadlineLiftText({ results }: { results: Headline }) {
  const h = headline(results);
  if (!h || h.comparison.relativeLift.estimate === null) return <span className="muted">{DASH}</span>;
  const { comparison: c } = h;
  const lift = decidingLift(c);
  const badge = c.significant ? (c.verdict === 'bad' ? 'Worse' : 'Significant') : 'Not significant';
  // While collecting the decision's badge replaces the significance one: nothing is called significant.
  const collecting = isCollecting(results.decision);
  const recommended = results.decision.recommendedVariant ? `; recommended: ${results.decision.recommendedVariant}` : '';
  return (
    <span className="headline-lift" title={`${h.metric.name}, ${h.variant} vs control${recommended}`}>
      <strong>{signedPercent(lift.estimate)}</strong> <span className="small muted">{interval(lift.ci)}</span>{' '}
      {!collecting && <span className={`badge verdict-${c.significant ? c.verdict : 'inconclusive'}`}>{badge}</span>} <DecisionBadge decision={results.decision} />
      {results.srm.mismatch && <span className="badge verdict-bad"> SRM</span>}
    </span>
  );
}

/**
 * A stopped experiment's outcome: the variant recorded at the stop. It is called the winner only when
 * its results have a decision past `collecting` (design §8: nothing says "winner" while collecting);
 * otherwise it is what was chosen ("Chosen at stop: Sticky bar"), or "No winner". A shipped one adds
 * what every visitor gets now ("Serving Sticky bar to everyone").
 */
export function StoppedOutcome({ experiment, decision }: { experiment: Experiment; decision: Pick<Headline['decision'], 'status'> | null }) {
  if (experiment.status !== 'stopped') return null;
  const winner = experiment.decision?.winner ?? null;
  const name = winner === null ? null : (experiment.variants.find((v) => v.key === winner)?.name ?? winner);
  const decided = decision !== null && !isCollecting(decision);
  return (
    <span className="stopped-outcome" data-slot="stopped-outcome">
      {name === null ? (
        <span className="badge verdict-inconclusive">No winner</span>
      ) : decided ? (
        <span className="badge verdict-good">Winner: {name}</span>
      ) : (
        <span className="badge verdict-inconclusive">Chosen at stop: {name}</span>
      )}
      {experiment.rollout && (
        <>
          {' '}
          <ServingEveryone experiment={experiment} />
        </>
      )}
    </span>
  );
}

/** Two cells of the experiments list: exposed units and the primary metric's lift (with the outcome of a stopped experiment). */
export function ResultsSummaryCells({ experiment }: { experiment: Experiment }) {
  const summary = useHeadline(experiment);
  const results = summary.data;
  const loading = summary.state === 'loading';
  const stopped = experiment.status === 'stopped';
  return (
    <>
      <td data-label="Exposed units" data-slot="exposed-units" className={results ? undefined : 'muted'}>
        {results ? formatInteger(results.exposures.units) : loading ? '…' : DASH}
      </td>
      <td data-label={stopped ? 'Outcome' : 'Primary lift'} data-slot="primary-lift" className={results || stopped ? undefined : 'muted'}>
        {stopped && <StoppedOutcome experiment={experiment} decision={results?.decision ?? null} />}
        {results ? <HeadlineLiftText results={results} /> : loading ? '…' : stopped ? null : DASH}
      </td>
    </>
  );
}

/** "· lift: +16.7% [+0.9%, +32.4%] Significant" for the funnel overview. */
export function HeadlineLift({ experiment }: { experiment: Experiment }) {
  const summary = useHeadline(experiment);
  return (
    <span className="lift-slot small" data-slot="headline-lift">
      {' '}
      {experiment.status === 'stopped' && <StoppedOutcome experiment={experiment} decision={summary.data?.decision ?? null} />} · lift:{' '}
      {summary.data ? <HeadlineLiftText results={summary.data} /> : summary.state === 'loading' ? '…' : DASH}
    </span>
  );
}
