// Public types of the client shell (client.ts) and of the tracking plug-in it talks to.
import type { Io, IoOptions } from './io.js';
import type { Attributes, Json, RegexMatcher, SdkConfig, WarningHandler } from './types.js';

/** Why a result is what it is; anything but `assigned`, `sticky` and `linked` means "not in experiment" or forced. */
export type VariantReason =
  | 'assigned' // hashed per design.md §4
  | 'sticky' // the unit's stored variant (experiment.sticky)
  | 'linked' // the variant seen before identify()
  | 'forced' // URL or code override: shown, never logged
  | 'no_config' // no configuration yet: control experience
  | 'unknown_experiment'
  | 'not_in_experiment' // targeting, namespace or coverage excluded the unit
  | 'opted_out'
  | 'rollout'; // a shipped winner (design.md §8): shown to everyone the targeting admits, never logged

export interface VariantResult {
  experimentKey: string;
  /** Variant to show; the control's key when not in the experiment, the winner's for a rollout, null when unknown. */
  variantKey: string | null;
  /** 0 (the control) when not in the experiment; the winner's index for a rollout. */
  variantIndex: number;
  payload: Json | null;
  /** True when the unit is in the experiment (forced units included); exposures are logged only then. */
  inExperiment: boolean;
  forced: boolean;
  reason: VariantReason;
}

/** A problem the host page should know about; the SDK reports, it never throws. */
export interface SdkError {
  type: 'config' | 'queue_overflow' | 'send' | 'rejected' | 'invalid_input' | 'storage';
  message: string;
  /** Items affected (dropped or rejected), when any. */
  count?: number;
}

export interface ExposureInput {
  unitId: string;
  experimentKey: string;
  variantKey: string;
  attributes?: Attributes;
}

export interface EventInput {
  unitId: string;
  name: string;
  value?: number;
  attributes?: Attributes;
}

/** `identify()`: the visitor known as `anonymousId` signed in as `unitId`; the server links the two. */
export interface IdentifyInput {
  unitId: string;
  anonymousId: string;
}

/** What a tracking plug-in gets from the client: one set of injected I/O and the privacy state. */
export interface TrackingContext {
  apiUrl: string;
  sdkKey: string;
  /** Prefix of every storage key the client and its plug-ins write. */
  storagePrefix: string;
  io: Io;
  /** Consent given and not opted out, and a storage is available. */
  canStore(): boolean;
  /** Consent given and not opted out. */
  canSend(): boolean;
  report(error: SdkError): void;
}

export interface Tracker {
  exposure(item: ExposureInput): void;
  event(item: EventInput): void;
  identify(item: IdentifyInput): void;
  flush(): Promise<void>;
  /** Hand everything queued to the browser now (sendBeacon): the page is about to be left. */
  beacon?(): void;
  /** Consent was granted: persist and send what was held in memory. */
  consentGranted(): void;
  /** Consent withdrawn or opt-out: forget everything queued, in memory and in storage. */
  clear(): void;
  destroy(): void;
}

export type TrackingFactory = (context: TrackingContext) => Tracker;

export interface ClientOptions extends IoOptions {
  /** Base URL of the Touchpoint server, e.g. "https://ab.example.com". Without it nothing is fetched. */
  apiUrl?: string;
  /** Public SDK key (safe in a browser). */
  sdkKey?: string;
  attributes?: Attributes;
  /** A known unit id (logged-in user). Without it an anonymous id is generated (and persisted after consent). */
  unitId?: string;
  /** Configuration rendered by the server: used at once, no fetch before the first refresh, no flicker. */
  bootstrap?: SdkConfig;
  /** Wait for setConsent(true) before storing or sending anything. */
  requireConsent?: boolean;
  /** Forced variants for QA: experiment key → variant key (or index). Never logged. */
  overrides?: Record<string, string>;
  /** URL giving overrides as `?tp_force=exp:variant,exp2:variant`; default `location.href`. */
  url?: string;
  /** Query parameter read for overrides; `false` disables URL overrides. Default "tp_force". */
  overrideParam?: string | false;
  /** Background refresh period in ms; 0 disables. Default 300000 (5 min, cheap with ETag/304). */
  refreshInterval?: number;
  /**
   * Also keep a server-sent events stream open on `/sdk/config?stream=1`: a paused experiment or a
   * shipped winner reaches the page within a second, without polling. Polling at `refreshInterval`
   * goes on as the fallback; a dropped stream is reopened after 1 s, 2 s, … up to 60 s. Default false.
   */
  streaming?: boolean;
  /** Storage key prefix. Default "tp.". */
  storagePrefix?: string;
  /** Exposure and event transport, e.g. `httpTracking()` from `@touchpoint/client-sdk/tracking`. */
  tracking?: TrackingFactory;
  onError?: (error: SdkError) => void;
  onWarning?: WarningHandler;
  /**
   * Engine for the targeting `regex` operator; the browser's RegExp by default (the server refuses
   * the pattern shapes known to backtrack exponentially). Pass a linear-time one, e.g. built on
   * the `re2js` package, to rule out slow patterns entirely at the cost of its size.
   */
  regex?: RegexMatcher;
}

export interface GetVariantOptions {
  /** Log an exposure (default true). Use false to peek, e.g. during server-side rendering. */
  expose?: boolean;
}

export interface Client {
  /** Synchronous: the variant to show now. */
  getVariant(experimentKey: string, options?: GetVariantOptions): VariantResult;
  /** Resolves once a configuration is there, or the first fetch failed (never rejects). */
  ready(): Promise<void>;
  /** Fetch /sdk/config now (with If-None-Match). Never rejects. */
  refresh(): Promise<void>;
  getConfig(): SdkConfig | null;
  setConfig(config: SdkConfig): void;
  track(name: string, properties?: { value?: number; attributes?: Attributes }): void;
  flush(): Promise<void>;
  /**
   * Hand every queued exposure and event to the browser at once (`navigator.sendBeacon`), for a page
   * about to navigate away (the script tag's redirects). Optional so that custom clients need not have it.
   */
  flushBeacon?(): void;
  getAttributes(): Attributes;
  setAttributes(attributes: Attributes): void;
  getUnitId(): string;
  /**
   * Switch to a logged-in id; experiments the visitor already saw keep their variant. From the
   * anonymous id, the server is told the two ids are one visitor (an `identify` item), and results
   * count them as one unit. From one logged-in id to another nothing is linked: two accounts are two people.
   */
  identify(userId: string): void;
  setConsent(granted: boolean): void;
  optOut(): void;
  isOptedOut(): boolean;
  /** Force (or with null, un-force) a variant in code. */
  setOverride(experimentKey: string, variant: string | null): void;
  /** Called after any change that can alter getVariant results. Returns an unsubscribe function. */
  subscribe(listener: () => void): () => void;
  destroy(): void;
}
