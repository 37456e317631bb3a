/**
 * A hand-written check of the common case, run before the zod schemas on every ingested item: a few
 * comparisons instead of zod's generic machinery for each of up to 1,000 items of a batch, on the
 * hottest path of the server. `fastParseItem` returns the item only when the schema in schemas.ts would accept
 * it unchanged (same limits, same patterns, same shared checks); for anything else it returns
 * undefined and the schema decides, so every refusal still carries the schema's own reason.
 * fast-item.test.ts holds the two to that with generated and hostile items.
 */
import { z } from 'zod';
import { VARIANT_KEY_PATTERN } from '../experiments/schemas.js';
import { EVENT_NAME_PATTERN, SLUG_PATTERN, isStorableString } from '../http/schema-helpers.js';
import { type EventItem, type ExposureItem, MAX_ABS_VALUE, MAX_ITEM_ID_LENGTH, MAX_UNIT_ID_LENGTH, attributesProblems } from './schemas.js';

/** The pattern behind `z.iso.datetime({ offset: true })`, taken from zod itself. */
const TIMESTAMP_PATTERN = z.regexes.datetime({ offset: true, local: false, precision: null });

const EXPOSURE_KEYS = new Set(['id', 'type', 'unitId', 'experimentKey', 'variantKey', 'timestamp', 'attributes']);
const EVENT_KEYS = new Set(['id', 'type', 'unitId', 'name', 'value', 'timestamp', 'attributes']);

const boundedText = (value: unknown, max: number): value is string =>
  typeof value === 'string' && value.length >= 1 && value.length <= max && isStorableString(value);

const pattern = (value: unknown, max: number, regex: RegExp): value is string =>
  typeof value === 'string' && value.length <= max && regex.test(value);

export function fastParseItem(raw: object): ExposureItem | EventItem | undefined {
  const item = raw as Record<string, unknown>;
  const keys = item.type === 'exposure' ? EXPOSURE_KEYS : item.type === 'event' ? EVENT_KEYS : null;
  if (!keys) return undefined;
  for (const key of Object.keys(item)) if (!keys.has(key)) return undefined;
  if (!boundedText(item.id, MAX_ITEM_ID_LENGTH) || !boundedText(item.unitId, MAX_UNIT_ID_LENGTH)) return undefined;
  if (typeof item.timestamp !== 'string' || !TIMESTAMP_PATTERN.test(item.timestamp)) return undefined;
  if (item.attributes !== undefined && attributesProblems(item.attributes).length > 0) return undefined;
  if (item.type === 'exposure') {
    if (!pattern(item.experimentKey, 64, SLUG_PATTERN) || !pattern(item.variantKey, 64, VARIANT_KEY_PATTERN)) return undefined;
    return item as unknown as ExposureItem;
  }
  if (!pattern(item.name, 100, EVENT_NAME_PATTERN)) return undefined;
  const value = item.value;
  if (value !== undefined && value !== null && !(typeof value === 'number' && Number.isFinite(value) && Math.abs(value) <= MAX_ABS_VALUE)) return undefined;
  return item as unknown as EventItem;
}
