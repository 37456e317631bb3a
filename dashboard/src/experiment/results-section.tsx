import { useEffect, useState } from 'react';
import type { Decision } from '../api/results-types.js';
import { messageOf } from '../api/problem.js';
import { useApi } from '../app/api-context.js';
import { Permitted } from '../app/permitted.js';
import { navigate, useLocation } from '../app/router.js';
import { useResource } from '../app/use-resource.js';
import type { Experiment } from '../api/types.js';
import { Empty, ErrorState, Loading } from '../components/states.js';
import { CsvExportButton, SegmentBreakdown, SegmentSelector } from './results-segments.js';
import { ResultsView } from './results-view.js';

/**
 * The results area of the experiment page: GET /api/experiments/:key/results (with `?segment=`
 * from the page's own query string), rendered by ResultsView; loading, error and empty states. The
 * results' decision goes up to `onDecision` for the rest of the page.
 */
export function ResultsSection({ experiment, onDecision }: { experiment: Experiment; onDecision?: (decision: Decision | null) => void }) {
  const api = useApi();
  const { pathname, search } = useLocation();
  const segment = search.get('segment') || null;
  const segmentMetric = (segment && search.get('segmentMetric')) || null;
  const query = segment ? { segment, ...(segmentMetric && { segmentMetric }) } : {};
  const neverStarted = experiment.startedAt === null;
  const results = useResource(
    (signal) => (neverStarted ? Promise.resolve(null) : api.experimentResults(experiment.key, query, signal)),
    [api, experiment.key, neverStarted, experiment.version, segment, segmentMetric],
  );

  // The page's stop dialog and stopped banner word themselves by the decision (never "winner" while collecting).
  const decision = results.state === 'ready' ? (results.data?.decision ?? null) : null;
  useEffect(() => onDecision?.(decision), [decision, onDecision]);

  const [refresh, setRefresh] = useState<{ busy: boolean; error: string | null }>({ busy: false, error: null });
  const recompute = async () => {
    setRefresh({ busy: true, error: null });
    try {
      results.set(await api.refreshResults(experiment.key, query));
      setRefresh({ busy: false, error: null });
    } catch (error) {
      setRefresh({ busy: false, error: `Could not recompute: ${messageOf(error)}` });
    }
  };

  const setSegment = (next: { segment: string | null; metric: string | null }) => {
    const params = new URLSearchParams(search);
    if (next.segment) params.set('segment', next.segment);
    else params.delete('segment');
    if (next.segment && next.metric) params.set('segmentMetric', next.metric);
    else params.delete('segmentMetric');
    const query = params.toString();
    navigate(`${pathname}${query ? `?${query}` : ''}`, { replace: true });
  };

  return (
    <section className="card results-area" aria-labelledby="results-title" data-testid="results-area">
      <div className="results-head">
        <h2 id="results-title">Results</h2>
        {!neverStarted && (
          <div className="results-actions">
            <Permitted action="edit">
              <button type="button" className="button" onClick={() => void recompute()} disabled={refresh.busy}>
                {refresh.busy ? 'Recomputing…' : 'Recompute now'}
              </button>
            </Permitted>
            <CsvExportButton experimentKey={experiment.key} query={query} />
          </div>
        )}
      </div>
      {refresh.error && (
        <p className="field-error" role="alert">
          {refresh.error}
        </p>
      )}
      {neverStarted ? (
        <Empty>
          <p>No results yet: the experiment has not started. Results appear here once units are exposed.</p>
        </Empty>
      ) : (
        <>
          {results.state === 'loading' ? (
            <Loading label="Loading results…" />
          ) : results.state === 'error' ? (
            <ErrorState error={results.error} title="Results are unavailable" onRetry={results.reload} />
          ) : results.data === null ? null : results.data.exposures.units === 0 ? (
            <Empty>
              <p>No units exposed yet. Results appear once the SDK reports exposures for this experiment.</p>
            </Empty>
          ) : (
            <ResultsView results={results.data} />
          )}
          <section className="segments" aria-labelledby="segments-title">
            <h3 id="segments-title">Segments</h3>
            <SegmentSelector
              experimentKey={experiment.key}
              segment={segment}
              metric={segmentMetric}
              metrics={results.state === 'ready' && results.data ? results.data.metrics : []}
              computedAt={results.state === 'ready' && results.data ? results.data.computedAt : null}
              onChange={setSegment}
            />
            {segment && results.state === 'ready' && results.data?.segments && <SegmentBreakdown segments={results.data.segments} results={results.data} />}
            {segment && results.state === 'ready' && results.data && !results.data.segments && <p className="muted">No breakdown was returned for <code>{segment}</code>.</p>}
          </section>
        </>
      )}
    </section>
  );
}
