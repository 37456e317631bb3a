import { useState } from 'react';
import { useApi } from '../app/api-context.js';
import { useDebounced, useResource } from '../app/use-resource.js';
import type { SampleSizeQuery } from '../api/types.js';
import { Field } from '../components/field.js';
import { formatInteger, formatPercent } from '../components/format.js';
import { ErrorState, Loading } from '../components/states.js';
import { ApiError } from '../api/problem.js';

interface Inputs {
  baseline: string;
  mde: string;
  mdeType: 'relative' | 'absolute';
  alpha: string;
  power: string;
  variants: string;
  dailyUnits: string;
}

/** Client checks; the server's own messages (by field) are shown too. */
function check(i: Inputs): { query: SampleSizeQuery | null; errors: Partial<Record<keyof Inputs, string>> } {
  const errors: Partial<Record<keyof Inputs, string>> = {};
  const num = (s: string) => (s.trim() === '' ? NaN : Number(s));
  const baseline = num(i.baseline) / 100;
  const mde = num(i.mde) / 100;
  const alpha = num(i.alpha) / 100;
  const power = num(i.power) / 100;
  const variants = num(i.variants);
  const daily = i.dailyUnits.trim() === '' ? undefined : num(i.dailyUnits);
  if (!(baseline > 0 && baseline < 1)) errors.baseline = 'Between 0 and 100 %, exclusive.';
  if (!(mde > 0)) errors.mde = 'Above 0.';
  if (!(alpha > 0 && alpha <= 0.5)) errors.alpha = 'Above 0 and at most 50 %.';
  if (!(power > 0 && power < 1)) errors.power = 'Between 0 and 100 %, exclusive.';
  if (!(Number.isInteger(variants) && variants >= 2 && variants <= 50)) errors.variants = 'A whole number from 2 to 50.';
  if (daily !== undefined && !(daily > 0)) errors.dailyUnits = 'A positive number, or leave empty.';
  if (Object.keys(errors).length) return { query: null, errors };
  return { query: { baseline, mde, mdeType: i.mdeType, alpha, power, variants, ...(daily !== undefined && { dailyUnits: daily }) }, errors };
}

/** The sample-size calculator (GET /api/stats/sample-size with every parameter). */
export function SampleSizePage() {
  const api = useApi();
  const [inputs, setInputs] = useState<Inputs>({ baseline: '3', mde: '10', mdeType: 'relative', alpha: '5', power: '80', variants: '2', dailyUnits: '5000' });
  const set = (change: Partial<Inputs>) => setInputs((i) => ({ ...i, ...change }));
  const settled = useDebounced(inputs, 350);
  const { query, errors } = check(inputs);
  const settledQuery = check(settled).query;
  const answer = useResource((signal) => (settledQuery ? api.sampleSize(settledQuery, signal) : Promise.resolve(null)), [api, JSON.stringify(settledQuery)]);
  const serverErrors = (field: string) => (answer.state === 'error' && answer.error instanceof ApiError ? answer.error.errorsFor(field).map((e) => e.detail) : []);
  const errs = (field: keyof Inputs) => [...(errors[field] ? [errors[field]!] : []), ...serverErrors(field)];

  return (
    <section className="page page-narrow" aria-labelledby="calc-title">
      <h1 id="calc-title">Sample-size calculator</h1>
      <p className="lead">How many units each variant needs to detect an effect on a conversion rate (two-sided test, equal split).</p>
      <form className="card" onSubmit={(e) => e.preventDefault()} noValidate aria-label="Sample-size inputs">
        <div className="grid-2">
          <Field id="calc-baseline" label="Baseline conversion rate (%)" errors={errs('baseline')}>
            {(p) => <input {...p} type="number" inputMode="decimal" step="any" value={inputs.baseline} onChange={(e) => set({ baseline: e.target.value })} />}
          </Field>
          <Field id="calc-mde" label={`Minimum detectable effect (${inputs.mdeType === 'relative' ? 'relative' : 'absolute percentage points'}, %)`} errors={errs('mde')}>
            {(p) => <input {...p} type="number" inputMode="decimal" step="any" value={inputs.mde} onChange={(e) => set({ mde: e.target.value })} />}
          </Field>
          <Field id="calc-mde-type" label="Effect is">
            {(p) => (
              <select {...p} value={inputs.mdeType} onChange={(e) => set({ mdeType: e.target.value as Inputs['mdeType'] })}>
                <option value="relative">relative (10 % of 3 % = 3.3 %)</option>
                <option value="absolute">absolute (3 % + 1 point = 4 %)</option>
              </select>
            )}
          </Field>
          <Field id="calc-variants" label="Variants (control included)" errors={errs('variants')}>
            {(p) => <input {...p} type="number" inputMode="numeric" min={2} max={50} step={1} value={inputs.variants} onChange={(e) => set({ variants: e.target.value })} />}
          </Field>
          <Field id="calc-alpha" label="Significance level α (%)" hint="5 % = 95 % confidence" errors={errs('alpha')}>
            {(p) => <input {...p} type="number" inputMode="decimal" step="any" value={inputs.alpha} onChange={(e) => set({ alpha: e.target.value })} />}
          </Field>
          <Field id="calc-power" label="Power (%)" errors={errs('power')}>
            {(p) => <input {...p} type="number" inputMode="decimal" step="any" value={inputs.power} onChange={(e) => set({ power: e.target.value })} />}
          </Field>
          <Field id="calc-daily" label="Daily units in the experiment (optional)" hint="For the duration" errors={errs('dailyUnits')}>
            {(p) => <input {...p} type="number" inputMode="numeric" step="any" value={inputs.dailyUnits} onChange={(e) => set({ dailyUnits: e.target.value })} />}
          </Field>
        </div>
      </form>
      <section className="card" aria-labelledby="calc-result-title" aria-live="polite">
        <h2 id="calc-result-title">Result</h2>
        {!query && <p className="muted">Fix the inputs above to see the sample size.</p>}
        {query && answer.state === 'loading' && <Loading label="Calculating…" />}
        {query && answer.state === 'error' && <ErrorState error={answer.error} title="No answer" onRetry={answer.reload} />}
        {query && answer.state === 'ready' && answer.data && (
          answer.data.perVariant === null ? (
            <p>No sample size for these inputs{answer.data.reason ? `: ${answer.data.reason}` : ''}.</p>
          ) : (
            <dl className="facts big">
              <dt>Per variant</dt>
              <dd>{formatInteger(answer.data.perVariant)} units</dd>
              <dt>Total</dt>
              <dd>{formatInteger(answer.data.total ?? 0)} units</dd>
              {answer.data.variantRate !== null && (
                <>
                  <dt>Rate to detect</dt>
                  <dd>
                    {formatPercent(settledQuery?.baseline ?? 0, 2)} → {formatPercent(answer.data.variantRate, 2)}
                  </dd>
                </>
              )}
              {answer.data.alphaPerComparison !== undefined && (
                <>
                  <dt>α per comparison</dt>
                  <dd>{formatPercent(answer.data.alphaPerComparison, 3)} (Bonferroni over {Number(settled.variants) - 1} comparisons)</dd>
                </>
              )}
              {answer.data.durationDays != null && (
                <>
                  <dt>Duration</dt>
                  <dd>
                    about {formatInteger(answer.data.durationDays)} day{answer.data.durationDays === 1 ? '' : 's'}
                    {answer.data.durationDays < 7 && ' — run at least a full week to cover weekday effects'}
                  </dd>
                </>
              )}
            </dl>
          )
        )}
      </section>
    </section>
  );
}
