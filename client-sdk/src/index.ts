// Core entry (size-budgeted, 4 KB min+gzip): the pure hashing, assignment and targeting
// functions of design.md §4, usable unchanged in browsers, Node and the server.
// The stateful client, tracking, React bindings, the condition validator and the rollout rule are
// subpath exports (`/client`, `/tracking`, `/react`, `/validate`, `/rollout`) so that importing this stays cheap.
export { hash, bucket } from './hash.js';
export { assignVariant } from './assign.js';
export { evaluateCondition } from './targeting.js';
export { compareSemver, parseSemver } from './semver.js';
export type {
  Assignment,
  Attributes,
  Condition,
  DomChange,
  ConditionOp,
  Json,
  LeafCondition,
  RegexMatcher,
  SdkConfig,
  SdkExperiment,
  SdkNamespace,
  SdkRollout,
  SdkVariant,
  WarningHandler,
} from './types.js';
export type {
  Client,
  ClientOptions,
  EventInput,
  ExposureInput,
  GetVariantOptions,
  SdkError,
  Tracker,
  TrackingContext,
  TrackingFactory,
  VariantReason,
  VariantResult,
} from './client-types.js';
export type { Io, IoOptions, StorageLike } from './io.js';
