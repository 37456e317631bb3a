import { Field } from '../components/field.js';
import { formatInteger } from '../components/format.js';
import type { SectionProps } from './context.js';
import { DEFAULT_TUNING_PARAMETER, tuningParameterOf } from './model.js';

/**
 * How the results decide: sequential testing (on by default, design.md §5) or a fixed horizon. The
 * choice is explained where it is made, because it decides when a "Significant" badge may appear.
 */
export function AnalysisSection({ draft, update, errorsOf, lock }: SectionProps) {
  const tuning = tuningParameterOf(draft);
  const source =
    draft.tuningParameter !== null
      ? "this experiment's setting"
      : tuning !== DEFAULT_TUNING_PARAMETER || (draft.mde.trim() && draft.plannedTotal !== null)
        ? 'the planned total sample below'
        : 'the default; set a minimum detectable effect and a baseline below to use the planned sample';
  return (
    <fieldset className="section" data-slot="analysis">
      <legend>Analysis</legend>
      <div className="field-inline">
        <input
          id="sequential"
          type="checkbox"
          checked={draft.sequential}
          onChange={(e) => update({ sequential: e.target.checked }, ['sequential'])}
          aria-describedby="sequential-hint"
        />
        <label htmlFor="sequential">Sequential testing (recommended)</label>
      </div>
      {draft.sequential ? (
        <p id="sequential-hint" className="hint">
          Look at the results as often as you like: the intervals are confidence sequences, so stopping on the first significant day still
          keeps false positives at 5 %. They are a little wider than fixed-horizon intervals. Tuned for N* ={' '}
          <strong data-slot="tuning-parameter">{formatInteger(tuning)}</strong> units ({source}).
        </p>
      ) : (
        <p id="sequential-hint" className="hint">
          Fixed horizon: the test is valid once, at the planned sample, so no verdict is shown before it. Stopping early on a significant look
          would make false positives several times more frequent than 5 %. Untick only if you will wait for the planned sample.
        </p>
      )}
      <Field
        id="minimumDays"
        label="Minimum days before a decision"
        hint="No result is called a finding before this many days: shops sell differently on weekdays and at the weekend (7 = a full week)."
        errors={errorsOf('minimumDays')}
        lock={lock('mde')}
      >
        {(p) => <input {...p} type="number" inputMode="numeric" min={0} max={365} step={1} value={draft.minimumDays} onChange={(e) => update({ minimumDays: e.target.value }, ['minimumDays'])} />}
      </Field>
    </fieldset>
  );
}
