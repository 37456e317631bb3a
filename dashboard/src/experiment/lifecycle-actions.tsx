import { useState } from 'react';
import { useApi } from '../app/api-context.js';
import { Link } from '../app/router.js';
import type { Decision } from '../api/results-types.js';
import type { Experiment, StopDecision } from '../api/types.js';
import { ConfirmDialog, Dialog } from '../components/dialog.js';
import { ErrorState } from '../components/states.js';
import { DecisionBadge } from './decision-panel.js';
import { isCollecting } from './results-format.js';

type Action = 'start' | 'pause' | 'stop' | 'archive' | 'unarchive';

const COPY: Record<Exclude<Action, 'stop'>, { title: string; confirm: string; body: (e: Experiment) => string }> = {
  start: {
    title: 'Start the experiment?',
    confirm: 'Start',
    body: (e) =>
      e.status === 'paused'
        ? 'Resuming sends its variants to the SDK again; exposures are counted from now on too.'
        : 'The SDK starts assigning units to its variants within minutes. Variants, salt, namespace and touchpoint are then locked.',
  },
  pause: { title: 'Pause the experiment?', confirm: 'Pause', body: () => 'Visitors see the default experience until you resume it. Collected data is kept.' },
  archive: { title: 'Archive the experiment?', confirm: 'Archive', body: () => 'It disappears from the default list; you can unarchive it later.' },
  unarchive: { title: 'Unarchive the experiment?', confirm: 'Unarchive', body: () => 'It appears in the experiments list again.' },
};

/**
 * Start / pause / stop (and archive) buttons, each behind a confirmation dialog. `advice` is the
 * results' decision, which the stop dialog shows and takes its recommended variant from.
 */
export function LifecycleActions({ experiment, advice = null, onChanged }: { experiment: Experiment; advice?: StopAdvice; onChanged: (e: Experiment) => void }) {
  const api = useApi();
  const [open, setOpen] = useState<Action | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const { key, version, status } = experiment;
  const archived = Boolean(experiment.archivedAt);

  const run = async (call: () => Promise<Experiment>) => {
    setBusy(true);
    setError(null);
    try {
      onChanged(await call());
      setOpen(null);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const close = () => {
    setOpen(null);
    setError(null);
  };
  const calls: Record<Exclude<Action, 'stop'>, () => Promise<Experiment>> = {
    start: () => api.startExperiment(key, version),
    pause: () => api.pauseExperiment(key, version),
    archive: () => api.archiveExperiment(key, version),
    unarchive: () => api.unarchiveExperiment(key, version),
  };

  return (
    <div className="actions" role="group" aria-label="Experiment actions">
      {!archived && (status === 'draft' || status === 'paused') && (
        <button type="button" className="button button-primary" onClick={() => setOpen('start')}>
          {status === 'paused' ? 'Resume' : 'Start'}
        </button>
      )}
      {status === 'running' && (
        <button type="button" className="button" onClick={() => setOpen('pause')}>
          Pause
        </button>
      )}
      {(status === 'running' || status === 'paused') && (
        <button type="button" className="button button-danger" onClick={() => setOpen('stop')}>
          Stop…
        </button>
      )}
      {!archived && (
        <Link to={`/experiments/${encodeURIComponent(key)}/edit`} className="button">
          Edit
        </Link>
      )}
      {/* The server refuses to archive an experiment serving its winner: end the rollout first. */}
      {(status === 'draft' || status === 'stopped') && !experiment.rollout && (
        <button type="button" className="button button-quiet" onClick={() => setOpen(archived ? 'unarchive' : 'archive')}>
          {archived ? 'Unarchive' : 'Archive'}
        </button>
      )}

      {open && open !== 'stop' && (
        <ConfirmDialog title={COPY[open].title} confirmLabel={COPY[open].confirm} busy={busy} onCancel={close} onConfirm={() => void run(calls[open])}>
          <p>{COPY[open].body(experiment)}</p>
          {open === 'start' && !experiment.primaryMetric && <p className="notice">This experiment has no primary metric yet; the server will refuse to start it. Edit it first.</p>}
          {error !== null && <ErrorState error={error} title="Not done" />}
        </ConfirmDialog>
      )}
      {open === 'stop' && <StopDialog experiment={experiment} advice={advice} busy={busy} error={error} onCancel={close} onStop={(decision) => void run(() => api.stopExperiment(key, version, decision))} />}
    </div>
  );
}

/** One sentence on what the results advise, in the dialog's terms. */
function adviceText(advice: NonNullable<StopAdvice>, name: (key: string) => string): string {
  const variant = advice.recommendedVariant === null ? null : name(advice.recommendedVariant);
  switch (advice.status) {
    case 'ship':
      return variant ? `The results recommend shipping ${variant}.` : 'The results recommend shipping.';
    case 'roll-back':
      return variant ? `The results recommend rolling back to ${variant}.` : 'The results recommend rolling back.';
    case 'no-difference':
      return 'The results found no difference worth shipping.';
    case 'keep-running':
      return 'The results advise running longer: no variant is ahead yet.';
    case 'collecting':
      return 'The results are still collecting data: no variant has been shown better or worse yet.';
  }
}

/** The results' decision as the stop dialog uses it; null while the results are not loaded (read as collecting). */
export type StopAdvice = Pick<Decision, 'status' | 'recommendedVariant'> | null;

function StopDialog({
  experiment,
  advice,
  busy,
  error,
  onCancel,
  onStop,
}: {
  experiment: Experiment;
  advice: StopAdvice;
  busy: boolean;
  error: unknown;
  onCancel: () => void;
  onStop: (decision: StopDecision) => void;
}) {
  // "Winner" only once the results decided (design.md §8); before that the choice is the team's own.
  const decided = advice !== null && !isCollecting(advice);
  const recommended = advice?.status === 'ship' && advice.recommendedVariant && experiment.variants.some((v) => v.key === advice.recommendedVariant) ? advice.recommendedVariant : null;
  const [winner, setWinner] = useState(recommended ?? '');
  const [note, setNote] = useState('');
  const [ship, setShip] = useState(false);
  const [tried, setTried] = useState(false);
  const missing = tried && winner === '';
  const chosen = winner !== '' && winner !== '__none__' ? experiment.variants.find((v) => v.key === winner) : undefined;
  const shipping = ship && chosen !== undefined;
  const submit = () => {
    setTried(true);
    if (winner === '') return;
    onStop({ winner: chosen?.key ?? null, note: note.trim() || null, ...(shipping && { ship: true }) });
  };
  return (
    <Dialog
      title="Stop the experiment"
      onClose={onCancel}
      actions={
        <>
          <button type="button" className="button" onClick={onCancel}>
            Cancel
          </button>
          <button type="button" className="button button-danger" onClick={submit} disabled={busy}>
            {busy ? 'Stopping…' : shipping ? 'Stop and ship' : 'Stop experiment'}
          </button>
        </>
      }
    >
      <p>Stopping is final: the experiment no longer splits traffic and cannot be restarted.</p>
      {advice !== null && (
        <p className="small" data-slot="stop-advice">
          <DecisionBadge decision={advice} /> {adviceText(advice, (key) => experiment.variants.find((v) => v.key === key)?.name ?? key)}
        </p>
      )}
      <fieldset className="checks" aria-describedby={missing ? 'winner-error' : undefined}>
        <legend>{decided ? 'Winner' : 'Variant to keep'}</legend>
        {experiment.variants.map((v, i) => (
          <div key={v.key} className="field-inline">
            <input id={`winner-${v.key}`} type="radio" name="winner" value={v.key} checked={winner === v.key} onChange={() => setWinner(v.key)} />
            <label htmlFor={`winner-${v.key}`}>
              {v.name} <span className="muted small mono">({v.key}{i === 0 ? ', the control' : ''})</span>
              {v.key === recommended && <span className="badge verdict-good">recommended</span>}
            </label>
          </div>
        ))}
        <div className="field-inline">
          <input id="winner-none" type="radio" name="winner" value="__none__" checked={winner === '__none__'} onChange={() => setWinner('__none__')} />
          <label htmlFor="winner-none">{decided ? 'No winner' : 'None of them'}</label>
        </div>
        {missing && (
          <p id="winner-error" className="field-error" role="alert">
            {decided ? 'Choose the winning variant, or "No winner".' : 'Choose the variant to keep, or "None of them".'}
          </p>
        )}
      </fieldset>
      <div className="field-inline">
        <input id="stop-ship" type="checkbox" checked={ship} disabled={winner === '__none__'} onChange={(e) => setShip(e.target.checked)} aria-describedby="stop-ship-help" />
        <label htmlFor="stop-ship">{decided ? 'Ship the winner to everyone' : 'Ship the chosen variant to everyone'}</label>
      </div>
      <p id="stop-ship-help" className="muted small">
        Shipping serves {chosen ? chosen.name : 'the chosen variant'} to every visitor the targeting admits, with no exposures logged, until you end the rollout.
      </p>
      <div className="field">
        <label htmlFor="stop-note">Note</label>
        <textarea id="stop-note" rows={3} value={note} onChange={(e) => setNote(e.target.value)} placeholder="What we learned, and what ships" />
      </div>
      {error !== null && <ErrorState error={error} title="Not stopped" />}
    </Dialog>
  );
}
