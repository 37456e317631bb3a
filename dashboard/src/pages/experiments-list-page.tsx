import { ResultsSummaries, ResultsSummaryCells } from '../experiment/headline-lift.js';
import { useApi } from '../app/api-context.js';
import { Permitted, ReadOnlyNote } from '../app/permitted.js';
import { Link, navigate, useLocation } from '../app/router.js';
import { useDebounced, useResource } from '../app/use-resource.js';
import { EXPERIMENT_STATUSES, type Experiment, type ExperimentStatus, type Touchpoint } from '../api/types.js';
import { STATUS_LABEL, daysRunning, formatDays } from '../components/format.js';
import { Empty, ErrorState, Loading } from '../components/states.js';
import { StatusBadge } from '../components/status-badge.js';
import { useEffect, useState } from 'react';

const isStatus = (value: string | null): value is ExperimentStatus => EXPERIMENT_STATUSES.includes(value as ExperimentStatus);

/** Experiments with filters kept in the URL (so a filtered list can be shared and survives reload). */
export function ExperimentsListPage() {
  const api = useApi();
  const { search } = useLocation();
  const statusParam = search.get('status');
  const status = isStatus(statusParam) ? statusParam : undefined;
  const touchpointKey = search.get('touchpoint') ?? undefined;
  const archived = search.get('archived') === 'true';
  const [q, setQ] = useState(search.get('q') ?? '');
  const query = useDebounced(q.trim(), 300);

  const setParam = (name: string, value: string | undefined) => {
    const next = new URLSearchParams(window.location.search);
    if (value) next.set(name, value);
    else next.delete(name);
    const text = next.toString();
    navigate(`/experiments${text ? `?${text}` : ''}`, { replace: true });
  };
  useEffect(() => {
    if ((search.get('q') ?? '') !== query) setParam('q', query || undefined);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [query]);

  const touchpoints = useResource((signal) => api.listTouchpoints(signal), [api]);
  const experiments = useResource(
    (signal) => api.listExperiments({ status, touchpointKey, q: query || undefined, archived: archived || undefined }, signal),
    [api, status, touchpointKey, query, archived],
  );
  const filtered = Boolean(status || touchpointKey || query || archived);

  return (
    <section className="page" aria-labelledby="list-title">
      <div className="page-head">
        <h1 id="list-title">Experiments</h1>
        <Permitted action="edit" otherwise={<ReadOnlyNote action="edit" />}>
          <Link to="/new-experiment" className="button button-primary">
            New experiment
          </Link>
        </Permitted>
      </div>
      <form className="filters" role="search" aria-label="Filter experiments" onSubmit={(e) => e.preventDefault()}>
        <div className="field">
          <label htmlFor="filter-q">Search</label>
          <input id="filter-q" type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder="Name, key or hypothesis" />
        </div>
        <div className="field">
          <label htmlFor="filter-status">Status</label>
          <select id="filter-status" value={status ?? ''} onChange={(e) => setParam('status', e.target.value || undefined)}>
            <option value="">Any status</option>
            {EXPERIMENT_STATUSES.map((s) => (
              <option key={s} value={s}>
                {STATUS_LABEL[s]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="filter-touchpoint">Touchpoint</label>
          <select id="filter-touchpoint" value={touchpointKey ?? ''} onChange={(e) => setParam('touchpoint', e.target.value || undefined)}>
            <option value="">Any touchpoint</option>
            {(touchpoints.data ?? []).map((t) => (
              <option key={t.key} value={t.key}>
                {t.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field-inline filter-check">
          <input id="filter-archived" type="checkbox" checked={archived} onChange={(e) => setParam('archived', e.target.checked ? 'true' : undefined)} />
          <label htmlFor="filter-archived">Archived only</label>
        </div>
      </form>
      {experiments.state === 'loading' && <Loading label="Loading experiments…" />}
      {experiments.state === 'error' && <ErrorState error={experiments.error} title="Could not load experiments" onRetry={experiments.reload} />}
      {experiments.state === 'ready' &&
        (experiments.data.length === 0 ? (
          <Empty>
            {filtered ? (
              <p>No experiment matches these filters.</p>
            ) : (
              <p>
                No experiments yet.{' '}
                <Permitted action="edit">
                  <Link to="/new-experiment">Create the first one</Link>.
                </Permitted>
              </p>
            )}
          </Empty>
        ) : (
          <ExperimentTable experiments={experiments.data} touchpoints={touchpoints.data ?? []} />
        ))}
    </section>
  );
}

function ExperimentTable({ experiments, touchpoints }: { experiments: Experiment[]; touchpoints: Touchpoint[] }) {
  const names = new Map(touchpoints.map((t) => [t.key, t.name]));
  return (
    <ResultsSummaries>
      <div className="table-wrap">
        <table className="table table-stack">
          <caption className="visually-hidden">
            {experiments.length} experiment{experiments.length === 1 ? '' : 's'}
          </caption>
          <thead>
            <tr>
              <th scope="col">Experiment</th>
              <th scope="col">Touchpoint</th>
              <th scope="col">Status</th>
              <th scope="col">Days running</th>
              <th scope="col">Exposed units</th>
              <th scope="col">Primary lift</th>
            </tr>
          </thead>
          <tbody>
            {experiments.map((e) => (
              <tr key={e.key}>
                <th scope="row" data-label="Experiment">
                  <Link to={`/experiments/${encodeURIComponent(e.key)}`}>{e.name}</Link>
                  <div className="muted small mono">{e.key}</div>
                </th>
                <td data-label="Touchpoint">{names.get(e.touchpointKey) ?? e.touchpointKey}</td>
                <td data-label="Status">
                  <StatusBadge status={e.status} archived={Boolean(e.archivedAt)} />
                </td>
                <td data-label="Days running">{formatDays(daysRunning(e.startedAt, e.stoppedAt))}</td>
                <ResultsSummaryCells experiment={e} />
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </ResultsSummaries>
  );
}
