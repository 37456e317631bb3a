import type { ExperimentResults } from '../api/results-types.js';
import { DASH, formatDate, formatInteger, pText, percent } from '../components/format.js';

const day = (iso: string | null) => (iso ? formatDate(iso) : null);

/**
 * The sample-ratio check in full, passed or not: each phase of the experiment (a coverage ramp or a
 * weight change starts one) is tested against its own weights, so a product owner can see why a ramp
 * raised no alarm, and which phase did when one fails. Collapsed by default; the alert banner above
 * already speaks up on a mismatch.
 */
export function SrmDetails({ results }: { results: ExperimentResults }) {
  const { srm, variants } = results;
  if (srm.phases.length === 0) return null;
  const verdict = srm.mismatch ? 'mismatch' : srm.pValue === null ? 'not tested yet' : 'split as configured';
  const phased = srm.phases.length > 1 ? `, ${srm.phases.length} phases tested separately` : '';
  return (
    <details className="srm-details small" data-testid="srm-details">
      <summary>
        Sample ratio check: {verdict}
        {srm.pValue !== null && ` (${pText(srm.pValue)}${phased})`}
      </summary>
      <div className="table-wrap">
        <table className="table">
          <caption className="muted small">Units per variant by phase, against the weights of that phase (alarm below p = {srm.threshold})</caption>
          <thead>
            <tr>
              <th scope="col">Phase</th>
              <th scope="col">Period</th>
              <th scope="col">Coverage</th>
              {variants.map((v) => (
                <th scope="col" key={v.key}>
                  {v.name}
                </th>
              ))}
              <th scope="col">Check</th>
            </tr>
          </thead>
          <tbody>
            {srm.phases.map((phase, row) => {
              const total = phase.units.reduce((sum, n) => sum + n, 0);
              return (
                <tr key={phase.phase ?? `all-${row}`} data-testid="srm-phase">
                  <th scope="row" data-label="Phase">
                    {phase.phase === null ? 'All units' : `Phase ${phase.phase + 1}`}
                  </th>
                  <td data-label="Period">
                    {phase.startedAt ? `${day(phase.startedAt)} – ${day(phase.endedAt) ?? 'now'}` : DASH}
                  </td>
                  <td data-label="Coverage">{percent(phase.coverage, 0)}</td>
                  {variants.map((v, i) => (
                    <td key={v.key} data-label={v.name}>
                      {formatInteger(phase.units[i] ?? 0)} ({percent(total ? (phase.units[i] ?? 0) / total : null)} of {percent(phase.weights[i], 0)} expected)
                    </td>
                  ))}
                  <td data-label="Check">{phase.reason ?? `${phase.mismatch ? 'mismatch, ' : ''}${pText(phase.pValue)}`}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {srm.unitsOutsidePhases > 0 && (
        <p className="muted">{formatInteger(srm.unitsOutsidePhases)} units were first exposed outside every phase (while paused or before the start) and are not tested.</p>
      )}
    </details>
  );
}
