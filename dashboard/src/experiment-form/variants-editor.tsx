import { Field } from '../components/field.js';
import { FieldMessages } from '../components/states.js';
import { ChangesEditor } from './changes-editor.js';
import type { SectionProps } from './context.js';
import { MAX_VARIANTS, type VariantDraft, newVariant, rebalance, sumsTo100, weightSum } from './model.js';

/**
 * Variants with their weights (percent) and JSON payloads. The weights must add up to 100 %: an
 * edit never changes another variant's weight; the total is shown live and "Split evenly" fixes it.
 */
export function VariantsEditor({ draft, update, errorsOf, lock }: SectionProps) {
  const setVariant = (index: number, change: Partial<VariantDraft>, field: string) => {
    const variants = draft.variants.map((v, i) => (i === index ? { ...v, ...change } : v));
    update({ variants }, [`variants.${index}.${field}`, 'variants']);
  };
  const setLock = lock('variantSet');
  const allocationLock = lock('allocation');
  const namesLock = lock('variantNames');
  const total = Math.round(weightSum(draft.variants) * 100) / 100;
  const ok = sumsTo100(draft.variants);

  return (
    <fieldset className="section">
      <legend>Variants</legend>
      <p className="hint">The first variant is the control. Payloads are JSON your page reads, e.g. {'{ "label": "Buy now" }'}.</p>
      {setLock && <p className="lock-note">🔒 {setLock}</p>}
      <ol className="variants">
        {draft.variants.map((variant, i) => (
          <li key={variant.id} className="variant card">
            <div className="variant-head">
              <h3>{i === 0 ? 'Control' : `Variant ${i + 1}`}</h3>
              {i > 0 && !setLock && draft.variants.length > 2 && (
                <button
                  type="button"
                  className="button button-quiet"
                  onClick={() => update({ variants: rebalance(draft.variants.filter((_, j) => j !== i)) }, ['variants'])}
                  aria-label={`Remove variant ${i + 1} (${variant.key || 'no key'})`}
                >
                  Remove
                </button>
              )}
            </div>
            <div className="grid-3">
              <Field id={`variant-${i}-key`} label="Key" errors={errorsOf(`variants.${i}.key`)} lock={setLock}>
                {(p) => <input {...p} value={variant.key} spellCheck={false} autoCapitalize="off" onChange={(e) => setVariant(i, { key: e.target.value }, 'key')} />}
              </Field>
              <Field id={`variant-${i}-name`} label="Name" errors={errorsOf(`variants.${i}.name`)} lock={namesLock}>
                {(p) => <input {...p} value={variant.name} onChange={(e) => setVariant(i, { name: e.target.value }, 'name')} />}
              </Field>
              <Field id={`variant-${i}-weight`} label="Weight (%)" errors={errorsOf(`variants.${i}.weight`)} lock={allocationLock}>
                {(p) => (
                  <input
                    {...p}
                    type="number"
                    inputMode="decimal"
                    min={0}
                    max={100}
                    step="any"
                    value={variant.weight}
                    onChange={(e) => setVariant(i, { weight: e.target.value }, 'weight')}
                  />
                )}
              </Field>
            </div>
            <Field id={`variant-${i}-payload`} label="Payload (JSON, optional)" errors={errorsOf(`variants.${i}.payload`)} lock={allocationLock}>
              {(p) => (
                <textarea
                  {...p}
                  className="mono"
                  rows={2}
                  spellCheck={false}
                  value={variant.payload}
                  placeholder='{ "label": "Buy now" }'
                  onChange={(e) => setVariant(i, { payload: e.target.value }, 'payload')}
                />
              )}
            </Field>
            <ChangesEditor
              index={i}
              changes={variant.changes}
              redirect={variant.redirect}
              errorsOf={errorsOf}
              lock={allocationLock}
              onChange={(next, fields) => update({ variants: draft.variants.map((v, j) => (j === i ? { ...v, ...next } : v)) }, fields)}
            />
          </li>
        ))}
      </ol>
      <div className={`weight-total ${ok ? 'ok' : 'bad'}`} aria-live="polite">
        Total: <strong>{total} %</strong> {ok ? '✓' : '— must be 100 %'}
      </div>
      <FieldMessages id="variants-error" messages={errorsOf('variants')} />
      <div className="row">
        {!setLock && draft.variants.length < MAX_VARIANTS && (
          <button type="button" className="button" onClick={() => update({ variants: rebalance([...draft.variants, newVariant(draft.variants.length, draft.variants.map((v) => v.key))]) }, ['variants'])}>
            Add variant
          </button>
        )}
        {!allocationLock && (
          <button type="button" className="button" onClick={() => update({ variants: rebalance(draft.variants) }, ['variants'])}>
            Split evenly
          </button>
        )}
      </div>
    </fieldset>
  );
}
