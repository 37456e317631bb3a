import type { DomChangeAction } from '../api/types.js';
import { Field } from '../components/field.js';
import { CHANGE_ACTIONS, type ChangeDraft, actionInfo, newChange } from './changes.js';

/**
 * One variant's script-tag part: rows of selector / action / name / value, and a redirect URL.
 * Errors come by path (`variants.<i>.changes.<j>.selector`, `variants.<i>.redirect`), from the form's
 * own checks or from the server's 422, which names the bad row.
 */
export function ChangesEditor({
  index,
  changes,
  redirect,
  onChange,
  errorsOf,
  lock,
}: {
  index: number;
  changes: ChangeDraft[];
  redirect: string;
  onChange: (next: { changes?: ChangeDraft[]; redirect?: string }, fields: string[]) => void;
  errorsOf: (path: string) => string[];
  lock: string | null;
}) {
  const prefix = `variants.${index}`;
  const setRow = (j: number, patch: Partial<ChangeDraft>, field: string) =>
    onChange({ changes: changes.map((c, k) => (k === j ? { ...c, ...patch } : c)) }, [`${prefix}.changes.${j}.${field}`, `${prefix}.changes`]);
  return (
    <details className="changes-editor" open={changes.length > 0 || redirect !== ''}>
      <summary>
        Page changes (script tag){changes.length > 0 && ` · ${changes.length}`}
        {redirect && ' · redirect'}
      </summary>
      <p className="hint">
        Applied by the script tag on pages matching the touchpoint&apos;s URL pattern; the exposure is logged once one of these elements is on the page.
      </p>
      {changes.length > 0 && (
        <ol className="change-rows">
          {changes.map((row, j) => {
            const info = actionInfo(row.action);
            const id = `variant-${index}-change-${j}`;
            return (
              <li key={row.id} className="change-row">
                <Field id={`${id}-selector`} label="Selector" errors={errorsOf(`${prefix}.changes.${j}.selector`)} lock={lock}>
                  {(p) => <input {...p} className="mono" spellCheck={false} placeholder="#buy, .hero h1" value={row.selector} onChange={(e) => setRow(j, { selector: e.target.value }, 'selector')} />}
                </Field>
                <Field id={`${id}-action`} label="Action" errors={errorsOf(`${prefix}.changes.${j}.action`)} lock={lock}>
                  {(p) => (
                    <select {...p} value={row.action} onChange={(e) => setRow(j, { action: e.target.value as DomChangeAction }, 'action')}>
                      {CHANGE_ACTIONS.map((a) => (
                        <option key={a.action} value={a.action}>
                          {a.label}
                        </option>
                      ))}
                    </select>
                  )}
                </Field>
                {info.nameLabel && (
                  <Field id={`${id}-name`} label={info.nameLabel} errors={errorsOf(`${prefix}.changes.${j}.name`)} lock={lock}>
                    {(p) => <input {...p} className="mono" spellCheck={false} value={row.name} onChange={(e) => setRow(j, { name: e.target.value }, 'name')} />}
                  </Field>
                )}
                {info.valueLabel && (
                  <Field id={`${id}-value`} label={info.valueLabel} errors={errorsOf(`${prefix}.changes.${j}.value`)} lock={lock}>
                    {(p) =>
                      row.action === 'html' ? (
                        <textarea {...p} className="mono" rows={2} spellCheck={false} value={row.value} onChange={(e) => setRow(j, { value: e.target.value }, 'value')} />
                      ) : (
                        <input {...p} value={row.value} onChange={(e) => setRow(j, { value: e.target.value }, 'value')} />
                      )
                    }
                  </Field>
                )}
                {!lock && (
                  <button
                    type="button"
                    className="button button-quiet"
                    aria-label={`Remove change ${j + 1} of variant ${index + 1}`}
                    onClick={() => onChange({ changes: changes.filter((_, k) => k !== j) }, [`${prefix}.changes`])}
                  >
                    Remove
                  </button>
                )}
              </li>
            );
          })}
        </ol>
      )}
      {!lock && (
        <button type="button" className="button button-small" onClick={() => onChange({ changes: [...changes, newChange()] }, [`${prefix}.changes`])}>
          Add a change
        </button>
      )}
      <Field
        id={`variant-${index}-redirect`}
        label="Redirect to (optional)"
        hint="Sends this variant's visitors to another URL, keeping the query string. An http(s) URL or a path such as /landing-b."
        errors={errorsOf(`${prefix}.redirect`)}
        lock={lock}
      >
        {(p) => <input {...p} className="mono" spellCheck={false} placeholder="/landing-b" value={redirect} onChange={(e) => onChange({ redirect: e.target.value }, [`${prefix}.redirect`])} />}
      </Field>
    </details>
  );
}
