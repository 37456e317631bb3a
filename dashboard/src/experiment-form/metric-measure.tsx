import { useState } from 'react';
import { useApi } from '../app/api-context.js';
import { ApiError, messageOf } from '../api/problem.js';
import type { Metric } from '../api/types.js';
import { Field } from '../components/field.js';

/** What a revenue or ratio metric's values are: plain numbers, money in a currency, or counted in a unit. */
export type MeasureKind = 'none' | 'currency' | 'unit';

/** The browser's list of ISO 4217 codes (the server checks against the same kind of list). */
const CURRENCIES: ReadonlySet<string> = new Set(typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('currency') : []);

/** Why a currency code is refused, or null: three capital letters that are an ISO 4217 code. */
export function currencyError(code: string): string | null {
  const upper = code.trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(upper)) return 'Three letters, such as EUR.';
  if (CURRENCIES.size > 0 && !CURRENCIES.has(upper)) return `${upper} is not an ISO 4217 currency code.`;
  return null;
}

export const hasMeasure = (type: Metric['type']) => type === 'revenue' || type === 'ratio';

/** The API body for a measure choice: both fields, so a currency replaces a unit and the other way round. */
export function measureBody(kind: MeasureKind, currency: string, unit: string): { unit: string | null; currency: string | null } {
  if (kind === 'currency') return { unit: null, currency: currency.trim().toUpperCase() };
  if (kind === 'unit') return { unit: unit.trim(), currency: null };
  return { unit: null, currency: null };
}

/** The "Values are" select and its currency or unit input, shared by the new-metric form and the editor below. */
export function MeasureFields({
  id,
  kind,
  currency,
  unit,
  onChange,
  errors,
}: {
  id: string;
  kind: MeasureKind;
  currency: string;
  unit: string;
  onChange: (change: Partial<{ kind: MeasureKind; currency: string; unit: string }>) => void;
  errors: { currency: string[]; unit: string[] };
}) {
  return (
    <>
      <Field id={`${id}-measure`} label="Values are" hint="Shown with every figure of this metric: €12.40, 2.3 items.">
        {(p) => (
          <select {...p} value={kind} onChange={(e) => onChange({ kind: e.target.value as MeasureKind })}>
            <option value="none">plain numbers</option>
            <option value="currency">money (a currency)</option>
            <option value="unit">counted in a unit</option>
          </select>
        )}
      </Field>
      {kind === 'currency' && (
        <Field id={`${id}-currency`} label="Currency (ISO 4217 code)" hint="e.g. EUR, USD, GBP" errors={errors.currency}>
          {(p) => <input {...p} value={currency} maxLength={3} spellCheck={false} autoCapitalize="characters" onChange={(e) => onChange({ currency: e.target.value.toUpperCase() })} />}
        </Field>
      )}
      {kind === 'unit' && (
        <Field id={`${id}-unit`} label="Unit" hint="e.g. items, s (at most 20 characters)" errors={errors.unit}>
          {(p) => <input {...p} value={unit} maxLength={20} onChange={(e) => onChange({ unit: e.target.value })} />}
        </Field>
      )}
    </>
  );
}

/**
 * Edits the unit or currency of an existing revenue or ratio metric (PATCH /api/metrics/:key with its
 * version): the results of every experiment that uses it show the new one from their next refresh.
 */
export function MetricMeasureEditor({ metric, onSaved }: { metric: Metric; onSaved: (m: Metric) => void }) {
  const api = useApi();
  const initial: MeasureKind = metric.currency ? 'currency' : metric.unit ? 'unit' : 'none';
  const [f, setF] = useState({ kind: initial, currency: metric.currency ?? '', unit: metric.unit ?? '' });
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const local = f.kind === 'currency' ? currencyError(f.currency) : f.kind === 'unit' && !f.unit.trim() ? 'Required.' : null;
  const server = (field: string) => (error instanceof ApiError ? error.errorsFor(field).map((e) => e.detail) : []);
  const save = async () => {
    if (local) return;
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      onSaved(await api.updateMetric(metric.key, metric.version, measureBody(f.kind, f.currency, f.unit)));
      setSaved(true);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const id = `measure-${metric.key}`;
  return (
    <div className="measure-editor" role="group" aria-labelledby={`${id}-title`}>
      <p id={`${id}-title`}>
        <strong>{metric.name}</strong>
      </p>
      <div className="grid-2">
        <MeasureFields
          id={id}
          kind={f.kind}
          currency={f.currency}
          unit={f.unit}
          onChange={(change) => {
            setF({ ...f, ...change });
            setSaved(false);
          }}
          errors={{ currency: [...(f.kind === 'currency' && f.currency && local ? [local] : []), ...server('currency')], unit: [...server('unit')] }}
        />
      </div>
      <div className="row">
        <button type="button" className="button" onClick={() => void save()} disabled={busy || Boolean(local)}>
          {busy ? 'Saving…' : `Save units of ${metric.name}`}
        </button>
        <span role="status" className="muted small">
          {saved ? 'Saved.' : ''}
        </span>
      </div>
      {error !== null && !(error instanceof ApiError && error.errors.length) && (
        <p className="field-error" role="alert">
          {messageOf(error)}
        </p>
      )}
    </div>
  );
}
