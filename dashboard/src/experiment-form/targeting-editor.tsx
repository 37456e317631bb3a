import { Field } from '../components/field.js';
import { FieldMessages } from '../components/states.js';
import type { SectionProps } from './context.js';
import { type ConditionRow, OPERATORS, type Operator, type TargetingDraft, buildTargeting, emptyRow, rowsFromCondition } from './targeting.js';

const VALUE_HINT: Partial<Record<Operator, string>> = {
  in: 'Comma-separated, e.g. FR, BE',
  not_in: 'Comma-separated, e.g. FR, BE',
  regex: 'e.g. ^/checkout',
  semver_eq: 'e.g. 2.1.0',
};

/** Who is eligible: a builder of attribute / operator / value rows, or raw JSON for anything richer. */
export function TargetingEditor({ draft, update, errorsOf, lock, submitted }: SectionProps) {
  const t = draft.targeting;
  const locked = lock('targeting');
  const built = buildTargeting(t);
  const set = (change: Partial<TargetingDraft>) => update({ targeting: { ...t, ...change } }, ['targeting']);
  const setRow = (id: string, change: Partial<ConditionRow>) => set({ rows: t.rows.map((r) => (r.id === id ? { ...r, ...change } : r)) });

  const toJson = () => set({ mode: 'json', json: built.value ? JSON.stringify(built.value, null, 2) : t.mode === 'json' ? t.json : '' });
  let cannotBuild: string | null = null;
  let parsedRows: ReturnType<typeof rowsFromCondition> = null;
  if (t.mode === 'json') {
    parsedRows = built.value !== undefined ? rowsFromCondition(built.value) : null;
    if (!parsedRows) cannotBuild = 'Only a flat list of conditions (all or any) can be shown as rows.';
  }

  return (
    <fieldset className="section" disabled={Boolean(locked)}>
      <legend>Targeting</legend>
      <p className="hint">
        Conditions on the attributes your site passes to the SDK (country, device, plan…). Leave empty to include everyone.
      </p>
      {locked && <p className="lock-note">🔒 {locked}</p>}
      <div className="row" role="group" aria-label="Targeting editor">
        <button type="button" className="button button-small" aria-pressed={t.mode === 'builder'} disabled={t.mode === 'builder' || Boolean(cannotBuild)} onClick={() => parsedRows && set({ mode: 'builder', ...parsedRows })}>
          Rows
        </button>
        <button type="button" className="button button-small" aria-pressed={t.mode === 'json'} disabled={t.mode === 'json'} onClick={toJson}>
          JSON
        </button>
        {cannotBuild && t.mode === 'json' && t.json.trim() !== '' && <span className="muted small">{cannotBuild}</span>}
      </div>

      {t.mode === 'builder' ? (
        <>
          {t.rows.length > 0 && (
            <Field id="targeting-combinator" label="Include units that match">
              {(p) => (
                <select {...p} value={t.combinator} onChange={(e) => set({ combinator: e.target.value as 'all' | 'any' })}>
                  <option value="all">all of these conditions</option>
                  <option value="any">any of these conditions</option>
                </select>
              )}
            </Field>
          )}
          <ul className="conditions">
            {t.rows.map((row, i) => {
              // A new, still empty row is not an error yet; the form-level message still blocks saving.
              const started = row.attribute.trim() !== '' || row.value.trim() !== '' || submitted;
              const error = started ? built.rowErrors[row.id] : undefined;
              return (
                <li key={row.id} className="condition">
                  <Field id={`cond-${i}-attribute`} label={`Condition ${i + 1}: attribute`}>
                    {(p) => <input {...p} value={row.attribute} placeholder="country" spellCheck={false} onChange={(e) => setRow(row.id, { attribute: e.target.value })} />}
                  </Field>
                  <Field id={`cond-${i}-op`} label="Operator">
                    {(p) => (
                      <select {...p} value={row.op} onChange={(e) => setRow(row.id, { op: e.target.value as Operator, ...(e.target.value === 'exists' && { value: 'true' }) })}>
                        {OPERATORS.map((o) => (
                          <option key={o.op} value={o.op}>
                            {o.label}
                          </option>
                        ))}
                      </select>
                    )}
                  </Field>
                  <Field id={`cond-${i}-value`} label="Value" errors={error ? [error] : []}>
                    {(p) =>
                      row.op === 'exists' ? (
                        <select {...p} value={row.value === 'false' ? 'false' : 'true'} onChange={(e) => setRow(row.id, { value: e.target.value })}>
                          <option value="true">is set</option>
                          <option value="false">is not set</option>
                        </select>
                      ) : (
                        <input
                          {...p}
                          value={row.value}
                          spellCheck={false}
                          placeholder={VALUE_HINT[row.op] ?? (row.op.startsWith('semver') ? 'e.g. 2.1.0' : '')}
                          onChange={(e) => setRow(row.id, { value: e.target.value })}
                        />
                      )
                    }
                  </Field>
                  <button type="button" className="button button-quiet" aria-label={`Remove condition ${i + 1}`} onClick={() => set({ rows: t.rows.filter((r) => r.id !== row.id) })}>
                    Remove
                  </button>
                </li>
              );
            })}
          </ul>
          {t.rows.length === 0 && <p className="muted small">No conditions: every unit is eligible.</p>}
          <button type="button" className="button" onClick={() => set({ rows: [...t.rows, emptyRow()] })}>
            Add condition
          </button>
          <p className="hint">For equals, 42 and true are read as a number and a boolean; write "42" in quotes to compare with text.</p>
        </>
      ) : (
        <Field id="targeting-json" label="Condition (JSON)" hint='e.g. { "all": [ { "attribute": "country", "op": "in", "value": ["FR", "BE"] } ] }'>
          {(p) => <textarea {...p} className="mono" rows={6} spellCheck={false} value={t.json} onChange={(e) => set({ json: e.target.value })} />}
        </Field>
      )}
      <FieldMessages id="targeting-error" messages={errorsOf('targeting')} />
    </fieldset>
  );
}
