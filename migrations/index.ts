import type { Migration } from 'kysely';
import * as catalog from './0001_catalog.js';
import * as keysAndAudit from './0002_keys_and_audit.js';
import * as exposuresAndEvents from './0003_exposures_and_events.js';
import * as stickyBucketing from './0004_sticky_bucketing.js';
import * as exposureItems from './0005_exposure_items.js';
import * as resultsSnapshots from './0006_results_snapshots.js';
import * as dropExposureItems from './0007_drop_exposure_items.js';
import * as incrementalResults from './0008_incremental_results.js';
import * as storeBatchFunction from './0009_store_batch_function.js';
import * as rateLimitWindows from './0010_rate_limit_windows.js';
import * as sequentialByDefault from './0011_sequential_by_default.js';
import * as guardrailMargin from './0012_guardrail_margin.js';
import * as changeNotifications from './0013_change_notifications.js';
import * as webhooks from './0014_webhooks.js';
import * as minimumDays from './0015_minimum_days.js';
import * as metricUnits from './0016_metric_units.js';
import * as scriptTag from './0017_script_tag.js';
import * as rollouts from './0018_rollouts.js';
import * as unitAliases from './0019_unit_aliases.js';
import * as teamAccess from './0020_team_access.js';
import * as linkFingerprint from './0021_link_fingerprint.js';

/**
 * Every migration, in order. Names sort in execution order; never edit one that has landed on main:
 * add a new file and list it here.
 */
export const migrations: Record<string, Migration> = {
  '0001_catalog': catalog,
  '0002_keys_and_audit': keysAndAudit,
  '0003_exposures_and_events': exposuresAndEvents,
  '0004_sticky_bucketing': stickyBucketing,
  '0005_exposure_items': exposureItems,
  '0006_results_snapshots': resultsSnapshots,
  '0007_drop_exposure_items': dropExposureItems,
  '0008_incremental_results': incrementalResults,
  '0009_store_batch_function': storeBatchFunction,
  '0010_rate_limit_windows': rateLimitWindows,
  '0011_sequential_by_default': sequentialByDefault,
  '0012_guardrail_margin': guardrailMargin,
  '0013_change_notifications': changeNotifications,
  '0014_webhooks': webhooks,
  '0015_minimum_days': minimumDays,
  '0016_metric_units': metricUnits,
  '0017_script_tag': scriptTag,
  '0018_rollouts': rollouts,
  '0019_unit_aliases': unitAliases,
  '0020_team_access': teamAccess,
  '0021_link_fingerprint': linkFingerprint,
};
