import { type KeyboardEvent, useState } from 'react';
import { useApi } from '../app/api-context.js';
import { ApiError, messageOf } from '../api/problem.js';
import { FUNNEL_STAGES, type FunnelStage, TOUCHPOINT_KINDS, type Touchpoint, type TouchpointKind } from '../api/types.js';
import { Field } from '../components/field.js';
import { KIND_LABEL, STAGE_LABEL } from '../components/format.js';
import { slugError } from './model.js';

/** Pick an existing touchpoint, or create one inline (it is saved at once and selected). */
export function TouchpointPicker({
  touchpoints,
  value,
  onChange,
  onCreated,
  errors,
  lock,
}: {
  touchpoints: Touchpoint[];
  value: string;
  onChange: (key: string) => void;
  onCreated: (touchpoint: Touchpoint) => void;
  errors: string[];
  lock: string | null;
}) {
  const [creating, setCreating] = useState(touchpoints.length === 0 && !lock);
  return (
    <fieldset className="section">
      <legend>Touchpoint</legend>
      <Field id="touchpointKey" label="Where in the funnel this runs" errors={errors} lock={lock}>
        {(p) => (
          <select {...p} value={value} onChange={(e) => onChange(e.target.value)}>
            <option value="">{touchpoints.length ? 'Choose a touchpoint…' : 'No touchpoints yet'}</option>
            {FUNNEL_STAGES.map((stage) => {
              const inStage = touchpoints.filter((t) => t.funnelStage === stage);
              return inStage.length ? (
                <optgroup key={stage} label={STAGE_LABEL[stage]}>
                  {inStage.map((t) => (
                    <option key={t.key} value={t.key}>
                      {t.name} ({t.key})
                    </option>
                  ))}
                </optgroup>
              ) : null;
            })}
          </select>
        )}
      </Field>
      {!lock &&
        (creating ? (
          <NewTouchpoint
            onCreated={(t) => {
              setCreating(false);
              onCreated(t);
            }}
            onCancel={touchpoints.length ? () => setCreating(false) : undefined}
          />
        ) : (
          <button type="button" className="button" onClick={() => setCreating(true)}>
            New touchpoint…
          </button>
        ))}
    </fieldset>
  );
}

function NewTouchpoint({ onCreated, onCancel }: { onCreated: (t: Touchpoint) => void; onCancel: (() => void) | undefined }) {
  const api = useApi();
  const [key, setKey] = useState('');
  const [name, setName] = useState('');
  const [kind, setKind] = useState<TouchpointKind>('cta');
  const [stage, setStage] = useState<FunnelStage>('purchase');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [tried, setTried] = useState(false);
  const keyProblem = key || tried ? slugError(key) : null;
  const nameProblem = tried && !name.trim() ? 'Required.' : null;
  const serverFor = (field: string) => (error instanceof ApiError ? error.errorsFor(field).map((e) => e.detail) : []);

  const create = async () => {
    setTried(true);
    if (slugError(key) || !name.trim()) return;
    setBusy(true);
    setError(null);
    try {
      onCreated(await api.createTouchpoint({ key, name: name.trim(), kind, funnelStage: stage }));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  // Enter inside this group creates the touchpoint instead of submitting the experiment.
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Enter' && (event.target as HTMLElement).tagName === 'INPUT') {
      event.preventDefault();
      void create();
    }
  };

  return (
    <div className="inline-create card" role="group" aria-labelledby="new-touchpoint-title" onKeyDown={onKeyDown}>
      <h3 id="new-touchpoint-title">New touchpoint</h3>
      <div className="grid-2">
        <Field id="new-touchpoint-key" label="Key" hint="e.g. checkout-cta" errors={[...(keyProblem ? [keyProblem] : []), ...serverFor('key')]}>
          {(p) => <input {...p} value={key} spellCheck={false} autoCapitalize="off" onChange={(e) => setKey(e.target.value)} />}
        </Field>
        <Field id="new-touchpoint-name" label="Name" errors={[...(nameProblem ? [nameProblem] : []), ...serverFor('name')]}>
          {(p) => <input {...p} value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <Field id="new-touchpoint-kind" label="Kind">
          {(p) => (
            <select {...p} value={kind} onChange={(e) => setKind(e.target.value as TouchpointKind)}>
              {TOUCHPOINT_KINDS.map((k) => (
                <option key={k} value={k}>
                  {KIND_LABEL[k]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field id="new-touchpoint-stage" label="Funnel stage">
          {(p) => (
            <select {...p} value={stage} onChange={(e) => setStage(e.target.value as FunnelStage)}>
              {FUNNEL_STAGES.map((s) => (
                <option key={s} value={s}>
                  {STAGE_LABEL[s]}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      {error !== null && !(error instanceof ApiError && error.errors.length) && (
        <p className="field-error" role="alert">
          {messageOf(error)}
        </p>
      )}
      <div className="row">
        <button type="button" className="button button-primary" onClick={() => void create()} disabled={busy}>
          {busy ? 'Creating…' : 'Create touchpoint'}
        </button>
        {onCancel && (
          <button type="button" className="button" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </div>
  );
}
