import { useEffect, useState } from 'react';
import { useApi } from '../app/api-context.js';
import { useDebounced, useResource } from '../app/use-resource.js';
import { Field } from '../components/field.js';
import { formatInteger } from '../components/format.js';
import { ErrorState, Loading } from '../components/states.js';
import type { SectionProps } from './context.js';
import { parsePercent } from './model.js';

/**
 * A live sample-size and duration estimate (GET /api/stats/sample-size, debounced) from the
 * baseline rate and the relative minimum detectable effect. The effect is saved with the experiment
 * (minimumDetectableEffect); baseline and traffic are planning inputs only.
 */
export function SampleSizeEstimate({ draft, update, errorsOf, lock }: SectionProps) {
  const api = useApi();
  const [baseline, setBaseline] = useState('3');
  const [traffic, setTraffic] = useState('5000');
  const variants = draft.variants.length;
  const coverage = (parsePercent(draft.coverage) ?? 100) / 100;
  const params = useDebounced({ baseline, mde: draft.mde, traffic, variants, coverage }, 400);

  const b = Number(params.baseline) / 100;
  const m = Number(params.mde) / 100;
  const t = Number(params.traffic);
  const baselineOk = params.baseline.trim() !== '' && b > 0 && b < 1;
  const mdeOk = params.mde.trim() !== '' && m > 0;
  const trafficOk = params.traffic.trim() === '' || (Number.isFinite(t) && t > 0);
  const ready = baselineOk && mdeOk && trafficOk;
  const dailyUnits = params.traffic.trim() && t > 0 ? t * params.coverage : undefined;

  const estimate = useResource(
    (signal) =>
      ready
        ? api.sampleSize({ baseline: b, mde: m, mdeType: 'relative', variants: params.variants, ...(dailyUnits && { dailyUnits }) }, signal)
        : Promise.resolve(null),
    [api, ready, b, m, params.variants, dailyUnits],
  );

  // The planned total sample becomes N* of a new experiment's sequential test (AnalysisSection).
  const plannedTotal = ready && estimate.state === 'ready' && estimate.data?.perVariant != null ? (estimate.data.total ?? estimate.data.perVariant * params.variants) : null;
  useEffect(() => {
    if (plannedTotal !== draft.plannedTotal) update({ plannedTotal }, []);
  }, [plannedTotal, draft.plannedTotal, update]);

  return (
    <fieldset className="section">
      <legend>Planning</legend>
      <div className="grid-3">
        <Field id="plan-baseline" label="Baseline conversion (%)" hint="Today's rate of the primary metric" errors={baseline.trim() && !(Number(baseline) > 0 && Number(baseline) < 100) ? ['Between 0 and 100 %, exclusive.'] : []}>
          {(p) => <input {...p} type="number" inputMode="decimal" step="any" value={baseline} onChange={(e) => setBaseline(e.target.value)} />}
        </Field>
        <Field id="minimumDetectableEffect" label="Minimum detectable effect (relative %)" hint="Smallest lift worth detecting; saved with the experiment" errors={errorsOf('minimumDetectableEffect')} lock={lock('mde')}>
          {(p) => <input {...p} type="number" inputMode="decimal" step="any" value={draft.mde} onChange={(e) => update({ mde: e.target.value }, ['minimumDetectableEffect'])} />}
        </Field>
        <Field id="plan-traffic" label="Daily visitors to the touchpoint" hint="Times coverage gives the daily units in the experiment" errors={trafficOk || traffic !== params.traffic ? [] : ['A positive number.']}>
          {(p) => <input {...p} type="number" inputMode="numeric" min={1} step="any" value={traffic} onChange={(e) => setTraffic(e.target.value)} />}
        </Field>
      </div>
      <div className="estimate" aria-live="polite">
        {!ready && <p className="muted">Enter a baseline and an effect to see the sample size.</p>}
        {ready && estimate.state === 'loading' && <Loading label="Estimating…" />}
        {ready && estimate.state === 'error' && <ErrorState error={estimate.error} title="No estimate" onRetry={estimate.reload} />}
        {ready && estimate.state === 'ready' && estimate.data && (
          <p>
            {estimate.data.perVariant === null ? (
              <>No estimate: {estimate.data.reason ?? 'undefined for these inputs'}.</>
            ) : (
              <>
                Needs <strong>{formatInteger(estimate.data.perVariant)}</strong> units per variant (
                <strong>{formatInteger(estimate.data.total ?? estimate.data.perVariant * params.variants)}</strong> in total) to detect a {params.mde} % lift at 95 % confidence and
                80 % power
                {estimate.data.durationDays != null && (
                  <>
                    {' '}
                    — about <strong>{formatInteger(estimate.data.durationDays)} days</strong> at {formatInteger(Math.round(dailyUnits ?? 0))} units a day
                  </>
                )}
                .
              </>
            )}
          </p>
        )}
      </div>
    </fieldset>
  );
}
