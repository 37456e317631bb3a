/**
 * The HTML a shop pastes into its theme's `<head>` (README "Script tag"; the dashboard shows it ready
 * to paste): the script tag, preceded when there are selectors by the anti-flicker snippet, which hides
 * only the elements being tested until the script has applied their changes (it removes
 * `#tp-antiflicker` then, or on any failure), and at the latest after `timeoutMs`.
 * `@touchpoint/client-sdk/script-tag`.
 */
export const ANTI_FLICKER_ID = 'tp-antiflicker';
export const DEFAULT_ANTI_FLICKER_MS = 1000;

const attribute = (value: string) => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The inline style + timer. Selectors are CSS; `<` is escaped so that no selector can close the style element. */
export function antiFlickerSnippet(selectors: readonly string[], timeoutMs = DEFAULT_ANTI_FLICKER_MS): string {
  const unique = [...new Set(selectors.map((s) => s.trim()).filter(Boolean))];
  if (unique.length === 0) return '';
  const css = `${unique.join(',').replace(/</g, '\\3c ')}{visibility:hidden!important}`;
  const ms = Math.max(0, Math.round(timeoutMs));
  return (
    `<style id="${ANTI_FLICKER_ID}">${css}</style>\n` +
    `<script>setTimeout(function(){var s=document.getElementById("${ANTI_FLICKER_ID}");if(s)s.remove()},${ms})</script>`
  );
}

export interface ScriptTagOptions {
  /** Where the server runs, e.g. "https://ab.example.com". */
  serverUrl: string;
  sdkKey: string;
  /** API base when it differs from serverUrl (`data-api`). */
  apiUrl?: string;
  /** `data-consent="pending"`: nothing is stored or sent before `touchpoint.consent(true)`. */
  consentPending?: boolean;
  /** Selectors to hide until their changes are applied (every selector of the experiments' changes). */
  selectors?: readonly string[];
  timeoutMs?: number;
}

export function scriptTagSnippet(options: ScriptTagOptions): string {
  const base = options.serverUrl.replace(/\/+$/, '');
  const tag =
    `<script src="${attribute(`${base}/sdk/touchpoint.js`)}" data-sdk-key="${attribute(options.sdkKey)}"` +
    (options.apiUrl ? ` data-api="${attribute(options.apiUrl)}"` : '') +
    (options.consentPending ? ' data-consent="pending"' : '') +
    '></script>';
  const flicker = antiFlickerSnippet(options.selectors ?? [], options.timeoutMs);
  return flicker ? `${flicker}\n${tag}` : tag;
}
