/**
 * Shapes shared by the SDK and the server. `SdkConfig` is the body of `GET /sdk/config`;
 * the server builds it from running experiments and the SDK evaluates it locally.
 */

/** Any JSON value (variant payloads, attribute values). */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** Unit attributes used by targeting and sent as a snapshot with exposures. */
export type Attributes = Record<string, unknown>;

export interface SdkVariant {
  key: string;
  /** Share of traffic; the weights of an experiment sum to 1. */
  weight: number;
  /** Whatever the front-end needs to render the variant (a label, a colour…). */
  payload?: Json;
  /** Script tag only: DOM changes applied to the page for this variant (design.md §10). */
  changes?: DomChange[];
  /** Script tag only: send this variant's visitors to this URL (query string kept). */
  redirect?: string;
}

/** One DOM edit of the script tag, checked and sanitised by the server when saved. */
export interface DomChange {
  selector: string;
  action: 'text' | 'html' | 'attribute' | 'style' | 'class-add' | 'class-remove' | 'hide' | 'remove';
  /** Attribute name (`attribute`) or CSS property (`style`). */
  name?: string;
  value?: string;
}

/** Mutually exclusive experiments share a namespace id and take disjoint ranges [start, end). */
export interface SdkNamespace {
  id: string;
  range: [number, number];
}

/**
 * A shipped winner (design.md §8): the variant served to every unit the targeting admits — no hashing,
 * coverage or namespace — with `inExperiment: false`, reason `rollout`, and no exposure logged.
 */
export interface SdkRollout extends Omit<SdkVariant, 'key' | 'weight'> {
  variantKey: string;
  /** The winner's position among the experiment's variants (0 is the control). */
  variantIndex: number;
}

/**
 * A running experiment (split form: `variants`, `coverage`, `namespace`, …), or a stopped one whose
 * winner was shipped (rollout form: `key`, `targeting`, `urlPattern` and `rollout` only; no `variants`, so an SDK that
 * predates rollouts shows the default experience and logs nothing).
 */
export interface SdkExperiment {
  /** Immutable slug. */
  key: string;
  /** Hash salt; defaults to `key` when absent or empty. */
  salt?: string;
  /** At least two; the first is the control. Absent in rollout form. */
  variants?: SdkVariant[];
  /** Share of eligible units in the experiment, 0–1; defaults to 1. */
  coverage?: number;
  namespace?: SdkNamespace | null;
  /** Condition on unit attributes (see targeting.ts); null or absent = everybody. */
  targeting?: Condition | null;
  /** Opt-in sticky bucketing: a unit keeps the variant it first got even if weights change. */
  sticky?: boolean;
  /**
   * Script tag only: the touchpoint's URL pattern; the experiment's changes and redirects apply only on
   * pages it matches (see script-tag/url-pattern.ts). Absent or null = every page.
   */
  urlPattern?: string | null;
  /** Rollout form: the shipped winner (see rolloutVariant). */
  rollout?: SdkRollout;
}

/** `GET /sdk/config` response. Unknown fields are ignored by the SDK. */
export interface SdkConfig {
  experiments: SdkExperiment[];
  /** ISO timestamp of generation (informational). */
  generatedAt?: string;
}

/** Result of `assignVariant` for a unit that is in the experiment. */
export interface Assignment {
  variantKey: string;
  variantIndex: number;
  payload: Json | null;
}

/** Operators of a leaf condition; see targeting.ts for their exact semantics. */
export type ConditionOp =
  | 'eq' | 'neq' | 'in' | 'not_in'
  | 'gt' | 'gte' | 'lt' | 'lte'
  | 'exists' | 'regex'
  | 'semver_eq' | 'semver_neq' | 'semver_gt' | 'semver_gte' | 'semver_lt' | 'semver_lte';

export interface LeafCondition {
  attribute: string;
  op: ConditionOp;
  value?: Json;
}

export type Condition =
  | LeafCondition
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition };

/** Receives non-fatal problems (bad weights, invalid targeting…); the SDK never throws into the page. */
export type WarningHandler = (message: string) => void;

/**
 * Runs the targeting `regex` operator: true when `input` matches `pattern` (JavaScript syntax, flags
 * among i m s u), throwing when the pattern cannot be compiled. The default is the host's RegExp;
 * pass a linear-time engine (the server uses RE2) where patterns meet untrusted input at scale.
 */
export type RegexMatcher = (pattern: string, flags: string, input: string) => boolean;
