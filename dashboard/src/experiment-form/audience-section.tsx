import { Field } from '../components/field.js';
import { FieldMessages } from '../components/states.js';
import type { SectionProps } from './context.js';
import { NamespaceRanges } from './namespace-ranges.js';

/** The typed range as shares of 1, or null while it is not a valid [start, end). */
function typedRange(start: string, end: string): [number, number] | null {
  const a = Number(start) / 100;
  const b = Number(end) / 100;
  return start.trim() !== '' && end.trim() !== '' && Number.isFinite(a) && Number.isFinite(b) && a >= 0 && b <= 1 && a < b ? [a, b] : null;
}

/** Coverage (share of eligible traffic in the experiment) and the optional namespace. */
export function AudienceSection({ draft, update, errorsOf, lock }: SectionProps) {
  const nsLock = lock('namespace');
  return (
    <fieldset className="section">
      <legend>Audience</legend>
      <Field
        id="coverage"
        label="Coverage (%)"
        hint="Share of eligible traffic that enters the experiment; the rest sees the default experience. Raising it later never moves a unit to another variant."
        errors={errorsOf('coverage')}
        lock={lock('coverage')}
      >
        {(p) => (
          <input {...p} type="number" inputMode="decimal" min={0} max={100} step="any" value={draft.coverage} onChange={(e) => update({ coverage: e.target.value }, ['coverage'])} />
        )}
      </Field>
      <div className="field-inline">
        <input
          id="namespaceOn"
          type="checkbox"
          checked={draft.namespaceOn}
          disabled={Boolean(nsLock)}
          aria-describedby={nsLock ? 'namespaceOn-lock' : 'namespaceOn-hint'}
          onChange={(e) => update({ namespaceOn: e.target.checked }, ['namespace'])}
        />
        <label htmlFor="namespaceOn">Mutually exclusive with other experiments (namespace)</label>
      </div>
      <p id="namespaceOn-hint" className="hint">
        Experiments in one namespace with non-overlapping ranges never share a unit.
      </p>
      {nsLock && (
        <p id="namespaceOn-lock" className="lock-note">
          🔒 {nsLock}
        </p>
      )}
      {draft.namespaceOn && (
        <div className="grid-3">
          <Field id="namespace-id" label="Namespace id" errors={errorsOf('namespace.id')} lock={nsLock}>
            {(p) => <input {...p} value={draft.namespaceId} spellCheck={false} placeholder="checkout-layer" onChange={(e) => update({ namespaceId: e.target.value }, ['namespace.id'])} />}
          </Field>
          <Field id="namespace-start" label="Range start (%)" lock={nsLock} errors={errorsOf('namespace.range.0')}>
            {(p) => <input {...p} type="number" min={0} max={100} step="any" value={draft.namespaceStart} onChange={(e) => update({ namespaceStart: e.target.value }, ['namespace.range'])} />}
          </Field>
          <Field id="namespace-end" label="Range end (%)" lock={nsLock} errors={errorsOf('namespace.range.1')}>
            {(p) => <input {...p} type="number" min={0} max={100} step="any" value={draft.namespaceEnd} onChange={(e) => update({ namespaceEnd: e.target.value }, ['namespace.range'])} />}
          </Field>
        </div>
      )}
      {draft.namespaceOn && (
        <NamespaceRanges namespaceId={draft.namespaceId.trim()} experimentKey={draft.key} range={typedRange(draft.namespaceStart, draft.namespaceEnd)} />
      )}
      <FieldMessages id="namespace-error" messages={[...errorsOf('namespace'), ...errorsOf('namespace.range')]} />
    </fieldset>
  );
}
