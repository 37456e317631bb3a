/**
 * The dashboard's one formatting module: every number, percentage, amount of money, unit and date a
 * view shows goes through here, built on Intl with one locale, so the same figure reads the same on
 * every page. Pure; undefined figures (null, NaN, ±Infinity) read as a dash.
 */
import type { ExperimentStatus } from '../api/types.js';

/** The dashboard is written in English; figures and dates follow the same convention everywhere. */
export const LOCALE = 'en-US';
export const DASH = '—';
/** The typographic minus, not the hyphen Intl writes. */
const MINUS = '\u2212';

const formats = new Map<string, Intl.NumberFormat>();
function numberFormat(options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const id = JSON.stringify(options);
  let format = formats.get(id);
  if (!format) formats.set(id, (format = new Intl.NumberFormat(LOCALE, options)));
  return format;
}
const minus = (text: string) => text.replace('-', MINUS);
const defined = (x: number | null | undefined): x is number => x !== null && x !== undefined && Number.isFinite(x);

// ---- Plain numbers and shares ---------------------------------------------------------------------

export function formatInteger(n: number): string {
  return minus(numberFormat({ maximumFractionDigits: 0 }).format(n));
}

/** A number with `digits` decimals: 1,234.57. */
export function formatNumber(x: number | null | undefined, digits = 2): string {
  return defined(x) ? minus(numberFormat({ minimumFractionDigits: digits, maximumFractionDigits: digits }).format(x)) : DASH;
}

/** A share as a percentage with at most `digits` decimals, trailing zeros dropped: 12%, 12.5%. */
export function formatPercent(share: number, digits = 0): string {
  return minus(numberFormat({ style: 'percent', maximumFractionDigits: digits }).format(share));
}

/** A share with exactly `digits` decimals: 12.30%. */
export function percent(share: number | null | undefined, digits = 1): string {
  return defined(share) ? minus(numberFormat({ style: 'percent', minimumFractionDigits: digits, maximumFractionDigits: digits }).format(share)) : DASH;
}

/** A signed percentage: +16.7%, −2.1%, 0.0%. */
export function signedPercent(share: number | null | undefined, digits = 1): string {
  if (!defined(share)) return DASH;
  return minus(numberFormat({ style: 'percent', minimumFractionDigits: digits, maximumFractionDigits: digits, signDisplay: 'exceptZero' }).format(share));
}

/**
 * A probability, never "100%" or "0%": a posterior is never certain, so the ends read "> 99.9%" and
 * "< 0.1%" (a stopped experiment with a clear winner used to show 100%).
 */
export function probability(p: number | null | undefined): string {
  if (!defined(p)) return DASH;
  if (p > 0.999) return '> 99.9%';
  if (p < 0.001) return '< 0.1%';
  return percent(p, 1);
}

/** Percentage points (a difference of rates): 1.25 pp; below the shown precision "< 0.001 pp", never "0.000 pp". */
export function percentagePoints(difference: number | null | undefined, digits = 3, { signed = false } = {}): string {
  if (!defined(difference)) return DASH;
  const points = difference * 100;
  const smallest = 10 ** -digits;
  if (Math.abs(points) < smallest) return `< ${formatNumber(smallest, digits)} pp`;
  const sign = signed && points > 0 ? '+' : '';
  return `${sign}${formatNumber(points, digits)} pp`;
}

// ---- Intervals and p-values -----------------------------------------------------------------------

/** An interval of a lift; a null end is unbounded (Fieller's interval when the control's mean cannot be told from 0). */
export type LiftInterval = readonly [number | null, number | null];

/** [+0.9%, +32.4%]; an unbounded end reads −∞ or +∞. */
export function interval(ci: LiftInterval | null | undefined, digits = 1): string {
  if (!ci) return DASH;
  const [low, high] = ci;
  return `[${low === null ? `${MINUS}∞` : signedPercent(low, digits)}, ${high === null ? '+∞' : signedPercent(high, digits)}]`;
}

export function pValue(p: number | null | undefined): string {
  if (!defined(p)) return DASH;
  if (p < 0.0001) return '< 0.0001';
  return p < 0.01 ? p.toFixed(4) : p.toFixed(3);
}

/** "p = 0.038", "p < 0.0001" */
export function pText(p: number | null | undefined): string {
  const text = pValue(p);
  return text.startsWith('<') ? `p ${text}` : `p = ${text}`;
}

// ---- Amounts: money and units ---------------------------------------------------------------------

/** What a metric's values count: an ISO 4217 currency ("EUR"), a unit ("items"), or neither. */
export interface Measure {
  unit?: string | null | undefined;
  currency?: string | null | undefined;
}

/**
 * An amount in its measure: "€12.40" (the currency's own decimals; amounts under one keep two
 * significant digits, "€0.0012"), "2.35 items", or a plain "2.35". `signed` writes + and − (a difference).
 */
export function formatAmount(x: number | null | undefined, measure: Measure = {}, { signed = false } = {}): string {
  if (!defined(x)) return DASH;
  const sign: Intl.NumberFormatOptions = signed ? { signDisplay: 'exceptZero' } : {};
  const small = x !== 0 && Math.abs(x) < 1;
  if (measure.currency) {
    const precision: Intl.NumberFormatOptions = small ? { maximumSignificantDigits: 2 } : {};
    try {
      return minus(numberFormat({ style: 'currency', currency: measure.currency, currencyDisplay: 'narrowSymbol', ...precision, ...sign }).format(x));
    } catch {
      // A code this browser does not know (the server checks ISO 4217): the number and the code.
      return `${minus(numberFormat({ maximumFractionDigits: 2, ...sign }).format(x))} ${measure.currency}`;
    }
  }
  const digits: Intl.NumberFormatOptions = small ? { maximumSignificantDigits: 3 } : { minimumFractionDigits: 2, maximumFractionDigits: 2 };
  const text = minus(numberFormat({ ...digits, ...sign }).format(x));
  return measure.unit ? `${text} ${measure.unit}` : text;
}

// ---- Dates ----------------------------------------------------------------------------------------

const dateFormat = new Intl.DateTimeFormat(LOCALE, { dateStyle: 'medium' });
const dateTimeFormat = new Intl.DateTimeFormat(LOCALE, { dateStyle: 'medium', timeStyle: 'short' });

/** "Dec 7, 2026, 9:05 AM" in the viewer's time zone; an unreadable value is shown as given. */
export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTimeFormat.format(date);
}

/** "Dec 7, 2026". */
export function formatDate(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateFormat.format(date);
}

/** A calendar day of the results ("2026-12-07", a UTC day) in the same style: "Dec 7, 2026". */
export function formatDay(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  return Number.isNaN(date.getTime()) ? day : new Intl.DateTimeFormat(LOCALE, { dateStyle: 'medium', timeZone: 'UTC' }).format(date);
}

const DAY_MS = 86_400_000;

/** Whole days since `startedAt` (until `until` for a stopped experiment); null when never started. */
export function daysRunning(startedAt: string | null, until: string | null, now: Date = new Date()): number | null {
  if (!startedAt) return null;
  const end = until ? new Date(until).getTime() : now.getTime();
  return Math.max(0, Math.floor((end - new Date(startedAt).getTime()) / DAY_MS));
}

export function formatDays(days: number | null): string {
  if (days === null) return 'not started';
  return days === 1 ? '1 day' : `${formatInteger(days)} days`;
}

// ---- Labels ---------------------------------------------------------------------------------------

export const STATUS_LABEL: Record<ExperimentStatus, string> = {
  draft: 'Draft',
  running: 'Running',
  paused: 'Paused',
  stopped: 'Stopped',
};

export const STAGE_LABEL = {
  awareness: 'Awareness',
  consideration: 'Consideration',
  decision: 'Decision',
  purchase: 'Purchase',
  retention: 'Retention',
} as const;

export const KIND_LABEL = {
  cta: 'Call to action',
  checkout_form: 'Checkout form',
  product_page: 'Product page',
  pricing_page: 'Pricing page',
  cart: 'Cart',
  landing_page: 'Landing page',
  email: 'Email',
  other: 'Other',
} as const;
