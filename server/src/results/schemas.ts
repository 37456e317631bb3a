import { z } from 'zod';
import { queryNumber, slug } from '../http/schema-helpers.js';

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
  /** The metric broken down by `segment`: any metric of the experiment (default: the primary metric). */
  segmentMetric: slug.optional(),
  /** Segment values kept (by units); the rest are folded into "other". */
  top: queryNumber(z.number().int().min(1).max(50).default(DEFAULT_SEGMENT_TOP)),
  /** Serve the stored snapshot when it is at most this many seconds old; 0 recomputes. */
  maxAge: queryNumber(z.number().int().min(0).max(86_400).default(DEFAULT_MAX_AGE_SECONDS)),
});
export type ResultsQuery = z.output<typeof resultsQuery>;

export const refreshQuery = resultsQuery.pick({ segment: true, segmentMetric: true, top: true });

// ---- The documented answer (OpenAPI) -----------------------------------------------------------
// Every field of ExperimentResults (types.ts) and SnapshotInfo (service.ts) is listed with its type:
// tests validate every answer against it (test/openapi-validator.ts). Objects allow more fields, as the
// contract says more may be added; undefined figures are null, never NaN.

const nullableNumber = z.number().nullable();
const interval = z.tuple([z.number(), z.number()]).nullable();
const isoDate = z.iso.datetime();

const estimate = z.object({ estimate: nullableNumber, se: nullableNumber, ci: interval, pValue: nullableNumber });

/** An interval whose ends may be unbounded (null): Fieller's interval of a relative lift. */
const openInterval = z.tuple([nullableNumber, nullableNumber]).nullable();

/**
 * Relative lift (design.md §5): `ci` is Fieller's interval (a null end is unbounded, explained by
 * `reason`), `pValue` the absolute difference's (the test Fieller's interval inverts), `se` the
 * delta-method SE; the delta-method (GrowthBook) interval and p-value under `deltaMethod`.
 */
const relativeLift = z.object({
  estimate: nullableNumber,
  se: nullableNumber,
  ci: openInterval,
  pValue: nullableNumber,
  /** Only when Fieller's set is two rays (ci [null, null]): the gap of lifts it excludes. */
  excludes: z.tuple([z.number(), z.number()]).optional(),
  reason: z.string().optional(),
  deltaMethod: z.object({ se: nullableNumber, ci: interval, pValue: nullableNumber }),
});

const comparison = z.object({
  /** The headline test: Wald (conversion), Welch (revenue) or delta method (ratio) on m_B − m_A. */
  absoluteDifference: estimate,
  relativeLift,
  /** The absolute difference's p-value (fixed horizon). */
  pValue: nullableNumber,
  adjustedPValue: nullableNumber,
  significant: z.boolean(),
  chanceToBeatControl: nullableNumber,
  chanceToWin: nullableNumber,
  expectedLoss: nullableNumber,
  credibleInterval: interval,
  verdict: z.enum(['good', 'bad', 'inconclusive']),
  /** Conversion and funnel metrics. */
  pooledZTest: z.object({ z: nullableNumber, pValue: nullableNumber }).optional(),
  /** Revenue metrics. */
  welch: z.object({ t: nullableNumber, df: nullableNumber }).optional(),
  /**
   * With sequential testing on: the confidence sequence and always-valid p-value of the absolute
   * difference (they decide `significant`), the lift's Fieller interval with the sequence's radius, and
   * the always-valid p-value adjusted within the metric's family.
   */
  sequential: z
    .object({
      absoluteDifference: z.object({ ci: interval, pValue: nullableNumber }),
      relativeLift: z.object({ ci: openInterval, pValue: nullableNumber, excludes: z.tuple([z.number(), z.number()]).optional(), reason: z.string().optional() }),
      adjustedPValue: nullableNumber,
    })
    .optional(),
  /** Guardrail metrics: one-sided non-inferiority against the relative margin. */
  guardrail: z
    .object({ margin: z.number(), status: z.enum(['ok', 'harmed', 'inconclusive']), pValue: nullableNumber, reason: z.string().optional() })
    .optional(),
  /** Conversion and revenue metrics: null when no unit has pre-exposure data. */
  cuped: z
    .object({ theta: z.number(), varianceReduction: nullableNumber, absoluteDifference: estimate, relativeLift, pValue: nullableNumber })
    .nullable()
    .optional(),
  reason: z.string().optional(),
});

const variantMetric = z.object({
  key: z.string(),
  units: z.number().int(),
  converted: z.number().int(),
  value: nullableNumber,
  /** Revenue metrics only. */
  sd: nullableNumber.optional(),
  /** Absent on the control. */
  comparison: comparison.optional(),
});

const funnelStep = z.object({
  step: z.number().int().min(1),
  eventName: z.string(),
  variants: z.array(
    z.object({
      key: z.string(),
      units: z.number().int(),
      rateFromPrevious: nullableNumber,
      rateOverall: nullableNumber,
      comparison: z
        .object({
          absoluteDifference: estimate,
          relativeLift,
          pValue: nullableNumber,
          /** Primary funnels only (adjusted across variants × steps); a descriptive step claims no significance. */
          adjustedPValue: nullableNumber.optional(),
          significant: z.boolean().optional(),
          /** Steps of a funnel that is not the primary metric. */
          descriptive: z.literal(true).optional(),
          reason: z.string().optional(),
        })
        .optional(),
    }),
  ),
});

const metricResult = z.object({
  key: z.string(),
  name: z.string(),
  type: z.enum(['conversion', 'revenue', 'ratio', 'funnel']),
  role: z.enum(['primary', 'secondary', 'guardrail']),
  direction: z.enum(['increase', 'decrease']),
  attributionHours: z.number().nullable(),
  /** The family its p-values are adjusted in: primary (k − 1), secondary (variants × secondary metrics), guardrail (none). */
  family: z.enum(['primary', 'secondary', 'guardrail']),
  /** Secondary metrics: exploratory findings. */
  exploratory: z.literal(true).optional(),
  variants: z.array(variantMetric),
  steps: z.array(funnelStep).optional(),
  reason: z.string().optional(),
});

const phaseSrm = z.object({
  phase: z.number().int().nullable(),
  startedAt: isoDate.nullable(),
  endedAt: isoDate.nullable(),
  coverage: nullableNumber,
  weights: z.array(z.number()),
  units: z.array(z.number().int()),
  chiSquare: nullableNumber,
  df: nullableNumber,
  pValue: nullableNumber,
  mismatch: z.boolean(),
  reason: z.string().optional(),
});

const srmReport = z.object({
  mismatch: z.boolean(),
  chiSquare: nullableNumber,
  df: nullableNumber,
  pValue: nullableNumber,
  threshold: z.number(),
  phases: z.array(phaseSrm),
  unitsOutsidePhases: z.number().int(),
  reason: z.string().optional(),
});

const progress = z.object({
  metric: z.string().nullable(),
  minimumDetectableEffect: nullableNumber,
  power: z.number(),
  baseline: nullableNumber,
  requiredPerVariant: nullableNumber,
  requiredTotal: nullableNumber,
  progress: nullableNumber,
  daysElapsed: nullableNumber,
  dailyUnits: nullableNumber,
  daysRemaining: nullableNumber,
  reason: z.string().optional(),
});

const dailyPoint = z.object({
  date: z.iso.date(),
  variants: z.array(
    z.object({
      key: z.string(),
      units: z.number().int(),
      value: nullableNumber,
      /** Fieller's interval (with the sequence's radius when sequential); a null end is unbounded. */
      lift: z.object({ estimate: nullableNumber, ci: openInterval, pValue: nullableNumber }).optional(),
    }),
  ),
});

const segments = z.object({
  attribute: z.string(),
  metric: z.string(),
  top: z.number().int(),
  values: z.array(z.object({ value: z.string().nullable(), kind: z.enum(['value', 'other', 'none']), units: z.number().int(), variants: z.array(variantMetric) })),
});

export const decisionStatus = z.enum(['collecting', 'keep-running', 'ship', 'roll-back', 'no-difference']);

/**
 * What to do (design.md §8). `collecting` until every check holds (a harmed guardrail on trustworthy
 * data rolls back at once); then `ship` (recommendedVariant: the best significantly better variant),
 * `roll-back` (recommendedVariant: the control), `no-difference` or `keep-running`.
 */
const decision = z.object({
  status: decisionStatus,
  recommendedVariant: z.string().nullable(),
  reasons: z.array(z.string()),
  checks: z.array(
    z.object({
      name: z.enum(['minimum-sample', 'minimum-days', 'planned-sample', 'srm', 'multiple-exposures', 'guardrails']),
      ok: z.boolean(),
      detail: z.string(),
    }),
  ),
});

/** The documented response (OpenAPI); more fields may be present. */
export const resultsResponse = z.object({
  experiment: z.object({
    key: z.string(),
    name: z.string(),
    status: z.enum(['draft', 'running', 'paused', 'stopped']),
    startedAt: isoDate.nullable(),
    stoppedAt: isoDate.nullable(),
    alpha: z.number(),
    correction: z.enum(['holm', 'bh']),
    sequential: z.object({ tuningParameter: z.number() }).nullable(),
    phase: z.number().int().nullable(),
    /** Days the experiment must run before its results may decide. */
    minimumDays: z.number().int(),
  }),
  computedAt: isoDate,
  period: z.object({ from: isoDate.nullable(), to: isoDate }),
  cupedLookbackDays: z.number(),
  variants: z.array(z.object({ key: z.string(), name: z.string(), weight: z.number(), units: z.number().int() })),
  exposures: z.object({ units: z.number().int(), analysedUnits: z.number().int(), multipleExposures: z.number().int(), multipleExposureShare: nullableNumber }),
  srm: srmReport,
  metrics: z.array(metricResult),
  progress,
  daily: z.object({ metric: z.string().nullable(), days: z.array(dailyPoint) }),
  /** With `?segment=` only. */
  segments: segments.optional(),
  decision,
  reasons: z.array(z.string()),
  snapshot: z.object({
    computedAt: isoDate,
    ageSeconds: z.number().min(0),
    durationMs: z.number().min(0),
    source: z.enum(['snapshot', 'computed']),
    /** Present when computed by this request: `full`, or `incremental` over `daysRecomputed` exposure days. */
    refresh: z.object({ mode: z.enum(['full', 'incremental']), daysRecomputed: z.number().int() }).optional(),
  }),
});

/** The headline of one metric as GET /api/results/summary lists it: the full results' metric object. */
export const metricResultSchema = metricResult;

/** GET /api/experiments/:key/segments: attribute names seen in analysed exposures, most units first (at most 100). */
export const segmentAttributesResponse = z.object({
  attributes: z.array(z.object({ name: z.string(), units: z.number().int().min(1) })),
});
