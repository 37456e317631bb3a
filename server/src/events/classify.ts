/**
 * Pure classification of an events batch: which items are valid, which are rejected and why,
 * which repeat an id already in the batch, and the rows to write. No I/O, no clock (`now` is passed).
 */
import type { z } from 'zod';
import { zodFieldErrors } from '../http/validate.js';
import { fastParseItem } from './fast-item.js';
import { type EventItem, type ExposureItem, type IdentifyItem, type Rejection, eventItemSchema, exposureItemSchema, identifyItemSchema } from './schemas.js';

/**
 * Client clocks drift, so timestamps are accepted a little in the future: 5 minutes covers ordinary
 * skew; beyond that the device clock is wrong and the item would land after the experiment's end or
 * outside attribution windows.
 */
export const MAX_FUTURE_SKEW_MS = 5 * 60 * 1000;
/**
 * The SDK keeps unsent items across page loads and a visitor may come back days later, so old items
 * are still welcome — up to 7 days. Older items would rewrite results product owners have already
 * read, and the bound also limits how long an exposure item id must be remembered for idempotency
 * (a retry older than this is rejected anyway).
 */
export const MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;

/** What classification needs to know of an experiment named by an exposure. */
/** The experiments that exist among `keys`, by key (the in-process view, live/catalog.ts, answers it). */
export type ExperimentLookup = (keys: readonly string[]) => Promise<Map<string, ExperimentRef>>;

export interface ExperimentRef {
  id: number;
  key: string;
  status: string;
  archived: boolean;
  /** A stopped experiment whose winner is being served to everyone (design.md §8); absent = none. */
  rollout?: boolean;
  /** Variant keys in position order (the index is the stored `variant_index`). */
  variants: readonly string[];
}

export interface ExposureRow {
  itemId: string;
  experimentId: number;
  unitId: string;
  variantIndex: number;
  exposedAt: Date;
  attributes: Record<string, unknown> | null;
}

export interface EventRow {
  eventId: string;
  unitId: string;
  name: string;
  value: number | null;
  occurredAt: Date;
  attributes: Record<string, unknown> | null;
}

/** `identify`: `aliasId` (the anonymous id) belongs to the account `unitId` from now on (events/alias-repository.ts). */
export interface AliasRow {
  itemId: string;
  aliasId: string;
  unitId: string;
  linkedAt: Date;
}

export interface ParsedBatch {
  exposures: Array<{ index: number; item: ExposureItem }>;
  events: Array<{ index: number; item: EventItem }>;
  identities: Array<{ index: number; item: IdentifyItem }>;
  rejected: Rejection[];
  /** Items repeating the id of an earlier valid item of the same batch. */
  duplicates: number;
}

const MAX_ECHOED_ID = 200;

function echoId(raw: unknown): string | null {
  const id = typeof raw === 'object' && raw !== null ? (raw as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id.slice(0, MAX_ECHOED_ID) : null;
}

function reasonFrom(error: z.ZodError): string {
  const errors = zodFieldErrors(error);
  const shown = errors.slice(0, 3).map((e) => (e.field ? `${e.field}: ${e.detail}` : e.detail));
  return shown.join('; ') + (errors.length > 3 ? ` (and ${errors.length - 3} more)` : '');
}

/** Timestamp bounds relative to the receive time; null when inside them. */
export function timestampProblem(timestamp: string, now: Date): string | null {
  const at = Date.parse(timestamp);
  if (!Number.isFinite(at)) return 'timestamp: not a valid date';
  if (at > now.getTime() + MAX_FUTURE_SKEW_MS) return 'timestamp: more than 5 minutes in the future (is the device clock right?)';
  if (at < now.getTime() - MAX_AGE_MS) return 'timestamp: older than 7 days';
  return null;
}

/** Validates every item on its own: shape, strings, numbers, timestamp bounds; drops repeated ids. */
export function parseItems(items: readonly unknown[], now: Date): ParsedBatch {
  const batch: ParsedBatch = { exposures: [], events: [], identities: [], rejected: [], duplicates: 0 };
  const seen = new Set<string>();
  // A plain loop without per-item closures: this runs for every item of every batch.
  for (let index = 0; index < items.length; index++) {
    const raw = items[index];
    const outcome = parseItemIsolated(raw, now);
    if (typeof outcome === 'string') {
      batch.rejected.push({ index, id: echoId(raw), reason: outcome });
    } else if (seen.has(outcome.id)) {
      batch.duplicates++;
    } else {
      seen.add(outcome.id);
      if (outcome.type === 'exposure') batch.exposures.push({ index, item: outcome });
      else if (outcome.type === 'event') batch.events.push({ index, item: outcome });
      else batch.identities.push({ index, item: outcome });
    }
  }
  return batch;
}

/**
 * Whatever one item holds, it can only reject itself: a check that throws (a stack overflow on some
 * input nobody foresaw, a bug) rejects that item with a reason, and its siblings are still stored.
 */
type Item = ExposureItem | EventItem | IdentifyItem;

function parseItemIsolated(raw: unknown, now: Date): Item | string {
  try {
    return parseItem(raw, now);
  } catch (error) {
    return `could not be checked (${error instanceof Error ? error.name : 'error'}); this item is refused`;
  }
}

/** One item: the parsed item, or the reason it is rejected. */
function parseItem(raw: unknown, now: Date): Item | string {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return 'must be an object';
  const type = (raw as { type?: unknown }).type;
  const schema = type === 'exposure' ? exposureItemSchema : type === 'event' ? eventItemSchema : type === 'identify' ? identifyItemSchema : null;
  if (!schema) return 'type: must be "exposure", "event" or "identify"';
  // The usual well-formed item skips zod (fast-item.ts); anything else gets the schema and its reasons.
  const fast = fastParseItem(raw);
  if (fast) return timestampProblem(fast.timestamp, now) ?? fast;
  const parsed = schema.safeParse(raw);
  if (!parsed.success) return reasonFrom(parsed.error);
  return timestampProblem(parsed.data.timestamp, now) ?? parsed.data;
}

/** Checks exposures against the experiments they name: known, running, with that variant. */
export function resolveExposures(
  exposures: ParsedBatch['exposures'],
  experiments: ReadonlyMap<string, ExperimentRef>,
): { rows: ExposureRow[]; rejected: Rejection[] } {
  const rows: ExposureRow[] = [];
  const rejected: Rejection[] = [];
  for (const { index, item } of exposures) {
    const experiment = experiments.get(item.experimentKey);
    const variantIndex = experiment ? experiment.variants.indexOf(item.variantKey) : -1;
    const reason = !experiment
      ? `experimentKey: no experiment "${item.experimentKey}"`
      : experiment.rollout && !experiment.archived
        ? `experimentKey: experiment "${item.experimentKey}" is stopped and its winner shipped to everyone; a rollout takes no exposures`
        : experiment.archived || experiment.status !== 'running'
        ? `experimentKey: experiment "${item.experimentKey}" is ${experiment.archived ? 'archived' : experiment.status}; only running experiments take exposures`
        : variantIndex < 0
          ? `variantKey: experiment "${item.experimentKey}" has no variant "${item.variantKey}"`
          : null;
    if (reason !== null || !experiment) {
      rejected.push({ index, id: item.id, reason: reason ?? 'unknown experiment' });
      continue;
    }
    rows.push({
      itemId: item.id,
      experimentId: experiment.id,
      unitId: item.unitId,
      variantIndex,
      exposedAt: new Date(item.timestamp),
      attributes: item.attributes ?? null,
    });
  }
  return { rows, rejected };
}

export function toAliasRows(identities: ParsedBatch['identities']): AliasRow[] {
  return identities.map(({ item }) => ({ itemId: item.id, aliasId: item.anonymousId, unitId: item.unitId, linkedAt: new Date(item.timestamp) }));
}

export function toEventRows(events: ParsedBatch['events']): EventRow[] {
  return events.map(({ item }) => ({
    eventId: item.id,
    unitId: item.unitId,
    name: item.name,
    value: item.value ?? null,
    occurredAt: new Date(item.timestamp),
    attributes: item.attributes ?? null,
  }));
}

const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Exposures in the order they are written: by experiment, then unit (code units), then time; ties keep
 * their batch order (Array.prototype.sort is stable). Within one unit the first row is the exposure
 * that counts; across batches the fixed order makes concurrent writers lock rows in the same order
 * (no deadlocks on PostgreSQL).
 */
export const compareExposureRows = (a: ExposureRow, b: ExposureRow): number =>
  a.experimentId - b.experimentId || byCodeUnits(a.unitId, b.unitId) || a.exposedAt.getTime() - b.exposedAt.getTime();

/** Events in the order they are written: by id (code units), the same in every concurrent batch. */
export const compareEventRows = (a: EventRow, b: EventRow): number => byCodeUnits(a.eventId, b.eventId);
