import { type KeyboardEvent, useState } from 'react';
import { useApi } from '../app/api-context.js';
import { ApiError, messageOf } from '../api/problem.js';
import { METRIC_TYPES, type Metric, type MetricType, type NewMetric } from '../api/types.js';
import { Field } from '../components/field.js';
import { FieldMessages } from '../components/states.js';
import type { SectionProps } from './context.js';
import { slugError } from './model.js';
import { type MeasureKind, MeasureFields, MetricMeasureEditor, currencyError, hasMeasure, measureBody } from './metric-measure.js';

const TYPE_LABEL: Record<MetricType, string> = {
  conversion: 'Conversion (did the unit do an event)',
  revenue: 'Revenue (sum of event values per unit)',
  ratio: 'Ratio (e.g. average order value)',
  funnel: 'Funnel (ordered events)',
};

const describe = (m: Metric) => `${m.name} · ${m.type}${m.eventName ? ` of "${m.eventName}"` : ''}${m.currency ? ` · ${m.currency}` : m.unit ? ` · ${m.unit}` : ''}`;

/** Primary, secondary and guardrail metrics; a metric can be created inline and is selected at once. */
export function MetricsPicker({ metrics, onCreated, onUpdated, draft, update, errorsOf, lock }: SectionProps & { metrics: Metric[]; onCreated: (m: Metric) => void; onUpdated: (m: Metric) => void }) {
  const [creating, setCreating] = useState(false);
  const locked = lock('metrics');
  const toggle = (list: 'secondaryMetrics' | 'guardrailMetrics', key: string, on: boolean) =>
    update({ [list]: on ? [...draft[list], key] : draft[list].filter((k) => k !== key) }, [list]);

  return (
    <fieldset className="section">
      <legend>Metrics</legend>
      <Field id="primaryMetric" label="Primary metric" hint="What decides the experiment. Needed to start it." errors={errorsOf('primaryMetric')} lock={locked}>
        {(p) => (
          <select
            {...p}
            value={draft.primaryMetric}
            onChange={(e) =>
              update(
                {
                  primaryMetric: e.target.value,
                  secondaryMetrics: draft.secondaryMetrics.filter((k) => k !== e.target.value),
                  guardrailMetrics: draft.guardrailMetrics.filter((k) => k !== e.target.value),
                },
                ['primaryMetric'],
              )
            }
          >
            <option value="">{metrics.length ? 'None yet' : 'No metrics yet: create one below'}</option>
            {metrics.map((m) => (
              <option key={m.key} value={m.key}>
                {describe(m)}
              </option>
            ))}
          </select>
        )}
      </Field>
      {(['secondaryMetrics', 'guardrailMetrics'] as const).map((list) => {
        const others = metrics.filter((m) => m.key !== draft.primaryMetric);
        const label = list === 'secondaryMetrics' ? 'Secondary metrics' : 'Guardrail metrics';
        return (
          <fieldset key={list} className="checks" disabled={Boolean(locked)}>
            <legend>{label}</legend>
            {list === 'guardrailMetrics' && <p className="hint">Metrics that must not get worse, such as refunds or page errors.</p>}
            {others.length === 0 ? (
              <p className="muted small">No other metric.</p>
            ) : (
              others.map((m) => {
                const id = `${list}-${m.key}`;
                const otherList = list === 'secondaryMetrics' ? 'guardrailMetrics' : 'secondaryMetrics';
                return (
                  <div key={m.key} className="field-inline">
                    <input
                      id={id}
                      type="checkbox"
                      checked={draft[list].includes(m.key)}
                      disabled={draft[otherList].includes(m.key)}
                      onChange={(e) => toggle(list, m.key, e.target.checked)}
                    />
                    <label htmlFor={id}>{describe(m)}</label>
                  </div>
                );
              })
            )}
            <FieldMessages id={`${list}-error`} messages={[...errorsOf(list), ...draft[list].flatMap((_, i) => errorsOf(`${list}.${i}`))]} />
          </fieldset>
        );
      })}
      <ChosenMeasures metrics={metrics.filter((m) => hasMeasure(m.type) && [draft.primaryMetric, ...draft.secondaryMetrics, ...draft.guardrailMetrics].includes(m.key))} onUpdated={onUpdated} />
      {!locked &&
        (creating ? (
          <NewMetricForm
            onCreated={(m) => {
              setCreating(false);
              onCreated(m);
            }}
            onCancel={() => setCreating(false)}
          />
        ) : (
          <button type="button" className="button" onClick={() => setCreating(true)}>
            New metric…
          </button>
        ))}
    </fieldset>
  );
}

/**
 * The unit or currency of the chosen revenue and ratio metrics, editable here (a metric's own setting,
 * not the experiment's: allowed whatever the experiment's status).
 */
function ChosenMeasures({ metrics, onUpdated }: { metrics: Metric[]; onUpdated: (m: Metric) => void }) {
  if (metrics.length === 0) return null;
  return (
    <details className="measures">
      <summary>Units and currencies of the chosen metrics</summary>
      {metrics.map((m) => (
        <MetricMeasureEditor key={`${m.key}-${m.version}`} metric={m} onSaved={onUpdated} />
      ))}
    </details>
  );
}

function NewMetricForm({ onCreated, onCancel }: { onCreated: (m: Metric) => void; onCancel: () => void }) {
  const api = useApi();
  const [f, setF] = useState({
    key: '',
    name: '',
    type: 'conversion' as MetricType,
    eventName: '',
    steps: '',
    numerator: '',
    denominator: '',
    direction: 'increase' as 'increase' | 'decrease',
    measure: 'none' as MeasureKind,
    currency: '',
    unit: '',
  });
  const [tried, setTried] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const set = (change: Partial<typeof f>) => setF({ ...f, ...change });
  const server = (field: string) => (error instanceof ApiError ? error.errorsFor(field).map((e) => e.detail) : []);
  const keyProblem = f.key || tried ? slugError(f.key) : null;
  const required = (value: string) => (tried && !value.trim() ? ['Required.'] : []);

  const amounts = f.type === 'revenue' || f.type === 'ratio';
  const currencyProblem = amounts && f.measure === 'currency' && (f.currency || tried) ? currencyError(f.currency) : null;
  const unitProblem = amounts && f.measure === 'unit' && tried && !f.unit.trim() ? 'Required.' : null;
  const body = (): NewMetric => {
    const measure = !amounts || f.measure === 'none' ? {} : measureBody(f.measure, f.currency, f.unit);
    const base = { key: f.key, name: f.name.trim(), type: f.type, direction: f.direction, ...measure };
    if (f.type === 'funnel') return { ...base, steps: f.steps.split(',').map((s) => s.trim()).filter(Boolean) };
    if (f.type === 'ratio') {
      // Average order value: revenue (sum of purchase values) over orders (count of purchases).
      return { ...base, numerator: { eventName: f.numerator.trim(), aggregate: 'sum' }, denominator: { eventName: f.denominator.trim(), aggregate: 'count' } };
    }
    return { ...base, eventName: f.eventName.trim() };
  };
  const create = async () => {
    setTried(true);
    const missing = f.type === 'funnel' ? !f.steps.trim() : f.type === 'ratio' ? !f.numerator.trim() || !f.denominator.trim() : !f.eventName.trim();
    const badMeasure = amounts && ((f.measure === 'currency' && currencyError(f.currency)) || (f.measure === 'unit' && !f.unit.trim()));
    if (slugError(f.key) || !f.name.trim() || missing || badMeasure) return;
    setBusy(true);
    setError(null);
    try {
      onCreated(await api.createMetric(body()));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Enter' && (event.target as HTMLElement).tagName === 'INPUT') {
      event.preventDefault();
      void create();
    }
  };

  return (
    <div className="inline-create card" role="group" aria-labelledby="new-metric-title" onKeyDown={onKeyDown}>
      <h3 id="new-metric-title">New metric</h3>
      <div className="grid-2">
        <Field id="new-metric-key" label="Key" hint="e.g. purchase" errors={[...(keyProblem ? [keyProblem] : []), ...server('key')]}>
          {(p) => <input {...p} value={f.key} spellCheck={false} autoCapitalize="off" onChange={(e) => set({ key: e.target.value })} />}
        </Field>
        <Field id="new-metric-name" label="Name" errors={[...required(f.name), ...server('name')]}>
          {(p) => <input {...p} value={f.name} onChange={(e) => set({ name: e.target.value })} />}
        </Field>
        <Field id="new-metric-type" label="Type">
          {(p) => (
            <select {...p} value={f.type} onChange={(e) => set({ type: e.target.value as MetricType })}>
              {METRIC_TYPES.map((t) => (
                <option key={t} value={t}>
                  {TYPE_LABEL[t]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field id="new-metric-direction" label="Good when it">
          {(p) => (
            <select {...p} value={f.direction} onChange={(e) => set({ direction: e.target.value as 'increase' | 'decrease' })}>
              <option value="increase">increases</option>
              <option value="decrease">decreases</option>
            </select>
          )}
        </Field>
        {(f.type === 'conversion' || f.type === 'revenue') && (
          <Field id="new-metric-event" label="Event name" hint="As your site tracks it, e.g. purchase" errors={[...required(f.eventName), ...server('eventName')]}>
            {(p) => <input {...p} value={f.eventName} spellCheck={false} onChange={(e) => set({ eventName: e.target.value })} />}
          </Field>
        )}
        {f.type === 'funnel' && (
          <Field id="new-metric-steps" label="Steps (comma-separated, in order)" hint="e.g. add_to_cart, checkout_started, purchase" errors={[...required(f.steps), ...server('steps')]}>
            {(p) => <input {...p} value={f.steps} spellCheck={false} onChange={(e) => set({ steps: e.target.value })} />}
          </Field>
        )}
        {f.type === 'ratio' && (
          <>
            <Field id="new-metric-numerator" label="Numerator: sum of the values of event" errors={[...required(f.numerator), ...server('numerator')]}>
              {(p) => <input {...p} value={f.numerator} placeholder="purchase" spellCheck={false} onChange={(e) => set({ numerator: e.target.value })} />}
            </Field>
            <Field id="new-metric-denominator" label="Denominator: count of event" errors={[...required(f.denominator), ...server('denominator')]}>
              {(p) => <input {...p} value={f.denominator} placeholder="purchase" spellCheck={false} onChange={(e) => set({ denominator: e.target.value })} />}
            </Field>
          </>
        )}
        {amounts && (
          <MeasureFields
            id="new-metric"
            kind={f.measure}
            currency={f.currency}
            unit={f.unit}
            onChange={(change) => set({ ...(change.kind && { measure: change.kind }), ...(change.currency !== undefined && { currency: change.currency }), ...(change.unit !== undefined && { unit: change.unit }) })}
            errors={{ currency: [...(currencyProblem ? [currencyProblem] : []), ...server('currency')], unit: [...(unitProblem ? [unitProblem] : []), ...server('unit')] }}
          />
        )}
      </div>
      {error !== null && !(error instanceof ApiError && error.errors.length) && (
        <p className="field-error" role="alert">
          {messageOf(error)}
        </p>
      )}
      <div className="row">
        <button type="button" className="button button-primary" onClick={() => void create()} disabled={busy}>
          {busy ? 'Creating…' : 'Create metric'}
        </button>
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}
