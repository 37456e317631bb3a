/**
 * The results' decision (design.md §8): what to do, the variant to serve, why, and the checks behind
 * it. The dashboard shows the server's decision as is; it never decides from the figures itself.
 */
import type { Decision, DecisionStatus } from '../api/results-types.js';
import { humanizeFields } from '../components/field-labels.js';

export const DECISION_LABEL: Record<DecisionStatus, string> = {
  collecting: 'Collecting data',
  'keep-running': 'Keep running',
  ship: 'Ship',
  'roll-back': 'Roll back',
  'no-difference': 'No difference',
};

/** Badge colours: a decision to act is coloured, waiting is neutral. */
const DECISION_CLASS: Record<DecisionStatus, string> = {
  collecting: 'verdict-inconclusive',
  'keep-running': 'verdict-inconclusive',
  ship: 'verdict-good',
  'roll-back': 'verdict-bad',
  'no-difference': 'verdict-inconclusive',
};

const CHECK_LABEL: Record<Decision['checks'][number]['name'], string> = {
  'minimum-sample': 'Enough data in every arm',
  'minimum-days': 'Ran long enough',
  'planned-sample': 'Planned sample reached',
  srm: 'No sample-ratio mismatch',
  'multiple-exposures': 'Few units in two variants',
  guardrails: 'No guardrail harmed',
};

export function DecisionBadge({ decision }: { decision: Pick<Decision, 'status'> }) {
  return (
    <span className={`badge ${DECISION_CLASS[decision.status]}`} data-slot="decision-status">
      {DECISION_LABEL[decision.status]}
    </span>
  );
}

/** "Ship Free shipping promise", "Roll back to Current hero", or the status alone. */
export function decisionHeadline(decision: Pick<Decision, 'status' | 'recommendedVariant'>, names: ReadonlyMap<string, string>): string {
  const variant = decision.recommendedVariant === null ? null : (names.get(decision.recommendedVariant) ?? decision.recommendedVariant);
  if (decision.status === 'ship' && variant) return `Ship “${variant}”`;
  if (decision.status === 'roll-back' && variant) return `Roll back: serve “${variant}”`;
  return DECISION_LABEL[decision.status];
}

export function DecisionPanel({ decision, names }: { decision: Decision; names: ReadonlyMap<string, string> }) {
  return (
    <section className="decision" data-testid="decision" aria-labelledby="decision-title">
      <h3 id="decision-title">
        Decision: <DecisionBadge decision={decision} />{' '}
        {decisionHeadline(decision, names) !== DECISION_LABEL[decision.status] && <span data-slot="recommendation">{decisionHeadline(decision, names)}</span>}
      </h3>
      {decision.status === 'collecting' && (
        <p className="muted small">No result counts as a finding until every check below holds; the figures are shown as they stand.</p>
      )}
      {decision.reasons.length > 0 && (
        <ul data-slot="decision-reasons">
          {decision.reasons.map((reason, i) => (
            <li key={i}>{humanizeFields(reason)}</li>
          ))}
        </ul>
      )}
      <details open={decision.status === 'collecting'}>
        <summary>Checks ({decision.checks.filter((c) => c.ok).length} of {decision.checks.length} hold)</summary>
        <ul className="decision-checks" data-slot="decision-checks">
          {decision.checks.map((check) => (
            <li key={check.name} data-check={check.name} data-ok={check.ok}>
              <span aria-hidden="true">{check.ok ? '✓' : '✗'}</span> <strong>{CHECK_LABEL[check.name]}</strong>
              <span className="visually-hidden">{check.ok ? ' (holds)' : ' (does not hold)'}</span>: <span className="small">{humanizeFields(check.detail)}</span>
            </li>
          ))}
        </ul>
      </details>
    </section>
  );
}
