import type { ColumnType, Generated, JSONColumnType } from 'kysely';

/**
 * The one Kysely `Database` type: every table, as both engines (PGlite and PostgreSQL) return it.
 * int8 and numeric are parsed to numbers by the connection (see connect.ts), so counts are numbers.
 * jsonb columns are written as JSON strings (never rely on the driver's own object encoding, which
 * turns JS arrays into PostgreSQL arrays) and read back parsed.
 */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T extends object | null> = JSONColumnType<T, string, string>;
type NullableJson<T> = ColumnType<T | null, string | null | undefined, string | null>;

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface TouchpointTable {
  key: string;
  name: string;
  kind: string;
  funnel_stage: string;
  url_pattern: string | null;
  description: string | null;
  version: ColumnType<number, number | undefined, number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface MetricTable {
  key: string;
  name: string;
  type: string;
  event_name: string | null;
  steps: NullableJson<string[]>;
  numerator: NullableJson<{ eventName: string; aggregate: 'sum' | 'count' }>;
  denominator: NullableJson<{ eventName: string; aggregate: 'sum' | 'count' }>;
  attribution_hours: number | null;
  direction: string;
  description: string | null;
  /** Guardrails: relative non-inferiority margin in (0, 1); null = the default (2 %). */
  guardrail_margin: ColumnType<number | null, number | null | undefined, number | null>;
  /** Revenue and ratio metrics: what the values count ("items"); never together with a currency. */
  unit: ColumnType<string | null, string | null | undefined, string | null>;
  /** Revenue and ratio metrics: ISO 4217 code of money values ("EUR"). */
  currency: ColumnType<string | null, string | null | undefined, string | null>;
  version: ColumnType<number, number | undefined, number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ExperimentTable {
  id: Generated<number>;
  key: string;
  name: string;
  hypothesis: string | null;
  touchpoint_key: string;
  status: string;
  coverage: number;
  targeting: NullableJson<JsonValue>;
  namespace: NullableJson<{ id: string; range: [number, number] }>;
  salt: string;
  alpha: number;
  correction: string;
  sequential: boolean;
  sequential_tuning: number;
  minimum_detectable_effect: number | null;
  minimum_days: ColumnType<number, number | undefined, number>;
  sticky_bucketing: ColumnType<boolean, boolean | undefined, boolean>;
  decision: NullableJson<{ winner: string | null; note: string | null }>;
  /** The shipped winner (migrations/0018): set with `rollout_since` on a stopped experiment, null otherwise. */
  rollout_variant_key: ColumnType<string | null, string | null | undefined, string | null>;
  rollout_since: NullableTimestamp;
  started_at: NullableTimestamp;
  stopped_at: NullableTimestamp;
  archived_at: NullableTimestamp;
  version: ColumnType<number, number | undefined, number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface VariantTable {
  experiment_id: number;
  position: number;
  key: string;
  name: string;
  weight: number;
  payload: NullableJson<JsonValue>;
  /** Script-tag DOM changes (experiments/changes.ts), null when none. */
  changes: NullableJson<JsonValue>;
  redirect: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface ServerSecretTable {
  name: string;
  value: string;
  created_at: ColumnType<Date, Date | undefined, never>;
}

export interface ExperimentMetricTable {
  experiment_id: number;
  metric_key: string;
  role: 'primary' | 'secondary' | 'guardrail';
  position: number;
}

/** A period during which coverage and weights were constant; SRM is judged per phase. */
export interface ExperimentPhaseTable {
  experiment_id: number;
  phase: number;
  started_at: Timestamp;
  ended_at: NullableTimestamp;
  coverage: number;
  weights: Json<number[]>;
}

export interface ApiKeyTable {
  id: string;
  kind: 'admin' | 'sdk';
  name: string;
  key_hash: string;
  key_prefix: string;
  allowed_origins: Json<string[]>;
  created_at: Timestamp;
  last_used_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
  /** Admin keys: what the key may do (design.md §9); null for SDK keys. */
  role: Role | null;
}

export type Role = 'viewer' | 'editor' | 'admin';

export interface UserTable {
  id: string;
  email: string;
  name: string;
  role: Role;
  password_hash: string | null;
  oidc_issuer: string | null;
  oidc_subject: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  last_sign_in_at: NullableTimestamp;
  disabled_at: NullableTimestamp;
}

export interface UserTokenTable {
  token_hash: string;
  purpose: 'invite' | 'setup';
  user_id: string | null;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: NullableTimestamp;
}

export interface SessionTable {
  id: string;
  token_hash: string;
  user_id: string;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
  revoked_at: NullableTimestamp;
}

export interface OidcFlowTable {
  id_hash: string;
  state: string;
  nonce: string;
  code_verifier: string;
  expires_at: Timestamp;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: Timestamp;
  key_id: string | null;
  request_id: string | null;
  actor_type: 'user' | 'key' | null;
  actor_id: string | null;
  actor_name: string | null;
  entity_type: string;
  entity_key: string;
  action: string;
  before: NullableJson<JsonValue>;
  after: NullableJson<JsonValue>;
}

/** First exposure of a unit to an experiment (the one that counts). */
export interface ExposureTable {
  experiment_id: number;
  unit_id: string;
  variant_index: number;
  first_item_id: string;
  exposed_at: Timestamp;
  received_at: Timestamp;
  attributes: NullableJson<Record<string, JsonValue>>;
  /** Seen later in another variant: excluded from analysis, reported. */
  multiple_variants: ColumnType<boolean, boolean | undefined, boolean>;
}

export interface EventTable {
  id: Generated<number>;
  event_id: string;
  unit_id: string;
  name: string;
  value: number | null;
  occurred_at: Timestamp;
  received_at: Timestamp;
  attributes: NullableJson<Record<string, JsonValue>>;
}

/** An anonymous id linked to the account it signed into (identify); one level deep (migrations/0019). */
export interface UnitAliasTable {
  alias_id: string;
  unit_id: string;
  item_id: string;
  linked_at: Timestamp;
  received_at: Timestamp;
}

/** One row: the count and hash sum of every identity link (migration 0021; NULL = not computed yet). */
export interface LinkFingerprintTable {
  id: number;
  links: string | number | null;
  hash_sum: string | null;
}

/** Computed results of one experiment ('' segment = default results), served while fresh. */
export interface ResultsSnapshotTable {
  experiment_id: number;
  segment: string;
  computed_at: Timestamp;
  duration_ms: number;
  results: Json<Record<string, unknown>>;
  /** Default snapshot only: what an incremental refresh needs (results/incremental.ts); never read to serve. */
  state: NullableJson<Record<string, unknown>>;
}

/** A fixed-window counter shared by every instance (http/rate-limit.ts). */
export interface RateLimitWindowTable {
  scope: string;
  /** A digest of what is counted (a client address), never the value itself. */
  subject: string;
  window_start: Timestamp;
  hits: number;
}

/** A webhook (design.md §8); `secret` in clear because signing needs it (migrations/0014_webhooks.ts). */
export interface WebhookTable {
  id: string;
  url: string;
  events: Json<string[]>;
  format: 'json' | 'slack';
  secret: string;
  created_at: Timestamp;
}

/** The outbox: one row per (event, webhook); `body` is the exact bytes sent on every attempt. */
export interface WebhookDeliveryTable {
  id: Generated<number>;
  webhook_id: string;
  event_id: string;
  event_type: string;
  body: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: ColumnType<number, number | undefined, number>;
  created_at: Timestamp;
  next_attempt_at: Timestamp;
  delivered_at: NullableTimestamp;
  last_status_code: number | null;
  last_error: string | null;
}

export interface WebhookAttemptTable {
  id: Generated<number>;
  delivery_id: number;
  attempted_at: Timestamp;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
}

/** What the results refresh last notified for an experiment (one transition, one event). */
export interface WebhookNotifiedStateTable {
  experiment_id: number;
  srm_mismatch: boolean;
  harmed: Json<string[]>;
  decision_status: string | null;
  updated_at: Timestamp;
}

export interface Database {
  touchpoints: TouchpointTable;
  metrics: MetricTable;
  experiments: ExperimentTable;
  variants: VariantTable;
  experiment_metrics: ExperimentMetricTable;
  experiment_phases: ExperimentPhaseTable;
  api_keys: ApiKeyTable;
  audit_log: AuditLogTable;
  users: UserTable;
  user_tokens: UserTokenTable;
  sessions: SessionTable;
  oidc_flows: OidcFlowTable;
  exposures: ExposureTable;
  events: EventTable;
  unit_aliases: UnitAliasTable;
  link_fingerprint: LinkFingerprintTable;
  results_snapshots: ResultsSnapshotTable;
  rate_limit_windows: RateLimitWindowTable;
  webhooks: WebhookTable;
  webhook_deliveries: WebhookDeliveryTable;
  webhook_attempts: WebhookAttemptTable;
  webhook_notified_state: WebhookNotifiedStateTable;
  server_secrets: ServerSecretTable;
}
