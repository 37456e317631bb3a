import { z } from 'zod';
import { eventName, pagination, slug, text } from '../http/schema-helpers.js';
import { currencyCode, unitIssues, unitText } from './units.js';

export const METRIC_TYPES = ['conversion', 'revenue', 'ratio', 'funnel'] as const;
export const DEFAULT_ATTRIBUTION_HOURS = 72;

const ratioPart = z.strictObject({
  eventName,
  /** `sum` adds the events' values (revenue); `count` counts the events (orders). */
  aggregate: z.enum(['sum', 'count']),
});

const definition = {
  eventName: eventName.nullable().optional(),
  steps: z.array(eventName).min(2, 'a funnel needs at least 2 steps').max(10, 'at most 10 steps').nullable().optional(),
  numerator: ratioPart.nullable().optional(),
  denominator: ratioPart.nullable().optional(),
};

const describing = {
  name: text(200, 1),
  /** Hours after a unit's first exposure during which its events count; null = until the experiment ends. */
  attributionHours: z.number().int().min(1).max(24 * 365).nullable(),
  direction: z.enum(['increase', 'decrease']),
  description: text(5000).nullable(),
  /**
   * When the metric guards an experiment: the relative harm tolerated by the one-sided
   * non-inferiority test (0.02 = not worse than the control by more than 2 %); null = 2 %.
   */
  guardrailMargin: z.number().gt(0).lt(1).nullable(),
  /** Revenue and ratio metrics: what the values count ("items", "s"); null = a plain number (units.ts). */
  unit: unitText.nullable(),
  /** Revenue and ratio metrics: an ISO 4217 code ("EUR") for money; null = not money. */
  currency: currencyCode.nullable(),
};

type Definition = {
  type: (typeof METRIC_TYPES)[number];
  eventName?: string | null | undefined;
  steps?: string[] | null | undefined;
  numerator?: z.infer<typeof ratioPart> | null | undefined;
  denominator?: z.infer<typeof ratioPart> | null | undefined;
};

/** Each type needs exactly its own definition fields; reported on the field that is missing or extra. */
export function definitionIssues(metric: Definition): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  const requires = (field: keyof Definition, present: boolean) => {
    if (!present) issues.push({ path: field, message: `is required for a ${metric.type} metric` });
  };
  const forbids = (field: keyof Definition, present: boolean) => {
    if (present) issues.push({ path: field, message: `does not apply to a ${metric.type} metric` });
  };
  const has = (field: 'eventName' | 'steps' | 'numerator' | 'denominator') => metric[field] != null;
  switch (metric.type) {
    case 'conversion':
    case 'revenue':
      requires('eventName', has('eventName'));
      forbids('steps', has('steps'));
      forbids('numerator', has('numerator'));
      forbids('denominator', has('denominator'));
      break;
    case 'ratio':
      requires('numerator', has('numerator'));
      requires('denominator', has('denominator'));
      forbids('eventName', has('eventName'));
      forbids('steps', has('steps'));
      break;
    case 'funnel':
      requires('steps', has('steps'));
      forbids('eventName', has('eventName'));
      forbids('numerator', has('numerator'));
      forbids('denominator', has('denominator'));
      break;
  }
  return issues;
}

export const createMetricSchema = z
  .strictObject({
    key: slug,
    type: z.enum(METRIC_TYPES),
    ...definition,
    ...describing,
    attributionHours: describing.attributionHours.default(DEFAULT_ATTRIBUTION_HOURS),
    direction: describing.direction.default('increase'),
    description: describing.description.optional(),
    guardrailMargin: describing.guardrailMargin.optional(),
    unit: describing.unit.optional(),
    currency: describing.currency.optional(),
  })
  .superRefine((metric, ctx) => {
    for (const issue of [...definitionIssues(metric), ...unitIssues(metric)]) ctx.addIssue({ code: 'custom', path: [issue.path], message: issue.message });
  });

/** The type is fixed once created (results and experiment links depend on it); the rest may change. */
export const updateMetricSchema = z.strictObject({
  ...definition,
  name: describing.name.optional(),
  attributionHours: describing.attributionHours.optional(),
  direction: describing.direction.optional(),
  description: describing.description.optional(),
  guardrailMargin: describing.guardrailMargin.optional(),
  unit: describing.unit.optional(),
  currency: describing.currency.optional(),
  version: z.number().int().min(1).optional(),
});

export const listMetricsQuery = z.strictObject({
  type: z.enum(METRIC_TYPES).optional(),
  q: text(200).optional(),
  ...pagination,
});

export const metricSchema = z.object({
  key: z.string(),
  name: z.string(),
  type: z.enum(METRIC_TYPES),
  eventName: z.string().nullable(),
  steps: z.array(z.string()).nullable(),
  numerator: ratioPart.nullable(),
  denominator: ratioPart.nullable(),
  attributionHours: z.number().int().nullable(),
  direction: z.enum(['increase', 'decrease']),
  description: z.string().nullable(),
  /** Guardrail non-inferiority margin (relative); null = the default 2 %. */
  guardrailMargin: z.number().nullable(),
  /** What the values count ("items"), or null. */
  unit: z.string().nullable(),
  /** ISO 4217 currency of money values ("EUR"), or null. */
  currency: z.string().nullable(),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export type CreateMetric = z.infer<typeof createMetricSchema>;
export type UpdateMetric = z.infer<typeof updateMetricSchema>;
export type Metric = z.infer<typeof metricSchema>;
