import type { SdkConfig, SdkExperiment } from '@touchpoint/client-sdk';
import type { ExperimentRef } from '../events/classify.js';
import type { ApiKey } from '../keys/repository.js';
import { type RunningExperiment, buildSdkConfig } from '../sdk/config.js';

/**
 * What the hot paths read, held in memory by every instance (live/catalog.ts): an immutable value,
 * replaced as a whole when a change is announced, so a request sees one consistent version.
 */
export interface CatalogState {
  /** Running experiments and shipped winners (rollout form) in SDK form, as /sdk/config serves them. */
  config: SdkConfig;
  /** Content hash of `config` (the /sdk/config ETag). */
  etag: string;
  /** `config.experiments` serialized once per version, not once per request. */
  experimentsJson: string;
  /** The same experiments by key, for /sdk/assign. */
  served: ReadonlyMap<string, SdkExperiment>;
  /** Every experiment, whatever its status, for ingestion to resolve exposures (events/classify.ts). */
  experiments: ReadonlyMap<string, ExperimentRef>;
  /** Active SDK keys by digest. Admin keys are never held here: revoking one takes effect at once. */
  sdkKeys: ReadonlyMap<string, ApiKey>;
}

export interface ExperimentsPart {
  config: SdkConfig;
  etag: string;
  experimentsJson: string;
  served: ReadonlyMap<string, SdkExperiment>;
  experiments: ReadonlyMap<string, ExperimentRef>;
}

export function experimentsPart(served: RunningExperiment[], refs: ReadonlyMap<string, ExperimentRef>): ExperimentsPart {
  const { config, etag } = buildSdkConfig(served);
  return {
    config,
    etag,
    experimentsJson: JSON.stringify(config.experiments),
    served: new Map(config.experiments.map((e) => [e.key, e])),
    experiments: refs,
  };
}

export function keysPart(keys: ReadonlyArray<{ digest: string; key: ApiKey }>): Pick<CatalogState, 'sdkKeys'> {
  return { sdkKeys: new Map(keys.map(({ digest, key }) => [digest, key])) };
}
