/**
 * CSV export: one row per metric × variant with the headline figures (RFC 4180: comma separated,
 * CRLF line ends, fields with a comma, quote or line break quoted, quotes doubled). Text cells that a
 * spreadsheet would run as a formula (=, +, -, @ first) are prefixed with an apostrophe. `unit` and
 * `currency` say what `value` and `absolute_difference` count (empty when the metric sets neither).
 */
import type { ExperimentResults } from './types.js';

export const CSV_COLUMNS = [
  'metric', 'metric_name', 'type', 'role', 'direction', 'unit', 'currency', 'variant', 'units', 'converted', 'value',
  'absolute_difference', 'relative_lift', 'lift_ci_low', 'lift_ci_high', 'p_value', 'adjusted_p_value',
  'significant', 'chance_to_beat_control', 'expected_loss', 'credible_low', 'credible_high', 'verdict', 'cuped_relative_lift', 'cuped_variance_reduction', 'reason',
] as const;

type Cell = string | number | boolean | null | undefined;

export function csvField(value: Cell): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function resultsCsv(results: ExperimentResults): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const metric of results.metrics) {
    for (const v of metric.variants) {
      const c = v.comparison;
      const row: Cell[] = [
        metric.key, metric.name, metric.type, metric.role, metric.direction, metric.unit, metric.currency, v.key, v.units, v.converted, v.value,
        c?.absoluteDifference.estimate, c?.relativeLift.estimate, c?.relativeLift.ci?.[0], c?.relativeLift.ci?.[1],
        c?.pValue, c?.adjustedPValue, c?.significant, c?.chanceToBeatControl, c?.expectedLoss,
        c?.credibleInterval?.[0], c?.credibleInterval?.[1], c?.verdict,
        c?.cuped?.relativeLift.estimate, c?.cuped?.varianceReduction, c?.reason,
      ];
      lines.push(row.map(csvField).join(','));
    }
  }
  return `${lines.join('\r\n')}\r\n`;
}
