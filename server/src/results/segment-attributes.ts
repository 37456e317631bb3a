/**
 * The exposure attributes an experiment can be broken down by: every attribute name seen in its
 * analysed exposures with a scalar value (text, number, boolean), most common first, so the dashboard
 * offers what the site actually sends instead of a hard-coded list.
 */
import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/schema.js';
import { SEGMENT_ATTRIBUTE } from './schemas.js';

/** Enough for any breakdown menu; a site sending thousands of distinct keys gets its most common ones. */
export const MAX_SEGMENT_ATTRIBUTES = 100;

export interface SegmentAttribute {
  name: string;
  /** Analysed units (not seen in two variants) whose first exposure carries the attribute. */
  units: number;
}

export async function segmentAttributes(db: Kysely<Database>, experimentId: number): Promise<SegmentAttribute[]> {
  // One pass over the experiment's exposures (exposures_variant_idx bounds it to the experiment).
  const { rows } = await sql<{ name: string; units: string | number }>`
    select a.key as name, count(*) as units
    from exposures x, jsonb_each(x.attributes) a
    where x.experiment_id = ${experimentId} and not x.multiple_variants
      and jsonb_typeof(x.attributes) = 'object' and jsonb_typeof(a.value) in ('string', 'number', 'boolean')
    group by a.key
    order by count(*) desc, a.key
    limit ${MAX_SEGMENT_ATTRIBUTES * 10}::int
  `.execute(db);
  // Names that ?segment= would refuse are not offered (the rule of the results query).
  return rows
    .filter((r) => SEGMENT_ATTRIBUTE.test(r.name))
    .slice(0, MAX_SEGMENT_ATTRIBUTES)
    .map((r) => ({ name: r.name, units: Number(r.units) }));
}
