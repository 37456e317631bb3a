/**
 * The script tag (design.md §10), built into one minified IIFE served as GET /sdk/touchpoint.js:
 *
 *   <script src="https://ab.example.com/sdk/touchpoint.js" data-sdk-key="tp_sdk_…"></script>
 *
 * Settings come from its own tag: `data-sdk-key`, `data-api` (default: the script's origin),
 * `data-consent="pending"` (nothing stored or sent before `touchpoint.consent(true)`).
 * It exposes `window.touchpoint` and, for experiments whose variants carry `changes` or `redirect`:
 * - applies the unit's changes on pages matching the touchpoint's URL pattern — from the cached config
 *   synchronously, as the parser inserts elements (a MutationObserver runs before the first paint), or
 *   once the config arrives — and again on DOM mutations and SPA route changes (pushState, popstate);
 * - logs the exposure only once one of the experiment's selectors (any variant's, so control and
 *   variants are counted alike) matches an element;
 * - redirects with the query string kept, after handing the exposure to sendBeacon, never twice in a row;
 * - releases the anti-flicker style (`<style id="tp-antiflicker">`, README "Script tag") as soon as the
 *   changes are applied, or on any failure;
 * - `?tp_preview=<token>`: shows the signed variant and logs nothing (no exposure, no event).
 */
import { createClient } from '../client.js';
import type { Client, VariantResult } from '../client-types.js';
import { readJson } from '../io.js';
import { httpTracking } from '../tracking/index.js';
import type { Attributes, DomChange, SdkExperiment, SdkVariant } from '../types.js';
import { anyTargetExists, createChangeApplier } from './dom-changes.js';
import { redirectTarget } from './redirect.js';
import { ANTI_FLICKER_ID } from './snippet.js';
import { matchesUrlPattern } from './url-pattern.js';

export interface TouchpointGlobal {
  getVariant(experimentKey: string): VariantResult;
  track(name: string, properties?: { value?: number; attributes?: Attributes }): void;
  identify(userId: string): void;
  consent(granted: boolean): void;
  /** Resolves once the configuration is known (or failed to load) and the changes were applied. */
  ready(): Promise<void>;
  /** The underlying client (createClient of @touchpoint/client-sdk/client). */
  client: Client;
}

/** Two redirects within this time in one tab are a loop: the second is not made. */
const REDIRECT_GUARD_MS = 10_000;

type PreviewAnswer = { experimentKey: string; variantKey: string; experiment: SdkExperiment };
type Shown = Pick<SdkVariant, 'changes' | 'redirect'>;

/** What an experiment can show: its variants, or (rollout form, design.md §8) its shipped winner alone. */
const showable = (e: SdkExperiment): Shown[] => e.variants ?? (e.rollout ? [e.rollout] : []);

(function boot() {
  const w = window as unknown as { touchpoint?: TouchpointGlobal };
  if (w.touchpoint) return; // the tag pasted twice
  const doc = document;
  const tag = (doc.currentScript ?? doc.querySelector('script[data-sdk-key]')) as HTMLScriptElement | null;
  const data = tag?.dataset ?? {};
  const apiUrl = (data.api || (tag?.src ? new URL(tag.src, location.href).origin : location.origin)).replace(/\/+$/, '');
  const sdkKey = data.sdkKey ?? '';
  const previewToken = new URL(location.href).searchParams.get('tp_preview');

  // A preview logs nothing: no tracking at all, and consent never granted (nothing stored either).
  const client = createClient({
    apiUrl,
    sdkKey,
    requireConsent: data.consent === 'pending' || !!previewToken,
    ...(!previewToken && { tracking: httpTracking() }),
  });

  const applier = createChangeApplier();
  const exposed = new Set<string>();
  let preview: PreviewAnswer | null | undefined = previewToken ? undefined : null;
  let configKnown = false;
  let dead = false;

  const release = () => doc.getElementById(ANTI_FLICKER_ID)?.remove();

  /** Experiments the script acts on: those with changes or redirects, the previewed one in its place. */
  function experiments(): SdkExperiment[] {
    const all = (client.getConfig()?.experiments ?? []).filter((e) => showable(e).some((v) => v.changes?.length || v.redirect));
    if (!preview) return all;
    return [...all.filter((e) => e.key !== preview!.experimentKey), preview.experiment];
  }

  /** The variant a page shows for an experiment, or null (not in it, wrong page). */
  function variantFor(e: SdkExperiment): { variant: Shown; logged: boolean } | null {
    if (preview && e.key === preview.experimentKey) {
      const variant = e.variants?.find((v) => v.key === preview!.variantKey);
      return variant ? { variant, logged: false } : null;
    }
    if (!matchesUrlPattern(e.urlPattern, location.href)) return null;
    const result = client.getVariant(e.key, { expose: false });
    // A shipped winner (reason "rollout", design.md §8) is shown to everyone and never logged.
    if (result.reason === 'rollout') return e.rollout ? { variant: e.rollout, logged: false } : null;
    if (!result.inExperiment) return null;
    const variant = e.variants?.[result.variantIndex];
    return variant ? { variant, logged: !result.forced && !preview } : null;
  }

  function expose(e: SdkExperiment) {
    if (exposed.has(e.key)) return;
    exposed.add(e.key);
    client.getVariant(e.key); // logs the exposure (once per unit, experiment and variant)
  }

  function tryRedirect(e: SdkExperiment, url: string, logged: boolean): boolean {
    const target = redirectTarget(location.href, url);
    if (!target) return false;
    const guard = readJson<number>(sessionStorageOrNull(), 'tp.redirected');
    if (guard && Date.now() - guard < REDIRECT_GUARD_MS) return false;
    try {
      sessionStorage.setItem('tp.redirected', String(Date.now()));
    } catch {
      // without sessionStorage the same-path check still prevents a redirect to the page itself
    }
    if (logged) {
      expose(e);
      client.flushBeacon?.();
    }
    dead = true;
    location.replace(target);
    return true;
  }

  /** One pass: redirects first, then every change, then the exposures whose targets exist. */
  function run(): boolean {
    if (dead || preview === undefined) return false;
    let pendingTargets = false;
    for (const e of experiments()) {
      const chosen = variantFor(e);
      if (!chosen) continue;
      const { variant } = chosen;
      if (variant.redirect) {
        if (tryRedirect(e, variant.redirect, chosen.logged)) return true;
        // Already on the target, or a loop averted: this page view is not the variant's exposure.
        continue;
      }
      if (variant.changes?.length) applier.apply(doc, variant.changes);
      const selectors = showable(e).flatMap((v) => (v.changes ?? []).map((c: DomChange) => c.selector));
      // Redirect tests: the page itself is the touchpoint. Change tests: one of their elements must be there.
      const reached = showable(e).some((v) => v.redirect) || anyTargetExists(doc, selectors);
      if (reached && chosen.logged) expose(e);
      if (!reached) pendingTargets = true;
    }
    return !pendingTargets;
  }

  /** Run, and let the page be shown once everything is in place (or the document is complete anyway). */
  function runAndMaybeRelease() {
    try {
      const complete = run();
      if (dead) return;
      if (configKnown && preview !== undefined && (complete || doc.readyState !== 'loading')) release();
    } catch (error) {
      release();
      console.warn('[touchpoint] could not apply changes', error);
    }
  }

  // Every DOM change (parser insertions included) and every route change of a single-page app.
  let scheduled = false;
  const observer = new MutationObserver(() => {
    if (scheduled) return;
    scheduled = true;
    queueMicrotask(() => {
      scheduled = false;
      runAndMaybeRelease();
    });
  });
  observer.observe(doc.documentElement, { childList: true, subtree: true, attributes: true, characterData: true });
  for (const method of ['pushState', 'replaceState'] as const) {
    const original = history[method];
    history[method] = function (this: History, ...args: Parameters<History['pushState']>) {
      const out = original.apply(this, args);
      exposed.clear(); // a new page view: log again when a target shows (counted once by the server anyway)
      runAndMaybeRelease();
      return out;
    };
  }
  addEventListener('popstate', () => {
    exposed.clear();
    runAndMaybeRelease();
  });
  doc.addEventListener('DOMContentLoaded', runAndMaybeRelease);

  configKnown = !!client.getConfig();
  const previewLoaded = previewToken ? loadPreview(previewToken) : Promise.resolve();
  const ready = Promise.all([client.ready(), previewLoaded]).then(() => {
    configKnown = true;
    if (!client.getConfig() && !preview) release(); // nothing to apply: never keep the page hidden
    runAndMaybeRelease();
  });
  client.subscribe(runAndMaybeRelease);
  runAndMaybeRelease();

  async function loadPreview(token: string): Promise<void> {
    try {
      const res = await fetch(`${apiUrl}/sdk/preview?token=${encodeURIComponent(token)}`, { headers: { Authorization: `Bearer ${sdkKey}` } });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      preview = (await res.json()) as PreviewAnswer;
    } catch (error) {
      preview = null;
      console.warn('[touchpoint] preview link not honoured', error);
    }
  }

  w.touchpoint = {
    getVariant: (key) => client.getVariant(key),
    track: (name, properties) => client.track(name, properties),
    identify: (id) => client.identify(id),
    consent: (granted) => client.setConsent(granted),
    ready: () => ready,
    client,
  };
})();

function sessionStorageOrNull(): Storage | null {
  try {
    return sessionStorage;
  } catch {
    return null;
  }
}
