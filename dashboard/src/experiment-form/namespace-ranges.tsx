import { useApi } from '../app/api-context.js';
import { useResource } from '../app/use-resource.js';

const percent = (share: number) => `${Number((share * 100).toFixed(2))} %`;
const span = ([start, end]: readonly [number, number]) => `${percent(start)} – ${percent(end)}`;

/**
 * What the chosen namespace has left (GET /api/namespaces): the ranges running and paused experiments
 * hold, the free ones, and a warning when the range typed overlaps a held one — the server would refuse
 * to start the experiment then (409 namespace-conflict). The experiment itself is left out (a live one
 * holds its own range).
 */
export function NamespaceRanges({ namespaceId, experimentKey, range }: { namespaceId: string; experimentKey: string; range: [number, number] | null }) {
  const api = useApi();
  const namespaces = useResource((signal) => api.listNamespaces(signal), []);
  if (!namespaceId) return null;
  if (namespaces.state === 'loading') return <p className="hint">Loading the ranges in use…</p>;
  if (namespaces.state === 'error') return <p className="hint">The ranges in use could not be loaded.</p>;
  const usage = namespaces.data.find((n) => n.id === namespaceId);
  const held = (usage?.experiments ?? []).filter((e) => e.key !== experimentKey);
  const free = freeOf(held.map((e) => e.range));
  const conflicts = range ? held.filter((e) => e.range[0] < range[1] && range[0] < e.range[1]) : [];
  return (
    <div id="namespace-ranges" className="hint" aria-live="polite">
      <p>
        Free in <strong>{namespaceId}</strong>: {free.length ? free.map(span).join(', ') : 'nothing — every range is held'}
        {held.length > 0 && <> (held: {held.map((e) => `${e.key} ${span(e.range)}, ${e.status}`).join('; ')})</>}
      </p>
      {conflicts.length > 0 && (
        <p role="alert" className="field-error">
          This range overlaps {conflicts.map((e) => e.key).join(', ')}: starting the experiment will be refused. Choose a range inside the free ones.
        </p>
      )}
    </div>
  );
}

/** [0, 1) less the held ranges, in order (the server's experiments/namespaces.ts freeRanges). */
function freeOf(held: readonly (readonly [number, number])[]): [number, number][] {
  const free: [number, number][] = [];
  let from = 0;
  for (const [start, end] of [...held].sort((a, b) => a[0] - b[0])) {
    if (start > from) free.push([from, start]);
    from = Math.max(from, end);
  }
  if (from < 1) free.push([from, 1]);
  return free;
}
