import { type FormEvent, useEffect, useState } from 'react';
import type { ExperimentResults, SegmentResults } from '../api/results-types.js';
import { useApi } from '../app/api-context.js';
import { messageOf } from '../api/problem.js';
import { formatInteger } from '../components/format.js';
import { LiftBar, liftDomain } from './lift-bar.js';
import { DASH, VERDICT_LABEL, confidenceLevel, metricValue, pValue } from './results-format.js';

export const SEGMENT_SUGGESTIONS = ['device', 'channel', 'country'] as const;
/** The server's rule for an exposure-attribute name. */
export const SEGMENT_ATTRIBUTE = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;

/** Choose the exposure attribute to break the primary metric down by (kept in `?segment=`). */
export function SegmentSelector({ segment, onChange }: { segment: string | null; onChange: (segment: string | null) => void }) {
  const known = segment === null || (SEGMENT_SUGGESTIONS as readonly string[]).includes(segment);
  const [choice, setChoice] = useState(segment === null ? '' : known ? segment : 'other');
  const [other, setOther] = useState(known ? '' : (segment ?? ''));
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setChoice(segment === null ? '' : known ? segment : 'other');
    if (!known) setOther(segment ?? '');
  }, [segment, known]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (choice !== 'other') return;
    const name = other.trim();
    if (!SEGMENT_ATTRIBUTE.test(name)) {
      setError('An attribute name starts with a letter or "_", then letters, digits, "_", "." or "-" (at most 64).');
      return;
    }
    setError(null);
    onChange(name);
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
            if (value !== 'other') onChange(value === '' ? null : value);
          }}
        >
          <option value="">No segment</option>
          {SEGMENT_SUGGESTIONS.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
          <option value="other">Other attribute…</option>
        </select>
      </div>
      {choice === 'other' && (
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
      {error && (
        <p id="segment-error" className="field-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

/** The primary metric per value of one exposure attribute. */
export function SegmentBreakdown({ segments, results }: { segments: SegmentResults; results: ExperimentResults }) {
  const metric = results.metrics.find((m) => m.key === segments.metric) ?? { type: 'conversion' as const, name: segments.metric };
  const names = new Map(results.variants.map((v) => [v.key, v.name]));
  const level = confidenceLevel(results.experiment.alpha);
  const comparisons = segments.values.flatMap((s) => s.variants.map((v) => v.comparison));
  const domain = liftDomain(
    comparisons.map((c) => c?.relativeLift.ci),
    comparisons.map((c) => c?.relativeLift.estimate),
  );
  if (segments.values.length === 0) return <p className="muted">No exposure carries the attribute <code>{segments.attribute}</code>.</p>;
  return (
    <div className="table-wrap" data-testid="segment-breakdown">
      <table className="table table-stack results-table">
        <caption>
          {metric.name} by <code>{segments.attribute}</code> (top {segments.top} values; the rest under “other”)
        </caption>
        <thead>
          <tr>
            <th scope="col">{segments.attribute}</th>
            <th scope="col">Variant</th>
            <th scope="col">Units</th>
            <th scope="col">Value</th>
            <th scope="col">Lift ({level} interval)</th>
            <th scope="col">Adjusted p</th>
            <th scope="col">Verdict</th>
          </tr>
        </thead>
        <tbody>
          {segments.values.flatMap((s) =>
            s.variants.map((v, i) => {
              const c = v.comparison;
              const label = s.kind === 'other' ? 'other' : s.kind === 'none' ? '(not set)' : (s.value ?? DASH);
              return (
                <tr key={`${s.kind}-${s.value}-${v.key}`} className={i === 0 ? 'segment-first' : undefined}>
                  <th scope="row" data-label={segments.attribute}>
                    {label} <span className="muted small">({formatInteger(s.units)} units)</span>
                  </th>
                  <td data-label="Variant">{names.get(v.key) ?? v.key}</td>
                  <td data-label="Units">{formatInteger(v.units)}</td>
                  <td data-label="Value">{metricValue(metric, v.value)}</td>
                  <td data-label="Lift">{c ? <LiftBar estimate={c.relativeLift.estimate} ci={c.relativeLift.ci} domain={domain} verdict={c.verdict} level={level} /> : DASH}</td>
                  <td data-label="Adjusted p">{c ? pValue(c.adjustedPValue) : DASH}</td>
                  <td data-label="Verdict">{c ? <span className={`badge verdict-${c.verdict}`}>{VERDICT_LABEL[c.verdict]}</span> : DASH}</td>
                </tr>
              );
            }),
          )}
        </tbody>
      </table>
    </div>
  );
}

/** Downloads the CSV: fetched with the admin key (a link could not send it), saved through a Blob URL. */
export function CsvExportButton({ experimentKey, segment }: { experimentKey: string; segment: string | null }) {
  const api = useApi();
  const [state, setState] = useState<{ busy: boolean; message: string | null; error: boolean }>({ busy: false, message: null, error: false });
  const download = async () => {
    setState({ busy: true, message: 'Preparing the CSV…', error: false });
    try {
      const { blob, filename } = await api.experimentResultsCsv(experimentKey, segment ? { segment } : {});
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
