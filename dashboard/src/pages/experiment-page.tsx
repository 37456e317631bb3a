import { useState } from 'react';
import type { Decision } from '../api/results-types.js';
import { useApi } from '../app/api-context.js';
import { Permitted, ReadOnlyNote } from '../app/permitted.js';
import { Link } from '../app/router.js';
import { useResource } from '../app/use-resource.js';
import { ApiError } from '../api/problem.js';
import type { Experiment } from '../api/types.js';
import { daysRunning, formatDays, formatPercent } from '../components/format.js';
import { ErrorState, Loading } from '../components/states.js';
import { StatusBadge } from '../components/status-badge.js';
import { AuditHistory } from '../experiment/audit-history.js';
import { IntegrationSnippet } from '../experiment/integration-snippet.js';
import { LifecycleActions } from '../experiment/lifecycle-actions.js';
import { ResultsSection } from '../experiment/results-section.js';
import { StoppedBanner } from '../experiment/rollout-status.js';
import { ScriptTagPanel } from '../experiment/script-tag-panel.js';

export function ExperimentPage({ experimentKey }: { experimentKey: string }) {
  const api = useApi();
  const experiment = useResource((signal) => api.getExperiment(experimentKey, signal), [api, experimentKey]);

  return (
    <section className="page" aria-labelledby="experiment-title">
      <p className="breadcrumb">
        <Link to="/experiments">Experiments</Link> /
      </p>
      {experiment.state === 'loading' && (
        <>
          <h1 id="experiment-title">{experimentKey}</h1>
          <Loading label="Loading the experiment…" />
        </>
      )}
      {experiment.state === 'error' && (
        <>
          <h1 id="experiment-title">{experimentKey}</h1>
          <ErrorState
            error={experiment.error}
            title={experiment.error instanceof ApiError && experiment.error.status === 404 ? 'No such experiment' : 'Could not load the experiment'}
            onRetry={experiment.reload}
          />
        </>
      )}
      {experiment.state === 'ready' && <ExperimentDetail experiment={experiment.data} onChanged={experiment.set} />}
    </section>
  );
}

function ExperimentDetail({ experiment: e, onChanged }: { experiment: Experiment; onChanged: (e: Experiment) => void }) {
  const [decision, setDecision] = useState<Decision | null>(null);
  return (
    <>
      <div className="page-head">
        <div>
          <h1 id="experiment-title">{e.name}</h1>
          <p className="meta">
            <StatusBadge status={e.status} archived={Boolean(e.archivedAt)} /> <span className="mono">{e.key}</span> · touchpoint{' '}
            <Link to={`/experiments?touchpoint=${encodeURIComponent(e.touchpointKey)}`} className="mono">
              {e.touchpointKey}
            </Link>{' '}
            · {e.startedAt ? `${e.stoppedAt ? 'ran' : 'running'} for ${formatDays(daysRunning(e.startedAt, e.stoppedAt))}` : 'not started'}
            {e.phase !== null && e.phase > 1 && ` · phase ${e.phase}`}
          </p>
        </div>
        <Permitted action="edit" otherwise={<ReadOnlyNote action="edit" />}>
          <LifecycleActions experiment={e} advice={decision} onChanged={onChanged} />
        </Permitted>
      </div>
      <StoppedBanner experiment={e} decision={decision} onChanged={onChanged} />
      {e.hypothesis && (
        <p className="hypothesis">
          <strong>Hypothesis:</strong> {e.hypothesis}
        </p>
      )}

      {/* Full width: the per-metric tables have nine columns. */}
      <ResultsSection experiment={e} onDecision={setDecision} />
      <div className="columns">
        <div className="column-main">
          <section className="card" aria-labelledby="setup-title">
            <h2 id="setup-title">Setup</h2>
            <div className="table-wrap">
              <table className="table">
                <caption className="visually-hidden">Variants</caption>
                <thead>
                  <tr>
                    <th scope="col">Variant</th>
                    <th scope="col">Weight</th>
                    <th scope="col">Payload</th>
                    <th scope="col">Page changes</th>
                  </tr>
                </thead>
                <tbody>
                  {e.variants.map((v, i) => (
                    <tr key={v.key}>
                      <th scope="row">
                        {v.name} <span className="muted small mono">{v.key}</span>{i === 0 && v.key !== 'control' && <span className="muted small"> (control)</span>}
                      </th>
                      <td>{formatPercent(v.weight, 2)}</td>
                      <td className="mono small">{v.payload === null || v.payload === undefined ? '—' : JSON.stringify(v.payload)}</td>
                      <td className="small">
                        {(v.changes ?? []).map((c, j) => (
                          <div key={j} className="mono">
                            {c.selector} · {c.action}
                            {c.name ? ` ${c.name}` : ''}
                            {c.value !== undefined ? ` = ${c.value.length > 40 ? `${c.value.slice(0, 40)}…` : c.value}` : ''}
                          </div>
                        ))}
                        {v.redirect && <div className="mono">→ {v.redirect}</div>}
                        {!v.changes?.length && !v.redirect && '—'}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <dl className="facts">
              <dt>Coverage</dt>
              <dd>{formatPercent(e.coverage, 2)} of eligible traffic</dd>
              <dt>Targeting</dt>
              <dd className="mono small">{e.targeting ? JSON.stringify(e.targeting) : 'everyone'}</dd>
              <dt>Namespace</dt>
              <dd>{e.namespace ? `${e.namespace.id} [${formatPercent(e.namespace.range[0], 2)}, ${formatPercent(e.namespace.range[1], 2)})` : 'none'}</dd>
              <dt>Primary metric</dt>
              <dd>{e.primaryMetric ?? <span className="warning-text">none — needed to start</span>}</dd>
              <dt>Secondary metrics</dt>
              <dd>{e.secondaryMetrics.join(', ') || 'none'}</dd>
              <dt>Guardrail metrics</dt>
              <dd>{e.guardrailMetrics.join(', ') || 'none'}</dd>
              <dt>Minimum detectable effect</dt>
              <dd>{e.minimumDetectableEffect === null ? 'not set' : formatPercent(e.minimumDetectableEffect, 2)}</dd>
            </dl>
          </section>
        </div>
        <div className="column-side">
          <IntegrationSnippet experiment={e} />
          <ScriptTagPanel experiment={e} />
          <AuditHistory experimentKey={e.key} version={e.version} />
        </div>
      </div>
    </>
  );
}
