/**
 * What a stopped experiment serves (design.md §8, README "Shipping the winner"): its outcome, the
 * shipped variant every visitor gets (a rollout) with the button that ends it, or when the rollout
 * ended. "Won" is said only once the results' decision is past `collecting`.
 */
import { useState } from 'react';
import type { Decision } from '../api/results-types.js';
import type { Experiment } from '../api/types.js';
import { useApi } from '../app/api-context.js';
import { Permitted } from '../app/permitted.js';
import { useResource } from '../app/use-resource.js';
import { ConfirmDialog } from '../components/dialog.js';
import { formatDateTime } from '../components/format.js';
import { ErrorState } from '../components/states.js';
import { isCollecting } from './results-format.js';

/** A variant's display name ("Sticky bar"), its key when the experiment no longer has it. */
export function variantName(experiment: Pick<Experiment, 'variants'>, key: string): string {
  return experiment.variants.find((v) => v.key === key)?.name ?? key;
}

/** "Serving Sticky bar to everyone" for lists; nothing when no rollout runs. */
export function ServingEveryone({ experiment }: { experiment: Experiment }) {
  if (!experiment.rollout) return null;
  return (
    <span className="badge verdict-good" data-slot="rollout" title={`Since ${formatDateTime(experiment.rollout.since)}`}>
      Serving {variantName(experiment, experiment.rollout.variantKey)} to everyone
    </span>
  );
}

/**
 * The experiment page's banner for a stopped experiment: the decision recorded at the stop, and what
 * visitors get now. `decision` is the results' decision (null until the results load, read as
 * collecting: nothing is called a winner before the results say so).
 */
export function StoppedBanner({ experiment: e, decision, onChanged }: { experiment: Experiment; decision: Pick<Decision, 'status'> | null; onChanged: (e: Experiment) => void }) {
  if (e.status !== 'stopped') return null;
  const chosen = e.decision?.winner ?? null;
  const decided = decision !== null && !isCollecting(decision);
  const chosenText = chosen === null ? null : `${variantName(e, chosen)} (${chosen})`;
  return (
    <div className={`banner ${e.rollout ? 'banner-rollout' : 'banner-stopped'}`} data-testid="stopped-banner">
      <p role="status">
        <strong>Decision:</strong> {chosenText === null ? 'no winner.' : decided ? `${chosenText} won.` : `${chosenText} chosen at stop.`}
        {e.decision?.note && <> Note: {e.decision.note}</>}
        {e.stoppedAt && <span className="muted small"> Stopped {formatDateTime(e.stoppedAt)}.</span>}
      </p>
      {e.rollout ? <ActiveRollout experiment={e} rollout={e.rollout} onChanged={onChanged} /> : chosen !== null && <EndedRollout experiment={e} />}
    </div>
  );
}

function ActiveRollout({ experiment: e, rollout, onChanged }: { experiment: Experiment; rollout: NonNullable<Experiment['rollout']>; onChanged: (e: Experiment) => void }) {
  const api = useApi();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const name = variantName(e, rollout.variantKey);
  const end = async () => {
    setBusy(true);
    setError(null);
    try {
      onChanged(await api.endRollout(e.key, e.version));
      setConfirming(false);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  const cancel = () => {
    setConfirming(false);
    setError(null);
  };
  return (
    <div className="rollout" data-slot="rollout">
      <p>
        <strong>
          Serving {name} to everyone since {formatDateTime(rollout.since)}.
        </strong>{' '}
        <span className="small">Every visitor the targeting admits gets this variant; no exposures are logged.</span>
      </p>
      <Permitted action="edit">
        <button type="button" className="button" onClick={() => setConfirming(true)}>
          End rollout
        </button>
      </Permitted>
      {confirming && (
        <ConfirmDialog title="End the rollout?" confirmLabel="End rollout" danger busy={busy} onCancel={cancel} onConfirm={() => void end()}>
          <p>
            Visitors stop getting {name} and see the control (the default experience) again, within seconds. The experiment stays stopped; it cannot
            ship again.
          </p>
          {error !== null && <ErrorState error={error} title="The rollout was not ended" />}
        </ConfirmDialog>
      )}
    </div>
  );
}

/**
 * After a rollout: when it ended, from the audit log (the experiment keeps no trace of a past rollout).
 * Nothing is shown for an experiment that never shipped.
 */
function EndedRollout({ experiment: e }: { experiment: Experiment }) {
  const api = useApi();
  const audit = useResource((signal) => api.experimentAudit(e.key, signal), [api, e.key, e.version]);
  // Newest first: the latest end of a rollout.
  const ended = audit.state === 'ready' ? audit.data.find((entry) => entry.action === 'end-rollout') : undefined;
  if (!ended) return null;
  return (
    <p data-slot="rollout-ended">
      <strong>Rollout ended {formatDateTime(ended.at)};</strong> visitors get the control.
    </p>
  );
}
