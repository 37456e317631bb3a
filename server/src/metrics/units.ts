import { z } from 'zod';
import { text } from '../http/schema-helpers.js';

/**
 * What a metric's values are counted in (README "Metrics"): a revenue or ratio metric may carry a
 * free-text `unit` ("items", "s") or an ISO 4217 `currency` ("EUR"), never both, so the dashboard can
 * format "€12.40" or "2.3 items". Conversion and funnel metrics are rates: they take neither.
 */

/**
 * The ISO 4217 codes this runtime knows (ICU's list, the one `Intl.NumberFormat` formats with), so a
 * code the API accepts is one every browser can show. Built once.
 */
const CURRENCIES: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency'));

export const isKnownCurrency = (code: string): boolean => CURRENCIES.has(code);

export const currencyCode = z
  .string()
  .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 currency code in capitals, such as "EUR"')
  .refine(isKnownCurrency, 'is not an ISO 4217 currency code');

/** Short: it follows every figure ("2.3 items"). Leading or trailing spaces are refused, not trimmed. */
export const unitText = text(20, 1).refine((u) => u.trim() === u, 'must not start or end with a space');

/** The metric types whose values are amounts rather than rates. */
export const TYPES_WITH_UNITS: readonly string[] = ['revenue', 'ratio'];

/** Field issues of a metric's unit and currency for its type (the same shape as definitionIssues). */
export function unitIssues(metric: { type: string; unit?: string | null | undefined; currency?: string | null | undefined }): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  const amounts = TYPES_WITH_UNITS.includes(metric.type);
  for (const field of ['unit', 'currency'] as const) {
    if (metric[field] != null && !amounts) issues.push({ path: field, message: `does not apply to a ${metric.type} metric (its values are rates, shown in %)` });
  }
  if (amounts && metric.unit != null && metric.currency != null) issues.push({ path: 'unit', message: 'give either a unit or a currency, not both' });
  return issues;
}
