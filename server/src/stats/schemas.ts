/**
 * zod schemas for the calculator endpoints of design.md §6
 * (`POST /api/stats/analyze`, `GET /api/stats/sample-size`), their answers,
 * and the types inferred from them. Objects are strict: an unknown field is a
 * 4xx naming it, not something silently ignored.
 */
import { z } from 'zod';
import { queryNumber } from '../http/schema-helpers.js';

/** Largest unit count accepted: far above any real experiment, still exact in a double. */
const MAX_UNITS = 1e12;
const MAX_VARIANTS = 50;

const variantKey = z.string().min(1).max(100);
const units = z.int().min(0).max(MAX_UNITS);
const weight = z.number().min(0).max(1e9);

export const conversionVariantInputSchema = z
  .strictObject({ key: variantKey, units, conversions: z.int().min(0).max(MAX_UNITS), weight: weight.optional() })
  .refine((v) => v.conversions <= v.units, { message: 'conversions cannot exceed units', path: ['conversions'] });

export const revenueVariantInputSchema = z.strictObject({
  key: variantKey,
  units,
  /** Mean of the metric per exposed unit. */
  mean: z.number().min(-1e15).max(1e15),
  /** Sample standard deviation per unit (n − 1 denominator). */
  sd: z.number().min(0).max(1e15),
  weight: weight.optional(),
});

/**
 * "holm" (default) or "bh" for Benjamini–Hochberg; the spelled-out
 * "benjamini-hochberg" is accepted as an alias and answered as "bh".
 */
export const correctionSchema = z
  .enum(['holm', 'bh', 'benjamini-hochberg'])
  .default('holm')
  .transform((c): 'holm' | 'bh' => (c === 'benjamini-hochberg' ? 'bh' : c));

export const sequentialOptionsSchema = z.strictObject({
  /** N*, the total sample size where the confidence sequence is tightest. */
  tuningParameter: z.number().positive().max(1e12).default(5000),
});

const common = {
  alpha: z.number().gt(0).lte(0.5).default(0.05),
  correction: correctionSchema,
  sequential: sequentialOptionsSchema.optional(),
};

/** Keys unique; weights on every variant or on none, and not all zero. */
function checkVariants(variants: readonly { key: string; weight?: number | undefined }[], ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  variants.forEach((v, i) => {
    if (seen.has(v.key)) ctx.addIssue({ code: 'custom', message: `duplicate variant key "${v.key}"`, path: ['variants', i, 'key'] });
    seen.add(v.key);
  });
  const weighted = variants.filter((v) => v.weight !== undefined);
  if (weighted.length > 0 && weighted.length < variants.length) {
    ctx.addIssue({ code: 'custom', message: 'give a weight to every variant or to none', path: ['variants'] });
  } else if (weighted.length > 0 && weighted.every((v) => v.weight === 0)) {
    ctx.addIssue({ code: 'custom', message: 'at least one weight must be positive', path: ['variants'] });
  }
}

export const conversionAnalyzeRequestSchema = z
  .strictObject({
    metric: z.literal('conversion'),
    ...common,
    variants: z.array(conversionVariantInputSchema).min(1).max(MAX_VARIANTS),
  })
  .superRefine((body, ctx) => checkVariants(body.variants, ctx));

export const revenueAnalyzeRequestSchema = z
  .strictObject({
    metric: z.literal('revenue'),
    ...common,
    variants: z.array(revenueVariantInputSchema).min(1).max(MAX_VARIANTS),
  })
  .superRefine((body, ctx) => checkVariants(body.variants, ctx));

/** Body of POST /api/stats/analyze. The first variant is the control. */
export const analyzeRequestSchema = z.discriminatedUnion('metric', [
  conversionAnalyzeRequestSchema,
  revenueAnalyzeRequestSchema,
]);

export type AnalyzeRequest = z.output<typeof analyzeRequestSchema>;
export type AnalyzeRequestInput = z.input<typeof analyzeRequestSchema>;

/**
 * Query of GET /api/stats/sample-size. Query strings arrive as strings, hence
 * the coercion. mdeType defaults to "relative" (a "5% lift" is how product
 * owners state effects); dailyUnits (optional) adds the expected duration.
 */
export const sampleSizeQuerySchema = z
  .strictObject({
    // Decimal numerals only (queryNumber): Number() would also read '0x3', ' 3' or '' as numbers.
    baseline: queryNumber(z.number().gt(0).lt(1)),
    mde: queryNumber(z.number().gt(0).max(1e6)),
    mdeType: z.enum(['relative', 'absolute']).default('relative'),
    alpha: queryNumber(z.number().gt(0).lte(0.5).default(0.05)),
    power: queryNumber(z.number().gt(0).lt(1).default(0.8)),
    variants: queryNumber(z.number().int().min(2).max(MAX_VARIANTS).default(2)),
    dailyUnits: queryNumber(z.number().positive().max(1e12).optional()),
  })
  .superRefine((q, ctx) => {
    const rate = q.mdeType === 'relative' ? q.baseline * (1 + q.mde) : q.baseline + q.mde;
    if (!(rate < 1)) ctx.addIssue({ code: 'custom', message: 'baseline plus the effect must stay below a rate of 1', path: ['mde'] });
  });

export type SampleSizeQuery = z.output<typeof sampleSizeQuerySchema>;

// ---- Answers ----------------------------------------------------------------

const nullableNumber = z.number().nullable();
const interval = z.tuple([z.number(), z.number()]).nullable();

/** An interval whose ends may be unbounded (null): Fieller's interval of a relative lift. */
export const openIntervalSchema = z.tuple([nullableNumber, nullableNumber]).nullable();

export const estimateSchema = z.object({ estimate: nullableNumber, se: nullableNumber, ci: interval, pValue: nullableNumber });

/**
 * The relative lift: `ci` is Fieller's interval (a null end is unbounded, explained by `reason`),
 * `pValue` the absolute difference's (the test Fieller's interval inverts), `se` the delta-method SE;
 * the delta-method interval and p-value (GrowthBook's) under `deltaMethod`.
 */
export const relativeLiftSchema = z.object({
  estimate: nullableNumber,
  se: nullableNumber,
  ci: openIntervalSchema,
  pValue: nullableNumber,
  /** Only when Fieller's set is two rays (ci [null, null]): the gap of lifts it excludes. */
  excludes: z.tuple([z.number(), z.number()]).optional(),
  reason: z.string().optional(),
  deltaMethod: z.object({ se: nullableNumber, ci: interval, pValue: nullableNumber }),
});

export const sequentialFiguresSchema = z.object({
  /** The confidence sequence and always-valid p-value of the absolute difference (the headline). */
  absoluteDifference: z.object({ ci: interval, pValue: nullableNumber }),
  /** Fieller's interval with the sequence's radius; pValue is the absolute difference's. */
  relativeLift: z.object({ ci: openIntervalSchema, pValue: nullableNumber, excludes: z.tuple([z.number(), z.number()]).optional(), reason: z.string().optional() }),
  /** Always-valid absolute-difference p-value after the multiple-comparison adjustment. */
  adjustedPValue: nullableNumber,
});

export const srmResultSchema = z.object({
  chiSquare: nullableNumber,
  df: nullableNumber,
  pValue: nullableNumber,
  mismatch: z.boolean(),
  reason: z.string().optional(),
});

const comparisonFields = {
  absoluteDifference: estimateSchema.optional(),
  relativeLift: relativeLiftSchema.optional(),
  /** Headline p-value: the absolute difference's (Wald for conversions, Welch for revenue), fixed horizon. */
  pValue: nullableNumber.optional(),
  adjustedPValue: nullableNumber.optional(),
  /** adjustedPValue < alpha; with sequential testing on, the always-valid adjusted p-value decides. */
  significant: z.boolean().optional(),
  chanceToBeatControl: nullableNumber.optional(),
  expectedLoss: nullableNumber.optional(),
  credibleInterval: interval.optional(),
  sequential: sequentialFiguresSchema.optional(),
  reason: z.string().optional(),
};

export const conversionVariantResultSchema = z.object({
  key: z.string(),
  units: z.number(),
  conversions: z.number(),
  rate: nullableNumber,
  pooledZTest: z.object({ z: nullableNumber, pValue: nullableNumber }).optional(),
  ...comparisonFields,
});

export const revenueVariantResultSchema = z.object({
  key: z.string(),
  units: z.number(),
  mean: z.number(),
  sd: z.number(),
  welch: z.object({ t: nullableNumber, df: nullableNumber }).optional(),
  ...comparisonFields,
});

const responseCommon = {
  alpha: z.number(),
  correction: z.enum(['holm', 'bh']),
  sequential: z.object({ tuningParameter: z.number() }).optional(),
  srm: srmResultSchema.optional(),
  reason: z.string().optional(),
};

export const analyzeResponseSchema = z.discriminatedUnion('metric', [
  z.object({ metric: z.literal('conversion'), ...responseCommon, variants: z.array(conversionVariantResultSchema) }),
  z.object({ metric: z.literal('revenue'), ...responseCommon, variants: z.array(revenueVariantResultSchema) }),
]);

export type AnalyzeResponse = z.output<typeof analyzeResponseSchema>;
export type ConversionVariantResult = z.output<typeof conversionVariantResultSchema>;
export type RevenueVariantResult = z.output<typeof revenueVariantResultSchema>;

export const sampleSizeResponseSchema = z.object({
  perVariant: z.int().nullable(),
  total: z.int().nullable(),
  variantRate: nullableNumber,
  deltaAbsolute: nullableNumber,
  /** Present with more than 2 variants: alpha/(variants − 1), the Bonferroni level planned for. */
  alphaPerComparison: z.number().optional(),
  /** Present when dailyUnits was given. */
  durationDays: z.int().nullable().optional(),
  reason: z.string().optional(),
});

export type SampleSizeResponse = z.output<typeof sampleSizeResponseSchema>;
