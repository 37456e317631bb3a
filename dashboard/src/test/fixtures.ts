import type { ApiKey, Experiment, Metric, Role, Touchpoint, User } from '../api/types.js';

/** The CSRF token of the fake session: every write must carry it (X-CSRF-Token). */
export const CSRF_TOKEN = 'csrf-test-token-0123456789';

export const user = (over: Partial<User> = {}): User => ({
  id: 'usr_0123456789abcdef',
  email: 'ada@example.com',
  name: 'Ada Admin',
  role: 'admin' as Role,
  status: 'active',
  sso: false,
  hasPassword: true,
  createdAt: '2026-11-01T10:00:00.000Z',
  lastSignInAt: '2026-11-01T10:00:00.000Z',
  ...over,
});

export const touchpoint = (over: Partial<Touchpoint> = {}): Touchpoint => ({
  key: 'checkout-cta',
  name: 'Checkout button',
  kind: 'cta',
  funnelStage: 'purchase',
  urlPattern: null,
  description: null,
  version: 1,
  createdAt: '2026-11-01T10:00:00.000Z',
  updatedAt: '2026-11-01T10:00:00.000Z',
  ...over,
});

export const metric = (over: Partial<Metric> = {}): Metric => ({
  key: 'purchase',
  name: 'Purchase',
  type: 'conversion',
  eventName: 'purchase',
  steps: null,
  numerator: null,
  denominator: null,
  attributionHours: 72,
  direction: 'increase',
  description: null,
  version: 1,
  createdAt: '2026-11-01T10:00:00.000Z',
  updatedAt: '2026-11-01T10:00:00.000Z',
  ...over,
});

export const experiment = (over: Partial<Experiment> = {}): Experiment => ({
  key: 'checkout-cta-copy',
  name: 'Checkout CTA copy',
  hypothesis: 'Urgency lifts purchases',
  touchpointKey: 'checkout-cta',
  status: 'draft',
  variants: [
    { key: 'control', name: 'Buy now', weight: 0.5, payload: { label: 'Buy now' }, changes: [], redirect: null },
    { key: 'urgent', name: 'Ships today', weight: 0.5, payload: { label: 'Buy now, ships today' }, changes: [], redirect: null },
  ],
  coverage: 1,
  targeting: null,
  namespace: null,
  salt: 'checkout-cta-copy',
  primaryMetric: 'purchase',
  secondaryMetrics: [],
  guardrailMetrics: [],
  alpha: 0.05,
  correction: 'holm',
  sequential: null,
  minimumDetectableEffect: 0.05,
  minimumDays: 7,
  stickyBucketing: false,
  decision: null,
  rollout: null,
  phase: null,
  startedAt: null,
  stoppedAt: null,
  archivedAt: null,
  version: 1,
  createdAt: '2026-11-01T10:00:00.000Z',
  updatedAt: '2026-11-01T10:00:00.000Z',
  ...over,
});

export const running = (over: Partial<Experiment> = {}) =>
  experiment({ status: 'running', phase: 1, startedAt: new Date(Date.now() - 3 * 86_400_000).toISOString(), version: 2, ...over });

export const apiKey = (over: Partial<ApiKey> = {}): ApiKey => ({
  id: 'key_AAAAAAAAAAAAAAAA',
  kind: 'admin',
  name: 'Bootstrap admin key',
  prefix: 'tp_admin_abcd…',
  allowedOrigins: [],
  createdAt: '2026-11-01T10:00:00.000Z',
  lastUsedAt: null,
  revokedAt: null,
  ...over,
});
