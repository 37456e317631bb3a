import type { ExperimentStatus } from '../api/types.js';

const DAY_MS = 86_400_000;

/** Whole days since `startedAt` (until `until` for a stopped experiment); null when never started. */
export function daysRunning(startedAt: string | null, until: string | null, now: Date = new Date()): number | null {
  if (!startedAt) return null;
  const end = until ? new Date(until).getTime() : now.getTime();
  return Math.max(0, Math.floor((end - new Date(startedAt).getTime()) / DAY_MS));
}

export function formatDays(days: number | null): string {
  if (days === null) return 'not started';
  return days === 1 ? '1 day' : `${days} days`;
}

export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function formatPercent(share: number, digits = 0): string {
  return `${(share * 100).toFixed(digits).replace(/\.0+$/, '')}%`;
}

export function formatInteger(n: number): string {
  return n.toLocaleString('en-US');
}

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
