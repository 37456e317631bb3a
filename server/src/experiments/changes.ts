/**
 * Variant `changes` and `redirect` (design.md §10): what the script tag does to a page for a variant.
 * Checked when an experiment is saved, so the script never meets a selector it cannot run, a script,
 * an event handler or a `javascript:` URL. Pure functions; the zod schemas at the bottom wire them in.
 *
 * - selectors are parsed with css-what (the parser behind cheerio and css-select), then the few shapes
 *   it lets through that `querySelectorAll` refuses or that can never match an element are refused too;
 * - `html` values are sanitised with sanitize-html (its allowlist: no script, style, iframe, form or
 *   event handler; links http(s), mailto and tel only). A value the sanitiser would alter beyond
 *   normalisation is refused rather than silently stored changed, so what the editor previews is what
 *   ships; the stored value is the sanitised one.
 */
import { parse as parseSelector } from 'css-what';
import sanitizeHtml from 'sanitize-html';
import { z } from 'zod';
import { text } from '../http/schema-helpers.js';

export const CHANGE_ACTIONS = ['text', 'html', 'attribute', 'style', 'class-add', 'class-remove', 'hide', 'remove'] as const;
export type ChangeAction = (typeof CHANGE_ACTIONS)[number];

export const MAX_CHANGES_PER_VARIANT = 50;
const MAX_SELECTOR_LENGTH = 500;
const MAX_VALUE_LENGTH = 10_000;

/** Which fields each action uses: `name` (attribute or CSS property) and `value`. */
const NEEDS: Record<ChangeAction, { name: boolean; value: boolean }> = {
  text: { name: false, value: true },
  html: { name: false, value: true },
  attribute: { name: true, value: true },
  style: { name: true, value: true },
  'class-add': { name: false, value: true },
  'class-remove': { name: false, value: true },
  hide: { name: false, value: false },
  remove: { name: false, value: false },
};

export interface VariantChange {
  selector: string;
  action: ChangeAction;
  name?: string | undefined;
  value?: string | undefined;
}

/** Problems of a selector: empty, unparsable, a dangling combinator, a pseudo-element. */
export function selectorProblem(selector: string): string | null {
  if (!selector.trim()) return 'must not be empty';
  let parsed: ReturnType<typeof parseSelector>;
  try {
    parsed = parseSelector(selector);
  } catch (error) {
    return `is not a valid CSS selector (${error instanceof Error ? error.message : String(error)})`;
  }
  for (const compound of parsed) {
    const last = compound.at(-1);
    if (!last) return 'has an empty part (a stray comma?)';
    if (['child', 'parent', 'sibling', 'adjacent', 'descendant', 'column-combinator'].includes(last.type)) {
      return 'ends with a combinator (">", "+", "~")';
    }
    if (compound.some((token) => token.type === 'pseudo-element')) return 'targets a pseudo-element, which no change can modify';
  }
  return null;
}

/** URL schemes a link, an image or a redirect may use; relative URLs are fine too. */
const SAFE_SCHEMES = ['http', 'https', 'mailto', 'tel'];
/** Attributes whose value the browser loads or runs as a URL. */
const URL_ATTRIBUTES = new Set(['href', 'src', 'action', 'formaction', 'poster', 'xlink:href', 'background', 'cite', 'data', 'ping']);

/** A URL scheme, as a browser reads it (it drops ASCII whitespace and control characters first). */
function urlScheme(url: string): string | null {
  // eslint-disable-next-line no-control-regex
  const cleaned = url.replace(/[\u0000-\u0020]/g, '');
  const match = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(cleaned);
  return match ? match[1]!.toLowerCase() : null;
}

const unsafeUrl = (url: string) => {
  const scheme = urlScheme(url);
  return scheme !== null && !SAFE_SCHEMES.includes(scheme);
};

/** The sanitiser's allowlist, with `class`, `id`, `style`-free presentation attributes and links. */
const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: sanitizeHtml.defaults.allowedTags.concat(['img', 'span', 'small', 's', 'u', 'mark', 'picture', 'source']),
  allowedAttributes: {
    '*': ['class', 'id', 'title', 'lang', 'dir', 'aria-*', 'data-*', 'role'],
    a: ['href', 'name', 'target', 'rel'],
    img: ['src', 'srcset', 'alt', 'width', 'height', 'loading'],
    source: ['srcset', 'media', 'type'],
  },
  allowedSchemes: SAFE_SCHEMES,
  allowProtocolRelative: true,
};
/** The same parse with nothing removed: what the value looks like once merely normalised. */
const NORMALISE: sanitizeHtml.IOptions = {
  allowedTags: false,
  allowedAttributes: false,
  allowVulnerableTags: true,
  allowedSchemes: [],
  allowedSchemesAppliedToAttributes: [],
};

export function sanitizeChangeHtml(html: string): string {
  return sanitizeHtml(html, SANITIZE);
}

/** Null when the sanitiser keeps the value as it is (up to normalisation), else why it is refused. */
export function htmlProblem(html: string): string | null {
  return sanitizeHtml(html, NORMALISE) === sanitizeChangeHtml(html)
    ? null
    : 'contains markup the sanitiser removes (scripts, styles, frames, forms, event handlers, javascript: URLs or unknown attributes)';
}

/** Problems of one change row, each with the field it is about. */
export function changeProblems(change: VariantChange): Array<{ field: 'selector' | 'name' | 'value' | 'action'; message: string }> {
  const problems: Array<{ field: 'selector' | 'name' | 'value' | 'action'; message: string }> = [];
  const selector = selectorProblem(change.selector);
  if (selector) problems.push({ field: 'selector', message: selector });
  const needs = NEEDS[change.action];
  if (needs.name && !change.name) problems.push({ field: 'name', message: `"${change.action}" needs a name (${change.action === 'style' ? 'a CSS property' : 'an attribute'})` });
  if (!needs.name && change.name !== undefined) problems.push({ field: 'name', message: `"${change.action}" takes no name` });
  if (needs.value && change.value === undefined) problems.push({ field: 'value', message: `"${change.action}" needs a value` });
  if (!needs.value && change.value !== undefined) problems.push({ field: 'value', message: `"${change.action}" takes no value` });
  const { name = '', value = '' } = change;
  switch (change.action) {
    case 'html': {
      const problem = htmlProblem(value);
      if (problem) problems.push({ field: 'value', message: problem });
      break;
    }
    case 'attribute': {
      const lower = name.toLowerCase();
      if (name && !/^[a-zA-Z_:][-a-zA-Z0-9_:.]*$/.test(name)) problems.push({ field: 'name', message: 'is not an attribute name' });
      else if (lower.startsWith('on')) problems.push({ field: 'name', message: 'event handler attributes (on…) run code and are not allowed' });
      else if (lower === 'srcdoc' || lower === 'style') problems.push({ field: 'name', message: `"${lower}" is not allowed here${lower === 'style' ? ' (use the "style" action)' : ''}` });
      else if ((URL_ATTRIBUTES.has(lower) || lower === 'srcset') && unsafeUrl(value)) {
        problems.push({ field: 'value', message: 'URLs must be relative or use http, https, mailto or tel' });
      }
      break;
    }
    case 'style':
      if (name && !/^(?:--[\w-]+|-?[a-zA-Z][a-zA-Z-]*)$/.test(name)) problems.push({ field: 'name', message: 'is not a CSS property name' });
      if (/url\s*\(|expression\s*\(|[;{}<]/i.test(value)) problems.push({ field: 'value', message: 'must be one CSS value, without url(), expression(), ";", "{", "}" or "<"' });
      break;
    case 'class-add':
    case 'class-remove':
      if (!/^\s*[^\s]+(?:\s+[^\s]+)*\s*$/.test(value)) problems.push({ field: 'value', message: 'must name one or more classes separated by spaces' });
      break;
  }
  return problems;
}

/** Problems of a redirect URL: absolute http(s) or a path on the same site. */
export function redirectProblem(url: string): string | null {
  if (!url.trim()) return 'must not be empty';
  if (url.startsWith('/') && !url.startsWith('//')) return null;
  const scheme = urlScheme(url);
  if (scheme !== 'http' && scheme !== 'https') return 'must be an http(s) URL or a path starting with "/"';
  try {
    new URL(url);
  } catch {
    return 'is not a valid URL';
  }
  return null;
}

export const variantChangeSchema = z
  .strictObject({
    selector: text(MAX_SELECTOR_LENGTH, 1).describe('CSS selector of the element(s) to change'),
    action: z.enum(CHANGE_ACTIONS),
    name: text(200, 1).optional().describe('Attribute name (`attribute`) or CSS property (`style`)'),
    value: text(MAX_VALUE_LENGTH).optional().describe('New text, sanitised HTML, attribute or style value, or class names'),
  })
  .superRefine((change, ctx) => {
    for (const { field, message } of changeProblems(change)) ctx.addIssue({ code: 'custom', path: [field], message });
  })
  // What is stored is the sanitiser's output (the same markup, normalised).
  .overwrite((change) => (change.action === 'html' && change.value !== undefined ? { ...change, value: sanitizeChangeHtml(change.value) } : change));

export const variantChangesSchema = z.array(variantChangeSchema).max(MAX_CHANGES_PER_VARIANT, `at most ${MAX_CHANGES_PER_VARIANT} changes per variant`);

export const redirectSchema = text(2000, 1)
  .superRefine((url, ctx) => {
    const problem = redirectProblem(url);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .describe('URL the script tag sends this variant\'s visitors to (query string kept); absolute http(s) or a path');
