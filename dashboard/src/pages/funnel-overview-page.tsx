import { HeadlineLift, ResultsSummaries } from '../experiment/headline-lift.js';
import { ServingEveryone } from '../experiment/rollout-status.js';
import { useApi } from '../app/api-context.js';
import { Permitted } from '../app/permitted.js';
import { Link } from '../app/router.js';
import { useResource } from '../app/use-resource.js';
import { type Experiment, FUNNEL_STAGES, type Touchpoint } from '../api/types.js';
import { KIND_LABEL, STAGE_LABEL, daysRunning, formatDays } from '../components/format.js';
import { Empty, ErrorState, Loading } from '../components/states.js';

/**
 * Where in the funnel the team is testing: touchpoints grouped by stage (awareness → retention),
 * each with its running experiments and the winners shipped there (served to everyone); stages and
 * touchpoints with no running experiment are marked "not tested".
 */
export function FunnelOverviewPage() {
  const api = useApi();
  const data = useResource(
    async (signal) => {
      const [touchpoints, running, stopped] = await Promise.all([
        api.listTouchpoints(signal),
        api.listExperiments({ status: 'running' }, signal),
        api.listExperiments({ status: 'stopped' }, signal),
      ]);
      return { touchpoints, running, shipped: stopped.filter((e) => e.rollout !== null) };
    },
    [api],
  );

  return (
    <section className="page" aria-labelledby="funnel-title">
      <div className="page-head">
        <h1 id="funnel-title">Funnel overview</h1>
        <Permitted action="edit">
          <Link to="/new-experiment" className="button button-primary">
            New experiment
          </Link>
        </Permitted>
      </div>
      {data.state === 'loading' && <Loading label="Loading the funnel…" />}
      {data.state === 'error' && <ErrorState error={data.error} title="Could not load the funnel" onRetry={data.reload} />}
      {data.state === 'ready' && <Funnel touchpoints={data.data.touchpoints} running={data.data.running} shipped={data.data.shipped} />}
    </section>
  );
}

function Funnel({ touchpoints, running, shipped }: { touchpoints: Touchpoint[]; running: Experiment[]; shipped: Experiment[] }) {
  if (touchpoints.length === 0) {
    return (
      <Empty>
        <p>No touchpoints yet. A touchpoint is a place in your funnel you want to test, such as a checkout button.</p>
        <Permitted action="edit">
          <p>
            <Link to="/new-experiment">Create an experiment</Link> and add its touchpoint on the way.
          </p>
        </Permitted>
      </Empty>
    );
  }
  const byTouchpoint = new Map<string, Experiment[]>();
  for (const experiment of running) {
    byTouchpoint.set(experiment.touchpointKey, [...(byTouchpoint.get(experiment.touchpointKey) ?? []), experiment]);
  }
  const shippedAt = new Map<string, Experiment[]>();
  for (const experiment of shipped) {
    shippedAt.set(experiment.touchpointKey, [...(shippedAt.get(experiment.touchpointKey) ?? []), experiment]);
  }
  const tested = FUNNEL_STAGES.filter((stage) => touchpoints.some((t) => t.funnelStage === stage && byTouchpoint.has(t.key))).length;

  return (
    <>
      <p className="lead">
        {running.length === 0 ? 'No experiment is running.' : `${running.length} running experiment${running.length === 1 ? '' : 's'}`} · {tested} of{' '}
        {FUNNEL_STAGES.length} funnel stages tested.
      </p>
      <ResultsSummaries>
        <ol className="funnel">
          {FUNNEL_STAGES.map((stage, index) => {
            const inStage = touchpoints.filter((t) => t.funnelStage === stage);
            const stageTested = inStage.some((t) => byTouchpoint.has(t.key));
            return (
              <li key={stage} className={`stage ${stageTested ? 'stage-tested' : 'stage-untested'}`} aria-labelledby={`stage-${stage}`}>
                <div className="stage-head">
                  <h2 id={`stage-${stage}`}>
                    <span className="stage-step" aria-hidden="true">
                      {index + 1}
                    </span>
                    {STAGE_LABEL[stage]}
                  </h2>
                  {stageTested ? <span className="tag tag-tested">Testing</span> : <span className="tag tag-untested">Not tested</span>}
                </div>
                {inStage.length === 0 ? (
                  <p className="muted small">No touchpoint in this stage.</p>
                ) : (
                  <ul className="touchpoints">
                    {inStage.map((touchpoint) => (
                      <TouchpointCard
                        key={touchpoint.key}
                        touchpoint={touchpoint}
                        experiments={byTouchpoint.get(touchpoint.key) ?? []}
                        shipped={shippedAt.get(touchpoint.key) ?? []}
                      />
                    ))}
                  </ul>
                )}
              </li>
            );
          })}
        </ol>
      </ResultsSummaries>
    </>
  );
}

function TouchpointCard({ touchpoint, experiments, shipped }: { touchpoint: Touchpoint; experiments: Experiment[]; shipped: Experiment[] }) {
  return (
    <li className="touchpoint">
      <h3>
        {touchpoint.name} <span className="muted small">({KIND_LABEL[touchpoint.kind]})</span>
      </h3>
      {experiments.length === 0 ? (
        <p className="muted small">Not tested — no running experiment.</p>
      ) : (
        <ul className="running-list">
          {experiments.map((experiment) => (
            <li key={experiment.key}>
              <Link to={`/experiments/${encodeURIComponent(experiment.key)}`}>{experiment.name}</Link>
              <span className="muted small"> · {formatDays(daysRunning(experiment.startedAt, experiment.stoppedAt))}</span>
              <HeadlineLift experiment={experiment} />
            </li>
          ))}
        </ul>
      )}
      {shipped.length > 0 && (
        <ul className="running-list" aria-label={`Shipped on ${touchpoint.name}`}>
          {shipped.map((experiment) => (
            <li key={experiment.key}>
              <ServingEveryone experiment={experiment} /> <span className="small">from</span>{' '}
              <Link to={`/experiments/${encodeURIComponent(experiment.key)}`}>{experiment.name}</Link>
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}
