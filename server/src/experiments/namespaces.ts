/**
 * Mutually exclusive experiments (design.md §3, §4): experiments in one namespace hash every unit to
 * one point u_ns = bucket(id + "__" + unitId) in [0, 1) and take it only inside their own [start, end)
 * range, so experiments with disjoint ranges never share a unit. What keeps the ranges disjoint is
 * here: a running or paused experiment holds its range (a pause keeps its units out of the others:
 * resuming must not find them taken); drafts and stopped experiments hold nothing. Pure functions.
 */
export type Range = readonly [number, number];

export interface Holder {
  key: string;
  status: string;
  range: Range;
}

/** [a, b) and [c, d) share a point. Touching ends ([0, 0.5) and [0.5, 1)) do not. */
export const overlaps = (a: Range, b: Range): boolean => a[0] < b[1] && b[0] < a[1];

/** The parts of [0, 1) no holder takes, in order. */
export function freeRanges(holders: readonly Holder[]): Array<[number, number]> {
  const taken = holders.map((h) => h.range).sort((a, b) => a[0] - b[0]);
  const free: Array<[number, number]> = [];
  let from = 0;
  for (const [start, end] of taken) {
    if (start > from) free.push([from, start]);
    from = Math.max(from, end);
  }
  if (from < 1) free.push([from, 1]);
  return free;
}

/** The holders whose range overlaps `range` (the experiment itself excluded by the caller). */
export const conflictsWith = (range: Range, holders: readonly Holder[]): Holder[] => holders.filter((h) => overlaps(range, h.range));

const show = ([a, b]: Range) => `[${a}, ${b})`;

export function conflictDetail(namespace: string, range: Range, conflicts: readonly Holder[], free: ReadonlyArray<Range>): string {
  const names = conflicts.map((c) => `"${c.key}" (${c.status}, ${show(c.range)})`).join(', ');
  const left = free.length ? `free ranges: ${free.map(show).join(', ')}` : 'no range is free';
  return `Range ${show(range)} of namespace "${namespace}" overlaps ${names}: a unit would be in both. Choose a range inside the free ones (${left}), or stop the other experiment first.`;
}
