import { validateCondition } from '@touchpoint/client-sdk/validate';
import { z } from 'zod';
import { jsonValue, pagination, slug, text } from '../http/schema-helpers.js';
import { targetingRegexProblems } from '../targeting/linear-regex.js';
import { CHANGE_ACTIONS, redirectSchema, variantChangesSchema } from './changes.js';

export const EXPERIMENT_STATUSES = ['draft', 'running', 'paused', 'stopped'] as const;
export type ExperimentStatus = (typeof EXPERIMENT_STATUSES)[number];
export const CORRECTIONS = ['holm', 'bh'] as const;

/** Weights must sum to 1 within this tolerance (floating-point input such as 1/3 + 1/3 + 1/3). */
export const WEIGHT_SUM_TOLERANCE = 1e-6;
/** Days an experiment runs before its results may decide (design.md §8): a week, as weekdays and weekends sell differently. */
export const DEFAULT_MINIMUM_DAYS = 7;
const MAX_PAYLOAD_BYTES = 16 * 1024;
const MAX_TARGETING_BYTES = 32 * 1024;

export const VARIANT_KEY_PATTERN = /^[a-z0-9]+(?:[-_][a-z0-9]+)*$/;
export const variantKey = z
  .string()
  .regex(VARIANT_KEY_PATTERN, 'must be lower-case letters and digits, optionally joined by "-" or "_"')
  .max(64, 'must be at most 64 characters');

const weight = z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1');

export const variantInput = z.strictObject({
  key: variantKey,
  name: text(200, 1),
  weight,
  payload: jsonValue(MAX_PAYLOAD_BYTES).optional(),
  /** Script-tag DOM changes for this variant (design.md §10); absent = none. */
  changes: variantChangesSchema.optional(),
  /** Script-tag redirect for this variant; absent or null = none. */
  redirect: redirectSchema.nullable().optional(),
});

const unitInterval = z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1');

export const namespaceSchema = z
  .strictObject({ id: slug, range: z.tuple([unitInterval, unitInterval]) })
  .refine((ns) => ns.range[0] < ns.range[1], { message: 'range must be [start, end) with start < end', path: ['range'] });

export const sequentialSchema = z.strictObject({
  /** N*, the sample size at which the confidence sequence is tightest (design.md §5). */
  tuningParameter: z.number().int().min(100).max(100_000_000).default(5000),
});

const settings = {
  name: text(200, 1),
  hypothesis: text(5000).nullable(),
  coverage: unitInterval,
  targeting: jsonValue(MAX_TARGETING_BYTES).nullable(),
  namespace: namespaceSchema.nullable(),
  salt: text(200, 1),
  primaryMetric: slug.nullable(),
  secondaryMetrics: z.array(slug).max(20),
  guardrailMetrics: z.array(slug).max(20),
  alpha: z.number().gt(0, 'must be in (0, 0.5]').max(0.5, 'must be in (0, 0.5]'),
  correction: z.enum(CORRECTIONS),
  sequential: sequentialSchema.nullable(),
  /** Relative minimum detectable effect for the primary metric (0.05 = 5 %), used for progress. */
  minimumDetectableEffect: z.number().gt(0).max(10).nullable(),
  /** Days the experiment must run before its results may decide (design.md §8): a full week by default. */
  minimumDays: z.number().int('must be a whole number of days').min(0).max(365),
  /** Opt-in: the SDK keeps a unit's first variant even when weights change in a later phase. */
  stickyBucketing: z.boolean(),
};

type VariantIn = z.infer<typeof variantInput>;
type MetricLists = { primaryMetric?: string | null | undefined; secondaryMetrics?: string[] | undefined; guardrailMetrics?: string[] | undefined };

function checkVariants(variants: VariantIn[] | undefined, ctx: z.RefinementCtx): void {
  if (!variants) return;
  const seen = new Map<string, number>();
  variants.forEach((variant, index) => {
    const first = seen.get(variant.key);
    if (first !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['variants', index, 'key'], message: `duplicates the key of variant ${first}` });
    } else {
      seen.set(variant.key, index);
    }
  });
  const sum = variants.reduce((total, v) => total + v.weight, 0);
  if (Math.abs(sum - 1) > WEIGHT_SUM_TOLERANCE) {
    ctx.addIssue({ code: 'custom', path: ['variants'], message: `weights must sum to 1, they sum to ${Number(sum.toFixed(9))}` });
  }
  if (variants[0] && variants[0].weight === 0) {
    ctx.addIssue({ code: 'custom', path: ['variants', 0, 'weight'], message: 'the control (first variant) needs a weight above 0' });
  }
}

/**
 * Targeting is checked by the SDK's own validator, so the server never accepts what the SDK would
 * ignore, and its regexes must also compile with the linear-time engine /sdk/assign evaluates them with.
 */
function checkTargeting(targeting: unknown, ctx: z.RefinementCtx): void {
  if (targeting === undefined || targeting === null) return;
  const problems = validateCondition(targeting);
  // Only on a condition the SDK accepts: its depth is then bounded and every regex leaf well-typed.
  if (problems.length === 0) problems.push(...targetingRegexProblems(targeting));
  for (const message of problems) ctx.addIssue({ code: 'custom', path: ['targeting'], message });
}

function checkMetricLists(input: MetricLists, ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  if (input.primaryMetric) seen.add(input.primaryMetric);
  for (const list of ['secondaryMetrics', 'guardrailMetrics'] as const) {
    input[list]?.forEach((key, index) => {
      if (seen.has(key)) ctx.addIssue({ code: 'custom', path: [list, index], message: `metric "${key}" is listed twice` });
      seen.add(key);
    });
  }
}

export const createExperimentSchema = z
  .strictObject({
    key: slug,
    touchpointKey: slug,
    variants: z.array(variantInput).min(2, 'an experiment needs at least 2 variants').max(20, 'at most 20 variants'),
    ...settings,
    hypothesis: settings.hypothesis.optional(),
    coverage: settings.coverage.default(1),
    targeting: settings.targeting.optional(),
    namespace: settings.namespace.optional(),
    salt: settings.salt.optional(),
    primaryMetric: settings.primaryMetric.optional(),
    secondaryMetrics: settings.secondaryMetrics.default([]),
    guardrailMetrics: settings.guardrailMetrics.default([]),
    alpha: settings.alpha.default(0.05),
    correction: settings.correction.default('holm'),
    sequential: settings.sequential
      .optional()
      .describe(
        'Sequential testing (confidence sequences), on by default: absent = { tuningParameter: 5000 }; send N* = the planned total sample ' +
          '(the dashboard does when a minimum detectable effect is set). null = fixed horizon: no verdict before the planned sample.',
      ),
    minimumDetectableEffect: settings.minimumDetectableEffect.optional(),
    minimumDays: settings.minimumDays.default(DEFAULT_MINIMUM_DAYS),
    stickyBucketing: settings.stickyBucketing.default(false),
  })
  .superRefine((input, ctx) => {
    checkVariants(input.variants, ctx);
    checkTargeting(input.targeting, ctx);
    checkMetricLists(input, ctx);
  });

export const updateExperimentSchema = z
  .strictObject({
    touchpointKey: slug.optional(),
    variants: z.array(variantInput).min(2, 'an experiment needs at least 2 variants').max(20, 'at most 20 variants').optional(),
    name: settings.name.optional(),
    hypothesis: settings.hypothesis.optional(),
    coverage: settings.coverage.optional(),
    targeting: settings.targeting.optional(),
    namespace: settings.namespace.optional(),
    salt: settings.salt.optional(),
    primaryMetric: settings.primaryMetric.optional(),
    secondaryMetrics: settings.secondaryMetrics.optional(),
    guardrailMetrics: settings.guardrailMetrics.optional(),
    alpha: settings.alpha.optional(),
    correction: settings.correction.optional(),
    sequential: settings.sequential.optional(),
    minimumDetectableEffect: settings.minimumDetectableEffect.optional(),
    minimumDays: settings.minimumDays.optional(),
    stickyBucketing: settings.stickyBucketing.optional(),
    /** On a running or paused experiment: allow new weights, payloads, targeting or lower coverage as a new phase. */
    newPhase: z.boolean().optional(),
    version: z.number().int().min(1).optional(),
  })
  .superRefine((input, ctx) => {
    checkVariants(input.variants, ctx);
    checkTargeting(input.targeting, ctx);
  });

export const stopExperimentSchema = z
  .strictObject({
    /** Key of the winning variant, or null / absent for "no winner". */
    winner: variantKey.nullable().optional(),
    note: text(5000).nullable().optional(),
    ship: z
      .boolean()
      .optional()
      .describe('true: ship the winner (design.md §8): /sdk/config keeps serving its payload to every unit the targeting admits, without exposures, until POST …/rollout/end'),
    version: z.number().int().min(1).optional(),
  })
  .superRefine((input, ctx) => {
    if (input.ship && !input.winner) ctx.addIssue({ code: 'custom', path: ['winner'], message: 'ship: true needs a winner, the variant to serve to everyone' });
  });

export const lifecycleSchema = z.strictObject({
  version: z.number().int().min(1).optional(),
});

export const booleanQuery = z.enum(['true', 'false']).transform((v) => v === 'true');

export const listExperimentsQuery = z.strictObject({
  status: z.enum(EXPERIMENT_STATUSES).optional(),
  touchpointKey: slug.optional(),
  q: text(200).optional(),
  archived: booleanQuery.default(false),
  ...pagination,
});

export const variantChangeOutput = z.object({
  selector: z.string(),
  action: z.enum(CHANGE_ACTIONS),
  name: z.string().optional(),
  value: z.string().optional(),
});

export const variantSchema = z.object({
  key: z.string(),
  name: z.string(),
  weight: z.number(),
  payload: z.unknown().nullable(),
  changes: z.array(variantChangeOutput),
  redirect: z.string().nullable(),
});

export const experimentSchema = z.object({
  key: z.string(),
  name: z.string(),
  hypothesis: z.string().nullable(),
  touchpointKey: z.string(),
  status: z.enum(EXPERIMENT_STATUSES),
  variants: z.array(variantSchema),
  coverage: z.number(),
  targeting: z.unknown().nullable(),
  namespace: z.object({ id: z.string(), range: z.tuple([z.number(), z.number()]) }).nullable(),
  salt: z.string(),
  primaryMetric: z.string().nullable(),
  secondaryMetrics: z.array(z.string()),
  guardrailMetrics: z.array(z.string()),
  alpha: z.number(),
  correction: z.enum(CORRECTIONS),
  sequential: z.object({ tuningParameter: z.number() }).nullable(),
  minimumDetectableEffect: z.number().nullable(),
  minimumDays: z.number().int(),
  stickyBucketing: z.boolean(),
  decision: z.object({ winner: z.string().nullable(), note: z.string().nullable() }).nullable(),
  rollout: z
    .object({ variantKey: z.string(), since: z.string() })
    .nullable()
    .describe('The shipped winner, served to every unit the targeting admits since `since` (stop with ship: true); null when none'),
  phase: z.number().int().nullable(),
  startedAt: z.string().nullable(),
  stoppedAt: z.string().nullable(),
  archivedAt: z.string().nullable(),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export type CreateExperiment = z.infer<typeof createExperimentSchema>;
export type UpdateExperiment = z.infer<typeof updateExperimentSchema>;
export type Experiment = z.infer<typeof experimentSchema>;
export type Variant = z.infer<typeof variantSchema>;
