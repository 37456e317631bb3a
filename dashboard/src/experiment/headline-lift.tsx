import type { ExperimentResults } from '../api/results-types.js';
import type { Experiment } from '../api/types.js';
import { useApi } from '../app/api-context.js';
import { useResource } from '../app/use-resource.js';
import { formatInteger } from '../components/format.js';
import { DASH, headline, interval, signedPercent } from './results-format.js';

/**
 * The results of a running experiment for a summary (list row, funnel overview): one results request
 * per running experiment shown (the server answers from its snapshot); nothing for the others.
 */
function useSummary(experiment: Experiment) {
  const api = useApi();
  const wanted = experiment.status === 'running' && experiment.startedAt !== null;
  return useResource<ExperimentResults | null>(
    (signal) => (wanted ? api.experimentResults(experiment.key, {}, signal) : Promise.resolve(null)),
    [api, experiment.key, wanted, experiment.version],
  );
}

export function HeadlineLiftText({ results }: { results: ExperimentResults }) {
  const h = headline(results);
  if (!h || h.comparison.relativeLift.estimate === null) return <span className="muted">{DASH}</span>;
  const { comparison: c } = h;
  const badge = c.significant ? (c.verdict === 'bad' ? 'Worse' : 'Significant') : 'Not significant';
  return (
    <span className="headline-lift" title={`${h.metric.name}, ${h.variant} vs control`}>
      <strong>{signedPercent(c.relativeLift.estimate)}</strong> <span className="small muted">{interval(c.relativeLift.ci)}</span>{' '}
      <span className={`badge verdict-${c.significant ? c.verdict : 'inconclusive'}`}>{badge}</span>
      {results.srm.mismatch && <span className="badge verdict-bad"> SRM</span>}
    </span>
  );
}

/** Two cells of the experiments list: exposed units and the primary metric's lift. */
export function ResultsSummaryCells({ experiment }: { experiment: Experiment }) {
  const summary = useSummary(experiment);
  const results = summary.state === 'ready' ? summary.data : null;
  const loading = summary.state === 'loading' && experiment.status === 'running';
  return (
    <>
      <td data-label="Exposed units" data-slot="exposed-units" className={results ? undefined : 'muted'}>
        {results ? formatInteger(results.exposures.units) : loading ? '…' : DASH}
      </td>
      <td data-label="Primary lift" data-slot="primary-lift" className={results ? undefined : 'muted'}>
        {results ? <HeadlineLiftText results={results} /> : loading ? '…' : DASH}
      </td>
    </>
  );
}

/** "· lift: +16.7% [+0.9%, +32.4%] Significant" for the funnel overview. */
export function HeadlineLift({ experiment }: { experiment: Experiment }) {
  const summary = useSummary(experiment);
  return (
    <span className="lift-slot small" data-slot="headline-lift">
      {' '}
      · lift: {summary.state === 'ready' && summary.data ? <HeadlineLiftText results={summary.data} /> : summary.state === 'loading' ? '…' : DASH}
    </span>
  );
}
