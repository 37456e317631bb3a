/**
 * What a product owner should do with an experiment (design.md §8): a status, the variant to serve,
 * plain-language reasons and the checks behind them. Pure: it reads figures the results already hold.
 *
 * Checks, in order (each `{ name, ok, detail }`):
 *   minimum-sample      every arm of the primary metric has ≥ 100 units, and ≥ 10 converted units for a
 *                       conversion (or funnel) primary metric: below that the normal approximations and
 *                       the Bayesian figures are not to be trusted.
 *   minimum-days        the experiment has run `minimumDays` (default 7): shops sell differently on Sundays.
 *   planned-sample      fixed horizon only: the sample planned from the minimum detectable effect is reached.
 *   srm                 no sample-ratio mismatch (the split matches the weights).
 *   multiple-exposures  under 1 % of exposed units were seen in more than one variant.
 *   guardrails          no guardrail metric is harmed (comparison.guardrail.status).
 *
 * Statuses:
 *   collecting     a check does not hold (the one exception is below). Nothing may be called significant.
 *   roll-back      the data are trustworthy (minimum-sample, srm, multiple-exposures hold) and a guardrail
 *                  is harmed — this one does not wait for minimum-days or the planned sample, as harm is
 *                  worth stopping early; or every check holds and every variant is significantly worse
 *                  than the control on the primary metric. recommendedVariant is then the control.
 *   ship           every check holds and at least one variant is significantly better on the primary
 *                  metric in its good direction; recommendedVariant is the best of those (largest
 *                  absolute difference in the good direction).
 *   no-difference  every check holds, no variant is significantly better, and: sequential — every
 *                  variant's lift interval (the confidence sequence) lies inside (−MDE, +MDE), so any
 *                  effect as large as the minimum detectable effect is excluded; fixed horizon — the
 *                  planned sample is reached (the planned-sample check).
 *   keep-running   every check holds and none of the above: the interval still allows an effect the
 *                  size of the MDE (or no MDE is set to tell), so more data may still decide.
 */
import type { MetricResult } from './types.js';

export type DecisionStatus = 'collecting' | 'keep-running' | 'ship' | 'roll-back' | 'no-difference';
export type CheckName = 'minimum-sample' | 'minimum-days' | 'planned-sample' | 'srm' | 'multiple-exposures' | 'guardrails';

export interface DecisionCheck {
  name: CheckName;
  ok: boolean;
  detail: string;
}

export interface Decision {
  status: DecisionStatus;
  /** ship: the variant to serve; roll-back: the control; otherwise null. */
  recommendedVariant: string | null;
  reasons: string[];
  checks: DecisionCheck[];
}

export const MIN_UNITS_PER_ARM = 100;
export const MIN_CONVERTED_PER_ARM = 10;
/** Share of exposed units seen in more than one variant above which the assignment is suspect. */
export const MAX_MULTIPLE_EXPOSURE_SHARE = 0.01;

export interface DecisionInput {
  /** The primary metric's results (null without one): its arms, comparisons and verdicts. */
  primary: MetricResult | null;
  guardrails: readonly MetricResult[];
  srm: { mismatch: boolean; pValue: number | null };
  exposures: { units: number; multipleExposures: number; multipleExposureShare: number | null };
  daysElapsed: number | null;
  minimumDays: number;
  /** Sequential testing on (always-valid intervals); false = fixed horizon. */
  sequential: boolean;
  /** fixedHorizonHold's answer: why the fixed-horizon verdict waits, or null when it may be given. */
  plannedSampleHold: string | null;
  /** Relative minimum detectable effect (0.05 = 5 %), or null. */
  minimumDetectableEffect: number | null;
}

const percent = (x: number): string => `${Number((x * 100).toFixed(2))} %`;
const plural = (n: number, one: string): string => `${n} ${one}${n === 1 ? '' : 's'}`;

function minimumSample(primary: MetricResult | null): DecisionCheck {
  const name = 'minimum-sample';
  if (!primary) return { name, ok: false, detail: 'the experiment has no primary metric: there is nothing to decide on' };
  const counted = primary.type === 'conversion' || primary.type === 'funnel';
  const short = primary.variants.flatMap((v) => {
    const missing: string[] = [];
    if (v.units < MIN_UNITS_PER_ARM) missing.push(`${plural(v.units, 'unit')} of ${MIN_UNITS_PER_ARM}`);
    if (counted && v.converted < MIN_CONVERTED_PER_ARM) missing.push(`${v.converted} converted of ${MIN_CONVERTED_PER_ARM}`);
    return missing.length ? [`"${v.key}" has ${missing.join(' and ')}`] : [];
  });
  const need = `at least ${MIN_UNITS_PER_ARM} units${counted ? ` and ${MIN_CONVERTED_PER_ARM} converted units` : ''} in every arm`;
  if (short.length) return { name, ok: false, detail: `too little data: ${short.join('; ')} (${need})` };
  return { name, ok: true, detail: `${need}: reached` };
}

function minimumDays(daysElapsed: number | null, required: number): DecisionCheck {
  const name = 'minimum-days';
  const ran = daysElapsed ?? 0;
  if (ran >= required) return { name, ok: true, detail: `ran ${ran.toFixed(1)} days of the ${required} required` };
  const detail = daysElapsed === null ? `not started: ${required} full days are required` : `ran ${ran.toFixed(1)} days of the ${required} required (weekdays and weekends sell differently)`;
  return { name, ok: false, detail };
}

function plannedSample(sequential: boolean, hold: string | null): DecisionCheck {
  const name = 'planned-sample';
  if (sequential) return { name, ok: true, detail: 'sequential testing: valid at any time, no planned sample to wait for' };
  if (hold !== null) return { name, ok: false, detail: hold };
  return { name, ok: true, detail: 'fixed horizon: the planned sample is reached' };
}

function srmCheck(srm: DecisionInput['srm']): DecisionCheck {
  const p = srm.pValue === null ? '' : ` (p = ${srm.pValue.toPrecision(2)})`;
  return srm.mismatch
    ? { name: 'srm', ok: false, detail: `sample-ratio mismatch${p}: the split differs from the weights; find the cause before trusting any figure` }
    : { name: 'srm', ok: true, detail: `the split matches the weights${p}` };
}

function multipleExposures(exposures: DecisionInput['exposures']): DecisionCheck {
  const share = exposures.multipleExposureShare ?? 0;
  const seen = `${plural(exposures.multipleExposures, 'unit')} (${percent(share)}) seen in more than one variant`;
  return share < MAX_MULTIPLE_EXPOSURE_SHARE
    ? { name: 'multiple-exposures', ok: true, detail: `${seen}, under ${percent(MAX_MULTIPLE_EXPOSURE_SHARE)}` }
    : { name: 'multiple-exposures', ok: false, detail: `${seen}: ${percent(MAX_MULTIPLE_EXPOSURE_SHARE)} or more suggests broken assignment` };
}

/** Guardrail metric × variant pairs whose non-inferiority check says harmed. */
function harmedGuardrails(guardrails: readonly MetricResult[]): string[] {
  return guardrails.flatMap((m) => m.variants.filter((v) => v.comparison?.guardrail?.status === 'harmed').map((v) => `"${m.name}" is harmed by "${v.key}"`));
}

function guardrailsCheck(guardrails: readonly MetricResult[]): DecisionCheck {
  const harmed = harmedGuardrails(guardrails);
  if (harmed.length) return { name: 'guardrails', ok: false, detail: harmed.join('; ') };
  if (!guardrails.length) return { name: 'guardrails', ok: true, detail: 'no guardrail metric' };
  return { name: 'guardrails', ok: true, detail: `no guardrail harmed (${guardrails.map((m) => `"${m.name}"`).join(', ')})` };
}

/** The interval that decides: the confidence sequence when sequential, else the fixed-horizon one. */
function liftInterval(c: NonNullable<MetricResult['variants'][number]['comparison']>): [number | null, number | null] | null {
  return c.sequential?.relativeLift.ci ?? c.relativeLift.ci;
}

export function decide(input: DecisionInput): Decision {
  const checks = [
    minimumSample(input.primary),
    minimumDays(input.daysElapsed, input.minimumDays),
    plannedSample(input.sequential, input.plannedSampleHold),
    srmCheck(input.srm),
    multipleExposures(input.exposures),
    guardrailsCheck(input.guardrails),
  ];
  const ok = (name: CheckName) => checks.find((c) => c.name === name)!.ok;
  const control = input.primary?.variants[0]?.key ?? null;
  const trustworthy = ok('minimum-sample') && ok('srm') && ok('multiple-exposures');

  if (trustworthy && !ok('guardrails')) {
    return { status: 'roll-back', recommendedVariant: control, reasons: [...harmedGuardrails(input.guardrails), 'serve the control: a guardrail metric is harmed'], checks };
  }
  const failing = checks.filter((c) => !c.ok);
  if (failing.length || !input.primary) {
    return { status: 'collecting', recommendedVariant: null, reasons: failing.map((c) => `${c.name}: ${c.detail}`), checks };
  }

  const primary = input.primary;
  const good = primary.direction === 'increase' ? 1 : -1;
  const treated = primary.variants.filter((v) => v.comparison);
  const better = treated.filter((v) => v.comparison!.verdict === 'good');
  if (better.length) {
    const best = better.reduce((a, b) => (good * (b.comparison!.absoluteDifference.estimate ?? 0) > good * (a.comparison!.absoluteDifference.estimate ?? 0) ? b : a));
    const others = better.filter((v) => v !== best).map((v) => `"${v.key}"`);
    const reasons = [`"${best.key}" is significantly better than the control on "${primary.name}"`];
    if (others.length) reasons.push(`also better: ${others.join(', ')}; "${best.key}" has the largest difference`);
    return { status: 'ship', recommendedVariant: best.key, reasons, checks };
  }
  if (treated.length && treated.every((v) => v.comparison!.verdict === 'bad')) {
    const reasons = [`every variant is significantly worse than the control on "${primary.name}"`, 'serve the control'];
    return { status: 'roll-back', recommendedVariant: control, reasons, checks };
  }
  if (!input.sequential) {
    return { status: 'no-difference', recommendedVariant: null, reasons: [`the planned sample is reached and no variant is significantly better on "${primary.name}"`], checks };
  }
  const mde = input.minimumDetectableEffect;
  if (mde === null) {
    return { status: 'keep-running', recommendedVariant: null, reasons: ['no variant is significantly better yet; set a minimumDetectableEffect to learn when the data rule out an effect worth having'], checks };
  }
  const wide = treated.filter((v) => {
    const ci = liftInterval(v.comparison!);
    return !ci || ci[0] === null || ci[1] === null || ci[0] <= -mde || ci[1] >= mde;
  });
  if (treated.length && !wide.length) {
    return { status: 'no-difference', recommendedVariant: null, reasons: [`every variant's lift interval on "${primary.name}" excludes effects of ±${percent(mde)} (the minimum detectable effect) or more`], checks };
  }
  const still = wide.map((v) => `"${v.key}"`).join(', ');
  return { status: 'keep-running', recommendedVariant: null, reasons: [`no variant is significantly better yet, and the interval of ${still} still allows an effect of ±${percent(mde)}`], checks };
}

/**
 * Why verdicts must be withheld, or null: while any check other than the guardrails fails — during
 * `collecting`, and during a `roll-back` decided early on a harmed guardrail — no comparison of the
 * primary or secondary metrics may say significant. The figures stay. `skip` leaves out checks whose
 * hold the document already carries (the fixed-horizon hold of the planned sample).
 */
export function verdictHold(decision: Decision, skip: readonly CheckName[] = []): string | null {
  const failing = decision.checks.filter((c) => !c.ok && c.name !== 'guardrails' && !skip.includes(c.name));
  if (!failing.length) return null;
  return `collecting: ${failing.map((c) => `${c.name} (${c.detail})`).join('; ')}`;
}
