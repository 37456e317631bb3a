/**
 * Script-tag changes and redirect of a variant (design.md §10) as the form edits them: rows of
 * selector / action / name / value. The server checks everything again (selectors parsed, HTML
 * sanitised, no script or javascript: URL) and names the bad row; these checks only catch what the
 * browser can tell at once, so the form can say it before saving.
 */
import type { DomChange, DomChangeAction } from '../api/types.js';

export const CHANGE_ACTIONS: ReadonlyArray<{ action: DomChangeAction; label: string; nameLabel?: string; valueLabel?: string }> = [
  { action: 'text', label: 'Set text', valueLabel: 'Text' },
  { action: 'html', label: 'Set HTML', valueLabel: 'HTML (sanitised: no scripts or styles)' },
  { action: 'attribute', label: 'Set attribute', nameLabel: 'Attribute', valueLabel: 'Value' },
  { action: 'style', label: 'Set style', nameLabel: 'CSS property', valueLabel: 'CSS value' },
  { action: 'class-add', label: 'Add class', valueLabel: 'Classes' },
  { action: 'class-remove', label: 'Remove class', valueLabel: 'Classes' },
  { action: 'hide', label: 'Hide' },
  { action: 'remove', label: 'Remove' },
];

export const actionInfo = (action: DomChangeAction) => CHANGE_ACTIONS.find((a) => a.action === action)!;

export interface ChangeDraft {
  id: string;
  selector: string;
  action: DomChangeAction;
  name: string;
  value: string;
}

let counter = 0;
export const newChange = (): ChangeDraft => ({ id: `change-${++counter}`, selector: '', action: 'text', name: '', value: '' });

export const changeDraftsFrom = (changes: readonly DomChange[] | undefined): ChangeDraft[] =>
  (changes ?? []).map((c) => ({ id: `change-${++counter}`, selector: c.selector, action: c.action, name: c.name ?? '', value: c.value ?? '' }));

/** The API form: only the fields the action uses. */
export function buildChanges(drafts: readonly ChangeDraft[]): DomChange[] {
  return drafts.map((d) => {
    const info = actionInfo(d.action);
    const change: DomChange = { selector: d.selector.trim(), action: d.action };
    if (info.nameLabel) change.name = d.name.trim();
    if (info.valueLabel) change.value = d.value;
    return change;
  });
}

/** Whether the browser's own selector parser takes it (the server parses it again). */
function selectorParses(selector: string): boolean {
  if (typeof document === 'undefined') return true;
  try {
    document.createDocumentFragment().querySelector(selector);
    return true;
  } catch {
    return false;
  }
}

/** Errors by field path under `variants.<i>.`, e.g. `changes.0.selector`, `redirect`. */
export function changeErrors(drafts: readonly ChangeDraft[], redirect: string): Array<[string, string]> {
  const errors: Array<[string, string]> = [];
  drafts.forEach((d, j) => {
    const info = actionInfo(d.action);
    if (!d.selector.trim()) errors.push([`changes.${j}.selector`, 'Required: the CSS selector of the element to change.']);
    else if (!selectorParses(d.selector)) errors.push([`changes.${j}.selector`, 'Not a valid CSS selector.']);
    if (info.nameLabel && !d.name.trim()) errors.push([`changes.${j}.name`, `Required: the ${info.nameLabel.toLowerCase()}.`]);
    if (info.nameLabel && /^on/i.test(d.name.trim()) && d.action === 'attribute') errors.push([`changes.${j}.name`, 'Event handler attributes (on…) run code and are not allowed.']);
    if ((d.action === 'class-add' || d.action === 'class-remove') && !d.value.trim()) errors.push([`changes.${j}.value`, 'Name one or more classes.']);
    if (d.action === 'html' && /<\s*script|\son\w+\s*=|javascript:/i.test(d.value)) errors.push([`changes.${j}.value`, 'No scripts, event handlers or javascript: URLs.']);
  });
  const url = redirect.trim();
  if (url && !(url.startsWith('/') && !url.startsWith('//')) && !/^https?:\/\/[^/\s]+/i.test(url)) {
    errors.push(['redirect', 'An http(s) URL or a path starting with "/".']);
  }
  return errors;
}
