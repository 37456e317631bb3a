import { z } from 'zod';
import { queryNumber } from '../http/schema-helpers.js';

/** A safe exposure-attribute name: it is bound as a parameter anyway, but echoed back and used as a key. */
export const SEGMENT_ATTRIBUTE = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;
export const DEFAULT_MAX_AGE_SECONDS = 60;
/** Segment values kept by default; the rest fold into "other". */
export const DEFAULT_SEGMENT_TOP = 10;

export const resultsQuery = z.strictObject({
  format: z.enum(['json', 'csv']).default('json'),
  /** Break the primary metric down by this exposure attribute (device, channel, country…). */
  segment: z
    .string()
    .regex(SEGMENT_ATTRIBUTE, 'must be an attribute name: a letter or "_", then letters, digits, "_", "." or "-" (at most 64)')
    .optional(),
  /** Segment values kept (by units); the rest are folded into "other". */
  top: queryNumber(z.number().int().min(1).max(50).default(DEFAULT_SEGMENT_TOP)),
  /** Serve the stored snapshot when it is at most this many seconds old; 0 recomputes. */
  maxAge: queryNumber(z.number().int().min(0).max(86_400).default(DEFAULT_MAX_AGE_SECONDS)),
});
export type ResultsQuery = z.output<typeof resultsQuery>;

export const refreshQuery = resultsQuery.pick({ segment: true, top: true });

const estimate = z.object({
  estimate: z.number().nullable(),
  se: z.number().nullable(),
  ci: z.tuple([z.number(), z.number()]).nullable(),
  pValue: z.number().nullable(),
});

const variantMetric = z.object({
  key: z.string(),
  units: z.number(),
  converted: z.number(),
  value: z.number().nullable(),
  sd: z.number().nullable().optional(),
  comparison: z
    .object({
      absoluteDifference: estimate,
      relativeLift: estimate,
      pValue: z.number().nullable(),
      adjustedPValue: z.number().nullable(),
      significant: z.boolean(),
      chanceToBeatControl: z.number().nullable(),
      chanceToWin: z.number().nullable(),
      expectedLoss: z.number().nullable(),
      credibleInterval: z.tuple([z.number(), z.number()]).nullable(),
      verdict: z.enum(['good', 'bad', 'inconclusive']),
      sequential: z.record(z.string(), z.unknown()).optional(),
      cuped: z.object({ theta: z.number(), varianceReduction: z.number().nullable(), relativeLift: estimate, absoluteDifference: estimate, pValue: z.number().nullable() }).nullable().optional(),
      reason: z.string().optional(),
    })
    .passthrough()
    .optional(),
});

/** The documented response (OpenAPI); more fields may be present. */
export const resultsResponse = z
  .object({
    experiment: z.object({ key: z.string(), status: z.string() }).passthrough(),
    computedAt: z.string(),
    period: z.object({ from: z.string().nullable(), to: z.string() }),
    cupedLookbackDays: z.number(),
    variants: z.array(z.object({ key: z.string(), name: z.string(), weight: z.number(), units: z.number() })),
    exposures: z.object({ units: z.number(), analysedUnits: z.number(), multipleExposures: z.number(), multipleExposureShare: z.number().nullable() }),
    srm: z.object({ mismatch: z.boolean(), chiSquare: z.number().nullable(), df: z.number().nullable(), pValue: z.number().nullable(), phases: z.array(z.record(z.string(), z.unknown())) }).passthrough(),
    metrics: z.array(
      z.object({ key: z.string(), name: z.string(), type: z.string(), role: z.string(), direction: z.string(), variants: z.array(variantMetric), steps: z.array(z.unknown()).optional() }).passthrough(),
    ),
    progress: z.record(z.string(), z.unknown()),
    daily: z.object({ metric: z.string().nullable(), days: z.array(z.unknown()) }),
    segments: z.record(z.string(), z.unknown()).optional(),
    reasons: z.array(z.string()),
    snapshot: z.object({
      computedAt: z.string(),
      ageSeconds: z.number(),
      durationMs: z.number(),
      source: z.enum(['snapshot', 'computed']),
      /** Present when computed by this request: `full`, or `incremental` over `daysRecomputed` exposure days. */
      refresh: z.object({ mode: z.enum(['full', 'incremental']), daysRecomputed: z.number().int() }).optional(),
    }),
  })
  .passthrough();
