import { useApi } from '../app/api-context.js';
import { useResource } from '../app/use-resource.js';
import type { Experiment } from '../api/types.js';
import { Empty, ErrorState, Loading } from '../components/states.js';

/**
 * RESULTS AREA — placeholder. The results rendering (table per metric, lift bars, cumulative chart,
 * funnel chart, segment selector, SRM banner, progress bar, CSV export) lands with the results
 * work; this section already fetches GET /api/experiments/:key/results and shows its loading,
 * error and "no results yet" states, without interpreting the answer.
 */
export function ResultsSection({ experiment }: { experiment: Experiment }) {
  const api = useApi();
  const neverStarted = experiment.startedAt === null;
  const results = useResource(
    (signal) => (neverStarted ? Promise.resolve(null) : api.experimentResults(experiment.key, signal)),
    [api, experiment.key, neverStarted, experiment.version],
  );

  return (
    <section className="card results-area" aria-labelledby="results-title" data-testid="results-area">
      <h2 id="results-title">Results</h2>
      {neverStarted ? (
        <Empty>
          <p>No results yet: the experiment has not started. Results appear here once units are exposed.</p>
        </Empty>
      ) : results.state === 'loading' ? (
        <Loading label="Loading results…" />
      ) : results.state === 'error' ? (
        <ErrorState error={results.error} title="Results are unavailable" onRetry={results.reload} />
      ) : (
        <Empty>
          <p>Results were received. Their view (per-metric table, lift intervals, charts, SRM check, CSV export) is being built and will appear here.</p>
        </Empty>
      )}
    </section>
  );
}
