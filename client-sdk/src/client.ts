/**
 * The stateful shell around the pure core: configuration (bootstrap, cache, ETag refresh),
 * identity, consent, overrides and sticky assignments. Transport of exposures and events is a
 * plug-in (`tracking` option) so that this entry stays small. Nothing here throws into the page:
 * problems go to `onError` / `onWarning`.
 */
import { assignVariant } from './assign.js';
import type { Client, ClientOptions, SdkError, Tracker, VariantReason, VariantResult } from './client-types.js';
import { openConfigStream } from './config-stream.js';
import { readJson, resolveIo, timeoutSignal, writeJson } from './io.js';
import { parseUrlOverrides } from './overrides.js';
import { rolloutVariant } from './rollout.js';
import { evaluateCondition } from './targeting.js';
import type { Attributes, SdkConfig, SdkExperiment } from './types.js';

/** Variants per unit: `seen` (what the unit was exposed to) and `linked` (carried over by identify). */
interface Memory {
  seen: Record<string, Record<string, string>>;
  linked: Record<string, Record<string, string>>;
}

const MAX_UNITS_REMEMBERED = 20;

const isConfig = (c: unknown): c is SdkConfig =>
  !!c && Array.isArray((c as SdkConfig).experiments);

export function createClient(options: ClientOptions = {}): Client {
  const io = resolveIo(options);
  const { storage } = io;
  const prefix = options.storagePrefix ?? 'tp.';
  const keys = { config: prefix + 'config', anon: prefix + 'anon', memory: prefix + 'units', optOut: prefix + 'optout' };
  const apiUrl = (options.apiUrl ?? '').replace(/\/+$/, '');
  const sdkKey = options.sdkKey ?? '';
  const interval = options.refreshInterval ?? 300_000;
  const listeners = new Set<() => void>();

  const report = (error: SdkError) => {
    if (options.onError) options.onError(error);
    else if (typeof console !== 'undefined') console.warn(`[touchpoint] ${error.type}: ${error.message}`);
  };

  // Privacy state. The opt-out flag is the one thing stored without consent: it is needed to honour it.
  let optedOut = readJson(storage, keys.optOut) === 1;
  let consent = !options.requireConsent && !optedOut;
  const canSend = () => consent && !optedOut;
  const canStore = () => canSend() && !!storage;

  // Identity. A stored anonymous id exists only if consent was given on an earlier visit.
  let userId = options.unitId || undefined;
  let anonymousId = readJson<string>(storage, keys.anon);
  const memory: Memory = { seen: {}, linked: {}, ...readJson<Memory>(storage, keys.memory) };
  let attributes: Attributes = { ...options.attributes };

  const persist = () => {
    if (!canStore()) return;
    for (const map of [memory.seen, memory.linked]) {
      const units = Object.keys(map);
      for (let i = 0; i < units.length - MAX_UNITS_REMEMBERED; i++) delete map[units[i]!];
    }
    const ok = writeJson(storage, keys.anon, anonymousId) && writeJson(storage, keys.memory, memory);
    if (!ok) report({ type: 'storage', message: 'could not write to storage' });
  };

  const unitId = (): string => {
    if (userId) return userId;
    if (!anonymousId) {
      anonymousId = io.id();
      persist();
    }
    return anonymousId;
  };

  // Overrides: code first, then the URL (a QA link beats defaults), then setOverride calls.
  const overrides: Record<string, string> = {
    ...options.overrides,
    ...(options.overrideParam !== false &&
      parseUrlOverrides(options.url ?? (globalThis as { location?: { href?: string } }).location?.href, options.overrideParam ?? 'tp_force')),
  };

  let config: SdkConfig | null = null;
  let experiments = new Map<string, SdkExperiment>();
  let etag: string | undefined;
  let timer: unknown;
  let inFlight: Promise<void> | undefined;
  let destroyed = false;
  let warnedNoTracker = false;

  const notify = () => listeners.forEach((listener) => {
    try {
      listener();
    } catch (e) {
      report({ type: 'invalid_input', message: `listener threw: ${String(e)}` });
    }
  });

  const setConfig = (next: unknown): boolean => {
    if (!isConfig(next)) {
      report({ type: 'config', message: 'configuration without an experiments array ignored' });
      return false;
    }
    config = next;
    experiments = new Map(next.experiments.map((e) => [e.key, e]));
    notify();
    return true;
  };

  if (options.bootstrap) setConfig(options.bootstrap);
  else {
    const cached = readJson<{ etag?: string; config: SdkConfig }>(storage, keys.config);
    if (cached && isConfig(cached.config)) {
      etag = cached.etag;
      setConfig(cached.config);
    }
  }

  // While there is no config at all, a failed load is retried sooner (2 s, 4 s, … up to the
  // refresh interval) so that a visitor is not left on the control for a whole interval.
  let failures = 0;
  const schedule = () => {
    io.clearTimeout(timer);
    const delay = !config && failures ? Math.min(interval, 1000 * 2 ** failures) : interval;
    if (interval > 0 && !destroyed) timer = io.setTimeout(refresh, delay);
  };

  async function load(): Promise<void> {
    try {
      const headers: Record<string, string> = { Authorization: `Bearer ${sdkKey}` };
      if (etag) headers['If-None-Match'] = etag;
      // A hung request would block every later refresh: give up after 10 s.
      const res = await io.fetch!(`${apiUrl}/sdk/config`, { headers, signal: timeoutSignal(10_000) });
      failures = 0;
      if (res.status === 304) return;
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const body: unknown = await res.json();
      if (setConfig(body)) {
        etag = res.headers.get('ETag') ?? undefined;
        if (canStore()) writeJson(storage, keys.config, { etag, config: body });
      }
    } catch (e) {
      failures++;
      report({ type: 'config', message: `could not load /sdk/config: ${e instanceof Error ? e.message : String(e)}` });
    }
  }

  // Streaming (options.streaming): pushed configs on top of the polling, which stays as the fallback.
  let stream: { close(): void } | undefined;
  let streamFailures = 0;
  let streamTimer: unknown;
  const acceptPushed = (body: unknown, pushedEtag: string | undefined) => {
    streamFailures = 0;
    if (pushedEtag && pushedEtag === etag) return;
    if (setConfig(body)) {
      etag = pushedEtag;
      if (canStore()) writeJson(storage, keys.config, { etag, config: body });
    }
  };
  function openStream(): void {
    if (!options.streaming || !apiUrl || !io.fetch || destroyed) return;
    stream = openConfigStream({
      fetch: io.fetch,
      url: `${apiUrl}/sdk/config?stream=1`,
      sdkKey,
      onConfig: acceptPushed,
      onEnd: () => {
        stream = undefined;
        if (destroyed) return;
        // Polling carries on meanwhile; the stream is only the fast path.
        streamTimer = io.setTimeout(openStream, Math.min(60_000, 1000 * 2 ** streamFailures++));
      },
    });
  }

  function refresh(): Promise<void> {
    if (!apiUrl || !io.fetch || destroyed) return Promise.resolve();
    inFlight ??= load().finally(() => {
      inFlight = undefined;
      schedule();
    });
    return inFlight;
  }

  // A bootstrap is fresh from the server: next fetch at the refresh interval. A cached config is
  // used at once and revalidated now (stale-while-revalidate; a 304 costs nothing). Otherwise fetch.
  const firstLoad = options.bootstrap
    ? (schedule(), Promise.resolve())
    : config
      ? (void refresh(), Promise.resolve())
      : refresh();

  openStream();

  const tracker: Tracker | undefined = options.tracking?.({ apiUrl, sdkKey, storagePrefix: prefix, io, canStore, canSend, report });

  function result(e: SdkExperiment | undefined, key: string, index: number, reason: VariantReason): VariantResult {
    const v = e?.variants?.[index];
    const inExperiment = reason === 'assigned' || reason === 'sticky' || reason === 'linked' || reason === 'forced';
    return { experimentKey: key, variantKey: v?.key ?? null, variantIndex: index, payload: v?.payload ?? null, inExperiment, forced: reason === 'forced', reason };
  }

  function getVariant(key: string, { expose = true } = {}): VariantResult {
    if (!config) return result(undefined, key, 0, 'no_config');
    const e = experiments.get(key);
    // A shipped winner comes before overrides and opt-out: it is the site itself now, not a test.
    if (e?.rollout) {
      const shown = rolloutVariant(e, attributes, options.onWarning, options.regex);
      if (!shown) return result(undefined, key, 0, 'not_in_experiment');
      return { experimentKey: key, ...shown, inExperiment: false, forced: false, reason: 'rollout' };
    }
    if (!e || !Array.isArray(e.variants)) return result(undefined, key, 0, 'unknown_experiment');
    const variants = e.variants;

    const forced = overrides[key];
    if (forced !== undefined) {
      let index = variants.findIndex((v) => v.key === forced);
      if (index < 0 && /^\d+$/.test(forced) && +forced < variants.length) index = +forced;
      if (index >= 0) return result(e, key, index, 'forced');
      options.onWarning?.(`override ${key}:${forced} names no variant; ignored`);
    }
    if (optedOut) return result(e, key, 0, 'opted_out');

    const unit = unitId();
    // A carried-over (identify) or sticky variant wins over hashing if it still exists and the
    // unit still matches the targeting.
    const pinned = memory.linked[unit]?.[key] ?? (e.sticky ? memory.seen[unit]?.[key] : undefined);
    const pinnedIndex = pinned === undefined ? -1 : variants.findIndex((v) => v.key === pinned);
    let index: number;
    let reason: VariantReason;
    if (pinnedIndex >= 0 && evaluateCondition(e.targeting, attributes, options.onWarning, options.regex)) {
      index = pinnedIndex;
      reason = memory.linked[unit]?.[key] === pinned ? 'linked' : 'sticky';
    } else {
      const a = assignVariant(e, unit, attributes, options.onWarning, options.regex);
      if (!a) return result(e, key, 0, 'not_in_experiment');
      index = a.variantIndex;
      reason = 'assigned';
    }
    const variantKey = variants[index]!.key;
    if (expose) {
      const seen = (memory.seen[unit] ??= {});
      if (seen[key] !== variantKey) {
        seen[key] = variantKey;
        persist();
      }
      tracker?.exposure({ unitId: unit, experimentKey: key, variantKey, attributes });
    }
    return result(e, key, index, reason);
  }

  return {
    getVariant,
    ready: () => firstLoad,
    refresh,
    getConfig: () => config,
    setConfig: (next) => void setConfig(next),
    track(name, properties = {}) {
      const { value } = properties;
      if (typeof name !== 'string' || !name || (value !== undefined && !(typeof value === 'number' && isFinite(value)))) {
        report({ type: 'invalid_input', message: `track(${JSON.stringify(name)}) needs a name and a finite numeric value; dropped`, count: 1 });
        return;
      }
      if (optedOut) return;
      if (!tracker) {
        // Not an error in Node (assignment only), but a page expecting conversions would lose them.
        if (!warnedNoTracker) options.onWarning?.('track() without a tracking plug-in: event not sent');
        warnedNoTracker = true;
        return;
      }
      tracker.event({ unitId: unitId(), name, value, attributes: { ...attributes, ...properties.attributes } });
    },
    flush: () => tracker?.flush() ?? Promise.resolve(),
    flushBeacon: () => tracker?.beacon?.(),
    getAttributes: () => attributes,
    setAttributes(next) {
      attributes = { ...next };
      notify();
    },
    getUnitId: unitId,
    identify(id) {
      if (!id || id === userId) return;
      const previous = unitId();
      // Keep what the visitor saw under the previous id; from the anonymous id (no userId yet), tell
      // the server the two ids are one visitor (POST /sdk/events, an `identify` item).
      memory.linked[id] = { ...memory.linked[id], ...memory.linked[previous], ...memory.seen[previous] };
      if (!userId && !optedOut) tracker?.identify({ unitId: id, anonymousId: previous });
      userId = id;
      persist();
      notify();
    },
    setConsent(granted) {
      consent = granted;
      if (granted) {
        optedOut = false;
        writeJson(storage, keys.optOut, undefined);
        persist();
        tracker?.consentGranted();
      } else forget();
      notify();
    },
    optOut() {
      optedOut = true;
      forget();
      writeJson(storage, keys.optOut, 1);
      notify();
    },
    isOptedOut: () => optedOut,
    setOverride(key, variant) {
      if (variant === null) delete overrides[key];
      else overrides[key] = variant;
      notify();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    destroy() {
      destroyed = true;
      io.clearTimeout(timer);
      io.clearTimeout(streamTimer);
      stream?.close();
      tracker?.destroy();
      listeners.clear();
    },
  };

  /** Withdrawn consent or opt-out: erase identifiers and queued data, keep only the config cache. */
  function forget() {
    consent = false;
    tracker?.clear();
    anonymousId = undefined;
    memory.seen = {};
    memory.linked = {};
    writeJson(storage, keys.anon, undefined);
    writeJson(storage, keys.memory, undefined);
  }
}
