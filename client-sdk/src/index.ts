// Core entry: pure hashing, assignment and targeting, plus the client shell.
// Tracking (event queue) and React bindings are subpath exports so this stays small.
export { hash, bucket } from './hash';
export { assignVariant } from './assign';
export { evaluateCondition } from './targeting';
export { validateCondition } from './validate';
export { compareSemver, parseSemver } from './semver';
export type {
  Assignment,
  Attributes,
  Condition,
  ConditionOp,
  Json,
  LeafCondition,
  SdkConfig,
  SdkExperiment,
  SdkNamespace,
  SdkVariant,
  WarningHandler,
} from './types';
