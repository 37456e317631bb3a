/**
 * The incremental refresh's and the segment menu's reads on ClickHouse (EVENT_STORE=clickhouse), the
 * counterparts of results/refresh-repository.ts (exposureDayStats, daysWithReceivedEvents) and
 * results/segment-attributes.ts. Same SQL rules as results-queries.ts: 18.16 and current releases, no
 * CTEs, no window functions, equality JOINs only, values as literals through `chSql`. Each shard holds
 * whole units, so each query runs on every shard's local tables and the answers are merged here.
 */
import type { Phase } from '../results/definitions.js';
import type { ExposureDayStats } from '../results/incremental.js';
import { MAX_SEGMENT_ATTRIBUTES, type SegmentAttribute } from '../results/segment-attributes.js';
import { SEGMENT_ATTRIBUTE } from '../results/schemas.js';
import { type ClickHouseStore, chSql, raw, selectEveryShard } from './connection.js';
import { LINKED_IDS, type Links, type UnitPart, accountsLinkedSince, canonical, noLinks, selectUnitParts, tableOf, withAccounts } from './identity.js';
import { unitsOf } from './results-queries.js';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const dayText = (day: number | string) => new Date(Number(day) * DAY_MS).toISOString().slice(0, 10);
const dayNumber = (text: string) => Math.round(Date.parse(`${text}T00:00:00Z`) / DAY_MS);

/**
 * UTC days of first exposure of the analysed units with an event of `names` received at or after
 * `since` and occurring where it can count (from `lookbackDays` before the first exposure to
 * `horizonHours` after it), or (linked units, identity.ts) with an identify link received since: a late
 * link can make old events count without changing any exposure (refresh-repository.ts, rule c).
 */
export async function daysWithReceivedEventsClickHouse(
  store: ClickHouseStore,
  input: { experimentId: number; names: readonly string[]; since: Date; lookbackDays: number; horizonHours: number | null },
  links: Links = noLinks,
): Promise<string[]> {
  const horizon = input.horizonHours === null ? '' : chSql` AND occurred_ms < first_ms + ${input.horizonHours * HOUR_MS}`;
  const query = (part: UnitPart): string[] => {
    const out: string[] = [];
    if (input.names.length > 0) {
      const recent = chSql`FROM ${raw(tableOf(part, 'tp_events'))} WHERE received_ms >= ${input.since.getTime()} AND name IN ${input.names}`;
      // The local part computes first exposures only for the units with a recent event (the IN set is built
      // once); the linked part reads the linked ids' rows, each event under its account.
      const units = part.kind === 'local' ? unitsOf(input.experimentId, part, { unitFilter: ` AND unit_id IN (SELECT unit_id ${recent})` }) : unitsOf(input.experimentId, part);
      const events = part.kind === 'local'
        ? `SELECT unit_id AS event_unit, occurred_ms ${recent}`
        : `SELECT ${canonical} AS event_unit, occurred_ms FROM ${withAccounts(`SELECT unit_id AS link_alias, occurred_ms ${recent} AND unit_id IN ${LINKED_IDS}`)}`;
      out.push(chSql`SELECT DISTINCT intDiv(first_ms, ${DAY_MS}) AS first_day FROM (
          ${raw(events)}
        ) ALL INNER JOIN (
          SELECT unit_id AS event_unit, first_ms FROM (${raw(units)}) WHERE NOT multiple
        ) USING event_unit
        WHERE occurred_ms >= first_ms - ${input.lookbackDays * DAY_MS}${raw(horizon)}`);
    }
    if (part.kind === 'linked') {
      out.push(chSql`SELECT DISTINCT intDiv(first_ms, ${DAY_MS}) AS first_day FROM (${raw(unitsOf(input.experimentId, part))}) WHERE NOT multiple AND unit_id IN ${raw(accountsLinkedSince(input.since.getTime()))}`);
    }
    return out;
  };
  if (input.names.length === 0 && links.count === 0) return [];
  const rows = await selectUnitParts<{ first_day: string | number }>(store, links, (part) => {
    const parts = query(part);
    return parts.length ? parts.join(' UNION ALL ') : 'SELECT toInt64(0) AS first_day WHERE 0';
  });
  return [...new Set(rows.map((r) => dayText(r.first_day)))].sort();
}

/**
 * refresh-repository.ts exposureDayStats, on ClickHouse: per first-exposure day, variant and phase,
 * analysed and multiple-variant units, and a fingerprint of the analysed units (Σ cityHash64 of unit and
 * first item, mod 2^64). Phases come from the catalog (PostgreSQL): their bounds become a multiIf.
 * With `days`, only the units whose first exposure falls on one of them (an incremental refresh's
 * touched days): the local part reads only the units with an item on those days (the first exposure is
 * one of the unit's items), the linked part (few ids) is cut after its grouping.
 */
export async function exposureDayStatsClickHouse(
  store: ClickHouseStore,
  experimentId: number,
  phases: readonly Phase[],
  links: Links = noLinks,
  days?: readonly string[],
): Promise<ExposureDayStats[]> {
  if (days !== undefined && days.length === 0) return [];
  const phaseOf = phases.length
    ? `multiIf(${phases.map((p) => chSql`first_ms >= ${p.startedAt.getTime()}${raw(p.endedAt ? chSql` AND first_ms < ${p.endedAt.getTime()}` : '')}, ${p.phase}`).join(', ')}, -1)`
    : '-1';
  const dayNumbers = days?.map(dayNumber);
  const onDays = (part: UnitPart) =>
    dayNumbers && part.kind === 'local'
      ? { unitFilter: chSql` AND unit_id IN (SELECT unit_id FROM tp_exposure_items WHERE experiment_id = ${experimentId} AND intDiv(exposed_ms, ${DAY_MS}) IN ${dayNumbers})` }
      : {};
  const query = (part: UnitPart) => `SELECT first_day, first_variant, phase, countIf(NOT multiple) AS units, countIf(multiple) AS multiple_units,
      toString(sumIf(cityHash64(unit_id, first_item_id), NOT multiple)) AS unit_hash
    FROM (SELECT intDiv(first_ms, ${DAY_MS}) AS first_day, first_variant, ${phaseOf} AS phase, multiple, unit_id, first_item_id
          FROM (${unitsOf(experimentId, part, onDays(part))}))
    ${dayNumbers ? chSql`WHERE first_day IN ${dayNumbers}` : ''}
    GROUP BY first_day, first_variant, phase`;
  const rows = await selectUnitParts<Record<string, string | number>>(store, links, query);
  const byKey = new Map<string, ExposureDayStats>();
  for (const row of rows) {
    const fresh: ExposureDayStats = { day: dayText(row.first_day!), variantIndex: Number(row.first_variant), phase: Number(row.phase) < 0 ? null : Number(row.phase), units: Number(row.units), multiple: Number(row.multiple_units), unitHash: String(row.unit_hash) };
    const key = `${fresh.day}|${fresh.variantIndex}|${fresh.phase}`;
    const seen = byKey.get(key);
    byKey.set(key, seen ? { ...seen, units: seen.units + fresh.units, multiple: seen.multiple + fresh.multiple, unitHash: (BigInt(seen.unitHash) + BigInt(fresh.unitHash)).toString() } : fresh);
  }
  return [...byKey.values()];
}

/**
 * The UTC days whose exposure fingerprint (exposureDayStatsClickHouse) can differ from the one read by
 * a refresh at `since` + RECEIVE_MARGIN_MS, without reading every unit (results/README.md, "Snapshots",
 * rule a on ClickHouse). A unit adds to one day only, the day of its first exposure, which is the day of
 * one of its items; its entry there (variant, phase, multiple flag, first item) changes only when its
 * set of items or its links change:
 * - items added (received at or after `since`; every item carries its receive time): for each unit that
 *   has one, the days of its new items and the day of its first item among the older ones. Before, its
 *   first item was the first of the items stored then — an older one (the first of the older ones) or a
 *   new one (a new item's day); now it is the first of all — the same two cases. Without any older item
 *   it is a new unit, on a new item's day;
 * - items erased: eraseUnitsClickHouse notes the days of the erased items (tp_erased_exposure_days),
 *   the erased unit's first exposure among them;
 * - links (identity.ts): a unit made of several ids takes the earliest of the ids' first exposures, so
 *   for every account with an id touched as above or a link received since, the days of each of its
 *   ids (own first exposure, new items): its day before and after are among them, and so is the day a
 *   newly linked id had as a unit of its own. Links are removed only by erasure (its items' days).
 * Everything else that moves a day — phases, variants — changes the definitions (full refresh). A write
 * committed more than the margin after its receive time, or an erasure whose mutation outlasts it, is
 * left to the reconciliation, as for events (results/incremental.ts RECONCILE_INTERVAL_MS).
 */
export async function exposureDaysTouchedClickHouse(
  store: ClickHouseStore,
  input: { experimentId: number; since: Date },
  links: Links = noLinks,
): Promise<string[]> {
  const { experimentId } = input;
  const since = input.since.getTime();
  // Per id: the days of its items received since, and the day of its first item among the older ones.
  const idDays = chSql`arrayConcat(groupUniqArrayIf(intDiv(exposed_ms, ${DAY_MS}), received_ms >= ${since}),
      countIf(received_ms < ${since}) > 0 ? [intDiv(argMinIf(exposed_ms, write_seq, received_ms < ${since}), ${DAY_MS})] : emptyArrayInt64())`;
  const query = (part: UnitPart): string => {
    if (part.kind === 'local') {
      const unlinked = links.count > 0 ? ` AND unit_id NOT IN ${LINKED_IDS}` : '';
      return chSql`SELECT DISTINCT arrayJoin(id_days) AS day FROM (
          SELECT ${raw(idDays)} AS id_days FROM tp_exposure_items
          WHERE experiment_id = ${experimentId}${raw(unlinked)}
            AND unit_id IN (SELECT unit_id FROM tp_exposure_items WHERE experiment_id = ${experimentId} AND received_ms >= ${since})
          GROUP BY unit_id)
        UNION ALL
        SELECT DISTINCT day FROM tp_erased_exposure_days WHERE experiment_id = ${experimentId} AND erased_ms >= ${since}`;
    }
    // Each linked id's days, then per account (its account through the shard's copy of the links): touched
    // when one of its ids has a new item, or a link to it was received since.
    const perId = chSql`SELECT unit_id AS link_alias, ${raw(idDays)} AS id_days, countIf(received_ms >= ${since}) > 0 AS recent
          FROM ${raw(tableOf(part, 'tp_exposure_items'))} WHERE experiment_id = ${experimentId} AND unit_id IN ${raw(LINKED_IDS)}
          GROUP BY unit_id`;
    return `SELECT DISTINCT arrayJoin(days) AS day FROM (
        SELECT groupArrayArray(id_days) AS days FROM (
          SELECT ${canonical} AS canon, id_days, recent FROM ${withAccounts(perId)})
        GROUP BY canon HAVING max(recent) OR canon IN ${accountsLinkedSince(since)})`;
  };
  const rows = await selectUnitParts<{ day: string | number }>(store, links, query);
  return [...new Set(rows.map((r) => dayText(r.day)))].sort();
}

/** The refresh's exposure side on ClickHouse: the days touched since `since` and their fresh stats (EventReads.touchedExposureDayStats). */
export async function touchedExposureDayStatsClickHouse(
  store: ClickHouseStore,
  input: { experimentId: number; phases: readonly Phase[]; since: Date },
  links: Links = noLinks,
): Promise<{ days: string[]; rows: ExposureDayStats[] }> {
  const days = await exposureDaysTouchedClickHouse(store, input, links);
  return { days, rows: await exposureDayStatsClickHouse(store, input.experimentId, input.phases, links, days) };
}

/** Distinct attribute documents read per shard; a site sending unique values in every exposure gets its most common ones. */
const ATTRIBUTE_DOCUMENTS = 10_000;

/**
 * The attribute names of the analysed units' first exposures with a scalar value, most common first
 * (segment-attributes.ts). 18.16 cannot list a JSON object's keys, so each shard answers its most
 * common attribute documents with their unit counts and the names are counted here.
 */
export async function segmentAttributesClickHouse(store: ClickHouseStore, experimentId: number): Promise<SegmentAttribute[]> {
  // Each id counted on its own: segment-attributes.ts counts PostgreSQL's exposures rows the same way (no identity links for the menu).
  const query = chSql`SELECT first_attributes, count() AS units FROM (
      SELECT unit_id, argMin(attributes, write_seq) AS first_attributes, min(variant_index) != max(variant_index) AS multiple
      FROM tp_exposure_items WHERE experiment_id = ${experimentId} GROUP BY unit_id
    ) WHERE NOT multiple AND first_attributes != '' GROUP BY first_attributes ORDER BY units DESC LIMIT ${ATTRIBUTE_DOCUMENTS}`;
  const rows = await selectEveryShard<{ first_attributes: string; units: string | number }>(store, query);
  const counts = new Map<string, number>();
  for (const row of rows) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(row.first_attributes);
    } catch {
      continue;
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) continue;
    for (const [name, value] of Object.entries(parsed)) {
      if (!['string', 'number', 'boolean'].includes(typeof value)) continue;
      counts.set(name, (counts.get(name) ?? 0) + Number(row.units));
    }
  }
  return [...counts]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .filter(([name]) => SEGMENT_ATTRIBUTE.test(name))
    .slice(0, MAX_SEGMENT_ATTRIBUTES)
    .map(([name, units]) => ({ name, units }));
}
