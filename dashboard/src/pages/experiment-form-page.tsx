import { useApi } from '../app/api-context.js';
import { Link, navigate, useLocation } from '../app/router.js';
import { useResource } from '../app/use-resource.js';
import { StatusBadge } from '../components/status-badge.js';
import { ErrorState, Loading } from '../components/states.js';
import { ExperimentForm } from '../experiment-form/experiment-form.js';
import { draftFromExperiment, emptyDraft } from '../experiment-form/model.js';

const pathOf = (key: string) => `/experiments/${encodeURIComponent(key)}`;

export function ExperimentNewPage() {
  const api = useApi();
  const { search } = useLocation();
  const data = useResource(async (signal) => {
    const [touchpoints, metrics] = await Promise.all([api.listTouchpoints(signal), api.listMetrics(signal)]);
    return { touchpoints, metrics };
  }, [api]);
  return (
    <section className="page page-narrow" aria-labelledby="new-title">
      <p className="breadcrumb">
        <Link to="/experiments">Experiments</Link> /
      </p>
      <h1 id="new-title">New experiment</h1>
      {data.state === 'loading' && <Loading />}
      {data.state === 'error' && <ErrorState error={data.error} title="Could not load touchpoints and metrics" onRetry={data.reload} />}
      {data.state === 'ready' && (
        <ExperimentForm
          initial={emptyDraft(search.get('touchpoint') ?? '')}
          touchpoints={data.data.touchpoints}
          metrics={data.data.metrics}
          onSaved={(e) => navigate(pathOf(e.key))}
          onCancel={() => navigate('/experiments')}
        />
      )}
    </section>
  );
}

export function ExperimentEditPage({ experimentKey }: { experimentKey: string }) {
  const api = useApi();
  const data = useResource(async (signal) => {
    const [experiment, touchpoints, metrics] = await Promise.all([api.getExperiment(experimentKey, signal), api.listTouchpoints(signal), api.listMetrics(signal)]);
    return { experiment, touchpoints, metrics };
  }, [api, experimentKey]);
  return (
    <section className="page page-narrow" aria-labelledby="edit-title">
      <p className="breadcrumb">
        <Link to="/experiments">Experiments</Link> / <Link to={pathOf(experimentKey)}>{data.data?.experiment.name ?? experimentKey}</Link> /
      </p>
      <h1 id="edit-title">
        Edit experiment {data.data && <StatusBadge status={data.data.experiment.status} />}
      </h1>
      {data.state === 'loading' && <Loading />}
      {data.state === 'error' && <ErrorState error={data.error} title="Could not load the experiment" onRetry={data.reload} />}
      {data.state === 'ready' && (
        <>
          {data.data.experiment.status !== 'draft' && (
            <p className="notice">
              {data.data.experiment.status === 'stopped'
                ? 'This experiment is stopped: only its name and hypothesis can change.'
                : `This experiment is ${data.data.experiment.status}: fields that would reshuffle exposed units are locked.`}
            </p>
          )}
          <ExperimentForm
            initial={draftFromExperiment(data.data.experiment)}
            original={data.data.experiment}
            touchpoints={data.data.touchpoints}
            metrics={data.data.metrics}
            onSaved={(e) => navigate(pathOf(e.key))}
            onCancel={() => navigate(pathOf(experimentKey))}
          />
        </>
      )}
    </section>
  );
}
