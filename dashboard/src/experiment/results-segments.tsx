import { type FormEvent, useEffect, useState } from 'react';
import type { ExperimentResults, SegmentResults } from '../api/results-types.js';
import { useApi } from '../app/api-context.js';
import { messageOf } from '../api/problem.js';
import { useResource } from '../app/use-resource.js';
import { DASH, formatInteger, formatPercent, pValue } from '../components/format.js';
import { LiftBar, liftDomain } from './lift-bar.js';
import { VERDICT_LABEL, confidenceLevel, decidingLift, guardrailText, intervalName, isCollecting, metricValue } from './results-format.js';
import type { ResultsQuery } from '../api/client.js';

/** The server's rule for an exposure-attribute name. */
export const SEGMENT_ATTRIBUTE = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;

/**
 * Choose the exposure attribute to break results down by (kept in `?segment=`) and the metric
 * (`?segmentMetric=`, the primary by default). The attributes are the ones the experiment's exposures
 * carry (GET /api/experiments/:key/segments), not a fixed list; any other name can still be typed.
 */
export function SegmentSelector({
  experimentKey,
  segment,
  metric,
  metrics,
  computedAt,
  onChange,
}: {
  experimentKey: string;
  /** When the results shown were computed: the attributes are asked again with new results (new exposures). */
  computedAt: string | null;
  segment: string | null;
  metric: string | null;
  metrics: readonly { key: string; name: string; role: string }[];
  onChange: (next: { segment: string | null; metric: string | null }) => void;
}) {
  const api = useApi();
  const seen = useResource((signal) => api.segmentAttributes(experimentKey, signal), [api, experimentKey, computedAt]);
  const attributes = seen.state === 'ready' ? seen.data : [];
  const known = segment === null || attributes.some((a) => a.name === segment);
  const [choice, setChoice] = useState(segment ?? '');
  const [other, setOther] = useState('');
  const [error, setError] = useState<string | null>(null);
  useEffect(() => setChoice(segment ?? ''), [segment]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (choice !== OTHER) return;
    const name = other.trim();
    if (!SEGMENT_ATTRIBUTE.test(name)) {
      setError('An attribute name starts with a letter or "_", then letters, digits, "_", "." or "-" (at most 64).');
      return;
    }
    setError(null);
    onChange({ segment: name, metric });
  };

  return (
    <form className="segment-form" onSubmit={submit} aria-label="Segment">
      <div className="field-inline">
        <label htmlFor="segment-choice">Break down by</label>
        <select
          id="segment-choice"
          value={choice}
          onChange={(e) => {
            const value = e.target.value;
            setChoice(value);
            setError(null);
            if (value !== OTHER) onChange({ segment: value === '' ? null : value, metric: value === '' ? null : metric });
          }}
        >
          <option value="">No segment</option>
          {attributes.map((a) => (
            <option key={a.name} value={a.name}>
              {a.name} ({formatInteger(a.units)} units)
            </option>
          ))}
          {!known && segment !== null && <option value={segment}>{segment}</option>}
          <option value={OTHER}>Other attribute…</option>
        </select>
        {seen.state === 'ready' && attributes.length === 0 && <span className="muted small">No exposure carries attributes yet.</span>}
      </div>
      {choice === OTHER && (
        <div className="field-inline">
          <label htmlFor="segment-other">Attribute</label>
          <input
            id="segment-other"
            value={other}
            onChange={(e) => setOther(e.target.value)}
            placeholder="e.g. plan"
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? 'segment-error' : undefined}
          />
          <button type="submit" className="button">
            Show
          </button>
        </div>
      )}
      {segment !== null && metrics.length > 1 && (
        <div className="field-inline">
          <label htmlFor="segment-metric">Metric</label>
          <select id="segment-metric" value={metric ?? ''} onChange={(e) => onChange({ segment, metric: e.target.value || null })}>
            {metrics.map((m) => (
              <option key={m.key} value={m.role === 'primary' ? '' : m.key}>
                {m.name}
                {m.role === 'primary' ? ' (primary)' : ''}
              </option>
            ))}
          </select>
        </div>
      )}
      {error && (
        <p id="segment-error" className="field-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

const OTHER = '\u0000other';

/**
 * One metric per value of one exposure attribute. Each segment gets its own lift scale: one shared
 * scale would be set by the widest interval (often a small segment's), and a +2% lift in the largest
 * segment would shrink to a dot. The scale is written beside each segment, so bars are not compared
 * across segments by mistake.
 */
export function SegmentBreakdown({ segments, results }: { segments: SegmentResults; results: ExperimentResults }) {
  const metric = results.metrics.find((m) => m.key === segments.metric) ?? { type: 'conversion' as const, name: segments.metric, direction: 'increase' as const, role: 'secondary' as const };
  const names = new Map(results.variants.map((v) => [v.key, v.name]));
  const level = confidenceLevel(results.experiment.alpha);
  const collecting = isCollecting(results.decision);
  const sequential = results.experiment.sequential !== null;
  if (segments.values.length === 0) return <p className="muted">No exposure carries the attribute <code>{segments.attribute}</code>.</p>;
  return (
    <div className="table-wrap" data-testid="segment-breakdown">
      <table className="table table-stack results-table">
        <caption>
          {metric.name} by <code>{segments.attribute}</code> (top {segments.top} values; the rest under “other”). Each segment’s lift bars have their own scale.
        </caption>
        <thead>
          <tr>
            <th scope="col">{segments.attribute}</th>
            <th scope="col">Variant</th>
            <th scope="col">Units</th>
            <th scope="col">Value</th>
            <th scope="col">Lift ({intervalName(level, sequential)})</th>
            <th scope="col">Adjusted p</th>
            <th scope="col">Verdict</th>
          </tr>
        </thead>
        <tbody>
          {segments.values.flatMap((s) => {
            const lifts = s.variants.map((v) => (v.comparison ? decidingLift(v.comparison) : null));
            const domain = liftDomain(
              lifts.map((l) => l?.ci),
              lifts.map((l) => l?.estimate),
            );
            const label = s.kind === 'other' ? 'other' : s.kind === 'none' ? '(not set)' : (s.value ?? DASH);
            return s.variants.map((v, i) => {
              const c = v.comparison;
              const lift = lifts[i];
              return (
                <tr key={`${s.kind}-${s.value}-${v.key}`} className={i === 0 ? 'segment-first' : undefined}>
                  <th scope="row" data-label={segments.attribute}>
                    {label} <span className="muted small">({formatInteger(s.units)} units)</span>
                    {i === 0 && <span className="muted small segment-scale" data-slot="segment-scale"> · scale ±{formatPercent(domain, 1)}</span>}
                  </th>
                  <td data-label="Variant">{names.get(v.key) ?? v.key}</td>
                  <td data-label="Units">{formatInteger(v.units)}</td>
                  <td data-label="Value">{metricValue(metric, v.value)}</td>
                  <td data-label="Lift">{c && lift ? <LiftBar estimate={lift.estimate} ci={lift.ci} domain={domain} verdict={collecting ? 'inconclusive' : c.verdict} level={level} /> : DASH}</td>
                  <td data-label="Adjusted p">{lift ? pValue(lift.adjustedPValue) : DASH}</td>
                  <td data-label="Verdict">
                    {!c ? DASH : metric.role === 'guardrail' ? (guardrailText(metric, c) ?? DASH) : collecting ? <span className="badge verdict-inconclusive">Collecting data</span> : <span className={`badge verdict-${c.verdict}`}>{VERDICT_LABEL[c.verdict]}</span>}
                  </td>
                </tr>
              );
            });
          })}
        </tbody>
      </table>
    </div>
  );
}

/** Downloads the CSV: fetched with the admin key (a link could not send it), saved through a Blob URL. */
export function CsvExportButton({ experimentKey, query }: { experimentKey: string; query: ResultsQuery }) {
  const api = useApi();
  const [state, setState] = useState<{ busy: boolean; message: string | null; error: boolean }>({ busy: false, message: null, error: false });
  const download = async () => {
    setState({ busy: true, message: 'Preparing the CSV…', error: false });
    try {
      const { blob, filename } = await api.experimentResultsCsv(experimentKey, query);
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = filename;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
      setState({ busy: false, message: `Downloaded ${filename}.`, error: false });
    } catch (error) {
      setState({ busy: false, message: `The CSV could not be downloaded: ${messageOf(error)}`, error: true });
    }
  };
  return (
    <div className="csv-export">
      <button type="button" className="button" onClick={() => void download()} disabled={state.busy}>
        Export CSV
      </button>
      <span className={state.error ? 'field-error small' : 'muted small'} role={state.error ? 'alert' : 'status'}>
        {state.message}
      </span>
    </div>
  );
}
