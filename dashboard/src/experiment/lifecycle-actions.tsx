import { useState } from 'react';
import { useApi } from '../app/api-context.js';
import { Link } from '../app/router.js';
import type { Experiment } from '../api/types.js';
import { ConfirmDialog, Dialog } from '../components/dialog.js';
import { ErrorState } from '../components/states.js';

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

/** Start / pause / stop (and archive) buttons, each behind a confirmation dialog. */
export function LifecycleActions({ experiment, onChanged }: { experiment: Experiment; onChanged: (e: Experiment) => void }) {
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
      {(status === 'draft' || status === 'stopped') && (
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
      {open === 'stop' && <StopDialog experiment={experiment} busy={busy} error={error} onCancel={close} onStop={(decision) => void run(() => api.stopExperiment(key, version, decision))} />}
    </div>
  );
}

function StopDialog({
  experiment,
  busy,
  error,
  onCancel,
  onStop,
}: {
  experiment: Experiment;
  busy: boolean;
  error: unknown;
  onCancel: () => void;
  onStop: (decision: { winner: string | null; note: string | null }) => void;
}) {
  const [winner, setWinner] = useState('');
  const [note, setNote] = useState('');
  const [tried, setTried] = useState(false);
  const missing = tried && winner === '';
  const submit = () => {
    setTried(true);
    if (winner === '') return;
    onStop({ winner: winner === '__none__' ? null : winner, note: note.trim() || null });
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
            {busy ? 'Stopping…' : 'Stop experiment'}
          </button>
        </>
      }
    >
      <p>Stopping is final: the experiment leaves the SDK configuration and cannot be restarted.</p>
      <fieldset className="checks" aria-describedby={missing ? 'winner-error' : undefined}>
        <legend>Decision</legend>
        {experiment.variants.map((v, i) => (
          <div key={v.key} className="field-inline">
            <input id={`winner-${v.key}`} type="radio" name="winner" value={v.key} checked={winner === v.key} onChange={() => setWinner(v.key)} />
            <label htmlFor={`winner-${v.key}`}>
              {v.name} wins <span className="muted small mono">({v.key}{i === 0 && v.key !== 'control' ? ', the control' : ''})</span>
            </label>
          </div>
        ))}
        <div className="field-inline">
          <input id="winner-none" type="radio" name="winner" value="__none__" checked={winner === '__none__'} onChange={() => setWinner('__none__')} />
          <label htmlFor="winner-none">No winner</label>
        </div>
        {missing && (
          <p id="winner-error" className="field-error" role="alert">
            Choose the winning variant, or "No winner".
          </p>
        )}
      </fieldset>
      <div className="field">
        <label htmlFor="stop-note">Note</label>
        <textarea id="stop-note" rows={3} value={note} onChange={(e) => setNote(e.target.value)} placeholder="What we learned, and what ships" />
      </div>
      {error !== null && <ErrorState error={error} title="Not stopped" />}
    </Dialog>
  );
}
