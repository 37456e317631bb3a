/**
 * Shapes of the public HTTP API (README.md "API", server/src/* /schemas.ts). Written by hand: the
 * dashboard uses only the public API, and these are the field names that API promises.
 */
import type { Role } from '../app/access.js';

export type { Role };
export const FUNNEL_STAGES = ['awareness', 'consideration', 'decision', 'purchase', 'retention'] as const;
export type FunnelStage = (typeof FUNNEL_STAGES)[number];

export const TOUCHPOINT_KINDS = ['cta', 'checkout_form', 'product_page', 'pricing_page', 'cart', 'landing_page', 'email', 'other'] as const;
export type TouchpointKind = (typeof TOUCHPOINT_KINDS)[number];

export interface Touchpoint {
  key: string;
  name: string;
  kind: TouchpointKind;
  funnelStage: FunnelStage;
  urlPattern: string | null;
  description: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface NewTouchpoint {
  key: string;
  name: string;
  kind: TouchpointKind;
  funnelStage: FunnelStage;
  urlPattern?: string | null;
  description?: string | null;
}

export const METRIC_TYPES = ['conversion', 'revenue', 'ratio', 'funnel'] as const;
export type MetricType = (typeof METRIC_TYPES)[number];

export interface RatioPart {
  eventName: string;
  aggregate: 'sum' | 'count';
}

export interface Metric {
  key: string;
  name: string;
  type: MetricType;
  eventName: string | null;
  steps: string[] | null;
  numerator: RatioPart | null;
  denominator: RatioPart | null;
  attributionHours: number | null;
  direction: 'increase' | 'decrease';
  description: string | null;
  /** Revenue and ratio metrics: what the values count ("items"), or null. */
  unit?: string | null;
  /** Revenue and ratio metrics: the ISO 4217 currency of money values ("EUR"), or null. */
  currency?: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface NewMetric {
  key: string;
  name: string;
  type: MetricType;
  eventName?: string | null;
  steps?: string[] | null;
  numerator?: RatioPart | null;
  denominator?: RatioPart | null;
  attributionHours?: number | null;
  direction?: 'increase' | 'decrease';
  unit?: string | null;
  currency?: string | null;
}

export const EXPERIMENT_STATUSES = ['draft', 'running', 'paused', 'stopped'] as const;
export type ExperimentStatus = (typeof EXPERIMENT_STATUSES)[number];

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

export interface Variant {
  key: string;
  name: string;
  /** Share of the experiment's traffic, 0–1; the weights of an experiment sum to 1. */
  weight: number;
  payload?: Json | null;
  /** Script-tag DOM changes (README "Script tag"); the server answers [] when none. */
  changes?: DomChange[];
  /** Script-tag redirect URL; null when none. */
  redirect?: string | null;
}

export type DomChangeAction = 'text' | 'html' | 'attribute' | 'style' | 'class-add' | 'class-remove' | 'hide' | 'remove';

export interface DomChange {
  selector: string;
  action: DomChangeAction;
  /** Attribute name (`attribute`) or CSS property (`style`). */
  name?: string;
  value?: string;
}

export interface PreviewLink {
  experimentKey: string;
  variantKey: string;
  token: string;
  expiresAt: string;
  url?: string;
}

export interface Namespace {
  id: string;
  range: [number, number];
}

export interface Experiment {
  key: string;
  name: string;
  hypothesis: string | null;
  touchpointKey: string;
  status: ExperimentStatus;
  variants: Variant[];
  coverage: number;
  targeting: Json | null;
  namespace: Namespace | null;
  salt: string;
  primaryMetric: string | null;
  secondaryMetrics: string[];
  guardrailMetrics: string[];
  alpha: number;
  correction: 'holm' | 'bh';
  sequential: { tuningParameter: number } | null;
  minimumDetectableEffect: number | null;
  /** Days the experiment runs before its results may decide (design.md §8); 7 by default. */
  minimumDays: number;
  stickyBucketing: boolean;
  decision: { winner: string | null; note: string | null } | null;
  /** A shipped winner (stop with ship: true): served to every unit the targeting admits since `since`; null when none. */
  rollout: { variantKey: string; since: string } | null;
  phase: number | null;
  startedAt: string | null;
  stoppedAt: string | null;
  archivedAt: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** Body of POST /api/experiments/:key/stop; `ship: true` serves the winner to everyone (needs a winner). */
export interface StopDecision {
  winner: string | null;
  note: string | null;
  ship?: boolean;
}

/** Body of POST /api/experiments. */
export interface NewExperiment {
  key: string;
  name: string;
  hypothesis?: string | null;
  touchpointKey: string;
  variants: Variant[];
  coverage?: number;
  targeting?: Json | null;
  namespace?: Namespace | null;
  primaryMetric?: string | null;
  secondaryMetrics?: string[];
  guardrailMetrics?: string[];
  alpha?: number;
  /** Absent = on with N* = 5,000; null = fixed horizon (no verdict before the planned sample). */
  sequential?: { tuningParameter: number } | null;
  minimumDetectableEffect?: number | null;
  /** 0–365 whole days; absent = 7. */
  minimumDays?: number;
}

/** Body of PATCH /api/experiments/:key (the version travels in If-Match). */
export type ExperimentPatch = Partial<Omit<NewExperiment, 'key'>> & { newPhase?: boolean };

export interface ExperimentFilters {
  status?: ExperimentStatus | undefined;
  touchpointKey?: string | undefined;
  q?: string | undefined;
  archived?: boolean | undefined;
}

/** Who made a change (design.md §9): a person or a key; null for the server itself (first start, demo). */
export interface AuditActor {
  type: 'user' | 'key';
  id: string;
  name: string;
}

export interface AuditEntry {
  id: number;
  at: string;
  keyId: string | null;
  /** Absent from servers older than team access. */
  actor?: AuditActor | null;
  requestId: string | null;
  entityType: string;
  entityKey: string;
  action: string;
  before: Json | null;
  after: Json | null;
}

export interface ApiKey {
  id: string;
  kind: 'admin' | 'sdk';
  name: string;
  /** Display prefix such as "tp_sdk_HBMi…"; the secret itself is never returned again. */
  prefix: string;
  allowedOrigins: string[];
  /** Admin keys: what the key may do, like a person's role (viewer: read-only automation); null for SDK keys. Absent from older servers. */
  role?: Role | null;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** Webhook events (design.md §8), in the order the page lists them. */
export const WEBHOOK_EVENTS = [
  'experiment.started',
  'experiment.paused',
  'experiment.stopped',
  'experiment.decision_changed',
  'experiment.srm_detected',
  'experiment.guardrail_harmed',
  'experiment.rollout_ended',
] as const;

export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export interface Webhook {
  id: string;
  url: string;
  events: WebhookEvent[];
  format: 'json' | 'slack';
  createdAt: string;
}

export interface NewWebhook {
  url: string;
  events: WebhookEvent[];
  format: 'json' | 'slack';
}

export interface WebhookDelivery {
  id: string;
  eventId: string;
  type: WebhookEvent;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  createdAt: string;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  log: { at: string; statusCode: number | null; error: string | null; durationMs: number }[];
}

export interface NewApiKey {
  kind: 'admin' | 'sdk';
  name: string;
  allowedOrigins?: string[];
  /** Admin keys only (default admin). */
  role?: Role;
}

export interface SampleSizeQuery {
  baseline: number;
  mde: number;
  mdeType?: 'relative' | 'absolute';
  alpha?: number;
  power?: number;
  variants?: number;
  dailyUnits?: number;
}

export interface SampleSize {
  perVariant: number | null;
  total: number | null;
  variantRate: number | null;
  deltaAbsolute: number | null;
  alphaPerComparison?: number;
  durationDays?: number | null;
  reason?: string;
}

/** GET /api/namespaces: the ranges running and paused experiments hold in a namespace, and what is free. */
export interface NamespaceUsage {
  id: string;
  experiments: { key: string; status: 'running' | 'paused'; range: [number, number] }[];
  freeRanges: [number, number][];
}


/** A person who signs in (design.md §9). */
export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  /** invited: the invitation is not accepted yet. */
  status: 'invited' | 'active' | 'disabled';
  sso: boolean;
  /** Has a password here; false for someone who signs in with SSO only (the identity provider keeps it). */
  hasPassword: boolean;
  createdAt: string;
  lastSignInAt: string | null;
}

export interface NewUser {
  email: string;
  name: string;
  role: Role;
}

/** POST /api/auth/login, /setup, /accept-invite. */
export interface SignedIn {
  user: User;
  csrfToken: string;
}

/** GET /api/auth/me: a person (with a session) or a key. */
export interface Me {
  role: Role;
  user?: User;
  csrfToken?: string;
  key?: { id: string; name: string };
}

export interface AuthConfig {
  sso: boolean;
  setupRequired: boolean;
}
