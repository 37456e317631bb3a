import { type FormEvent, useRef, useState } from 'react';
import { useApi } from '../app/api-context.js';
import { ApiError, messageOf } from '../api/problem.js';
import { fieldLabel } from '../components/field-labels.js';
import type { Experiment, Metric, Touchpoint } from '../api/types.js';
import { Field } from '../components/field.js';
import type { SectionProps } from './context.js';
import { type FieldErrors, type FormDraft, type Lockable, lockReason, toCreateBody, toPatch, validate } from './model.js';
import { MetricsPicker } from './metrics-picker.js';
import { SampleSizeEstimate } from './sample-size-estimate.js';
import { AnalysisSection } from './analysis-section.js';
import { TargetingEditor } from './targeting-editor.js';
import { TouchpointPicker } from './touchpoint-picker.js';
import { VariantsEditor } from './variants-editor.js';
import { AudienceSection } from './audience-section.js';

export interface ExperimentFormProps {
  initial: FormDraft;
  /** The experiment being edited; absent when creating. */
  original?: Experiment;
  touchpoints: Touchpoint[];
  metrics: Metric[];
  onSaved: (experiment: Experiment) => void;
  onCancel: () => void;
}

/**
 * Create or edit an experiment. Client rules are checked as you type (fields you touched) and all
 * at once on submit; the server's problem document is shown next to each field it names, and in a
 * summary at the top for anything else.
 */
export function ExperimentForm({ initial, original, touchpoints: initialTouchpoints, metrics: initialMetrics, onSaved, onCancel }: ExperimentFormProps) {
  const api = useApi();
  const mode = original ? 'edit' : 'create';
  const status = original?.status ?? 'draft';
  const [draft, setDraft] = useState(initial);
  const [touched, setTouched] = useState<Set<string>>(new Set());
  const [submitted, setSubmitted] = useState(false);
  const [serverError, setServerError] = useState<ApiError | Error | null>(null);
  const [busy, setBusy] = useState(false);
  const [touchpoints, setTouchpoints] = useState(initialTouchpoints);
  const [metrics, setMetrics] = useState(initialMetrics);
  const summary = useRef<HTMLDivElement>(null);

  const clientErrors: FieldErrors = validate(draft, { mode, original });
  const serverFieldErrors = serverError instanceof ApiError ? serverError.errors : [];

  const update: SectionProps['update'] = (change, fields) => {
    setDraft((d) => ({ ...d, ...change }));
    setTouched((t) => new Set([...t, ...fields]));
    // A field's server message no longer applies once it is edited.
    if (serverError instanceof ApiError && serverError.errors.some((e) => fields.some((f) => e.field === f || e.field.startsWith(`${f}.`)))) {
      const remaining = serverError.errors.filter((e) => !fields.some((f) => e.field === f || e.field.startsWith(`${f}.`)));
      setServerError(new ApiError(serverError.status, serverError.type, serverError.title, serverError.detail, remaining, serverError.requestId));
    }
  };
  const errorsOf = (field: string) => [
    ...(submitted || touched.has(field) ? (clientErrors[field] ?? []) : []),
    ...serverFieldErrors.filter((e) => e.field === field).map((e) => e.detail),
  ];
  const lock = (field: Lockable) => lockReason(field, mode, status, draft.newPhase);
  const section: SectionProps = { draft, update, errorsOf, lock, submitted };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (Object.keys(clientErrors).length) {
      setServerError(null);
      setTimeout(() => summary.current?.focus(), 0);
      return;
    }
    setBusy(true);
    setServerError(null);
    try {
      if (original) {
        const patch = toPatch(draft, original);
        onSaved(Object.keys(patch).length ? await api.updateExperiment(original.key, original.version, patch) : original);
      } else {
        onSaved(await api.createExperiment(toCreateBody(draft)));
      }
    } catch (e) {
      setServerError(e instanceof Error ? e : new Error(messageOf(e)));
      setBusy(false);
      setTimeout(() => summary.current?.focus(), 0);
    }
  };

  const clientCount = Object.values(clientErrors).flat().length;
  const showClientSummary = submitted && clientCount > 0;

  return (
    <form className="experiment-form" onSubmit={submit} noValidate aria-label={mode === 'create' ? 'New experiment' : `Edit ${original?.name}`}>
      <div ref={summary} tabIndex={-1} className="summary-anchor">
        {showClientSummary && (
          <div className="state state-error" role="alert">
            <p>
              <strong>Fix {clientCount === 1 ? 'this problem' : `these ${clientCount} problems`} first:</strong>
            </p>
            <ul>
              {Object.entries(clientErrors).flatMap(([field, messages]) => messages.map((m, i) => <li key={`${field}-${i}`}>{`${field}: ${m}`}</li>))}
            </ul>
          </div>
        )}
        {serverError && <ServerSummary error={serverError} />}
      </div>

      <fieldset className="section">
        <legend>Basics</legend>
        <div className="grid-2">
          <Field
            id="key"
            label="Key"
            hint="Used in code: getVariant('key'). Lower-case letters, digits and hyphens; cannot change later."
            errors={errorsOf('key')}
            lock={lock('key')}
          >
            {(p) => <input {...p} value={draft.key} spellCheck={false} autoCapitalize="off" autoComplete="off" onChange={(e) => update({ key: e.target.value }, ['key'])} />}
          </Field>
          <Field id="name" label="Name" errors={errorsOf('name')}>
            {(p) => <input {...p} value={draft.name} onChange={(e) => update({ name: e.target.value }, ['name'])} />}
          </Field>
        </div>
        <Field id="hypothesis" label="Hypothesis" hint="If we change X for Y, metric Z will move because…" errors={errorsOf('hypothesis')}>
          {(p) => <textarea {...p} rows={3} value={draft.hypothesis} onChange={(e) => update({ hypothesis: e.target.value }, ['hypothesis'])} />}
        </Field>
      </fieldset>

      <TouchpointPicker
        touchpoints={touchpoints}
        value={draft.touchpointKey}
        onChange={(key) => update({ touchpointKey: key }, ['touchpointKey'])}
        onCreated={(t) => {
          setTouchpoints((list) => [...list, t]);
          update({ touchpointKey: t.key }, ['touchpointKey']);
        }}
        errors={errorsOf('touchpointKey')}
        lock={lock('touchpointKey')}
      />

      {original && original.status !== 'draft' && original.status !== 'stopped' && (
        <div className="section new-phase">
          <div className="field-inline">
            <input id="newPhase" type="checkbox" checked={draft.newPhase} onChange={(e) => update({ newPhase: e.target.checked }, ['newPhase'])} aria-describedby="newPhase-hint" />
            <label htmlFor="newPhase">Start a new phase</label>
          </div>
          <p id="newPhase-hint" className="hint">
            This experiment is {original.status}. Changing weights, payloads or targeting, or lowering coverage, opens a new phase: results
            compare each phase with its own weights. Raising coverage needs no new phase.
          </p>
        </div>
      )}

      <VariantsEditor {...section} />
      <AudienceSection {...section} />
      <TargetingEditor {...section} />
      <MetricsPicker
        {...section}
        metrics={metrics}
        onCreated={(m) => {
          setMetrics((list) => [...list, m]);
          if (!draft.primaryMetric) update({ primaryMetric: m.key }, ['primaryMetric']);
        }}
        onUpdated={(m) => setMetrics((list) => list.map((x) => (x.key === m.key ? m : x)))}
      />
      <SampleSizeEstimate {...section} />
      <AnalysisSection {...section} />

      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? 'Saving…' : mode === 'create' ? 'Create experiment' : 'Save changes'}
        </button>
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function ServerSummary({ error }: { error: Error }) {
  const api = error instanceof ApiError ? error : null;
  const stale = api && (api.status === 412 || api.type === 'version-conflict');
  return (
    <div className="state state-error" role="alert">
      <p>
        <strong>{api ? `The server refused the change (${api.title}).` : 'Saving failed.'}</strong> {stale ? 'Someone changed this experiment since you opened it: reload the page and apply your change again.' : messageOf(error)}
      </p>
      {api && api.errors.length > 0 && (
        <ul>
          {api.errors.map((e, i) => (
            <li key={i}>
              <strong>{fieldLabel(e.field)}</strong>: {e.detail}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
