import { useApi } from '../app/api-context.js';
import { useResource } from '../app/use-resource.js';
import type { AuditEntry } from '../api/types.js';
import { fieldLabel } from '../components/field-labels.js';
import { formatDateTime } from '../components/format.js';
import { Empty, ErrorState, Loading } from '../components/states.js';
import { diffFields } from './audit-diff.js';

const ACTION_LABEL: Record<string, string> = {
  create: 'Created',
  update: 'Edited',
  start: 'Started',
  resume: 'Resumed',
  pause: 'Paused',
  stop: 'Stopped',
  archive: 'Archived',
  unarchive: 'Unarchived',
  'end-rollout': 'Rollout ended',
};

/**
 * Values are broken between words only; a single token too long for any column (a JSON payload, a
 * URL) is the one thing allowed to break anywhere.
 */
const longToken = (text: string) => text.split(/\s+/).some((word) => word.length > 24);

/** The person or key the server recorded (design.md §9); entries without one were made by the server itself. */
function who(entry: AuditEntry): string {
  if (entry.actor) return entry.actor.type === 'key' ? `${entry.actor.name} (API key)` : entry.actor.name;
  return entry.keyId ?? 'system';
}

/** Who changed what and when (GET /api/experiments/:key/audit, newest first). */
export function AuditHistory({ experimentKey, version }: { experimentKey: string; version: number }) {
  const api = useApi();
  const audit = useResource(async (signal) => {
    const entries = await api.experimentAudit(experimentKey, signal);
    return { entries };
  }, [api, experimentKey, version]);

  return (
    <section className="card" aria-labelledby="audit-title">
      <h2 id="audit-title">History</h2>
      {audit.state === 'loading' && <Loading label="Loading history…" />}
      {audit.state === 'error' && <ErrorState error={audit.error} title="Could not load the history" onRetry={audit.reload} />}
      {audit.state === 'ready' &&
        (audit.data.entries.length === 0 ? (
          <Empty>
            <p>No changes recorded.</p>
          </Empty>
        ) : (
          <ol className="audit">
            {audit.data.entries.map((entry) => {
              const changes = entry.action === 'create' ? [] : diffFields(entry.before, entry.after);
              return (
                <li key={entry.id}>
                  <p>
                    <strong>{ACTION_LABEL[entry.action] ?? entry.action}</strong> by {who(entry)} ·{' '}
                    <time dateTime={entry.at}>{formatDateTime(entry.at)}</time>
                  </p>
                  {changes.length > 0 && (
                    <div className="table-wrap">
                    <table className="table diff">
                      <caption className="visually-hidden">Changed fields</caption>
                      <thead>
                        <tr>
                          <th scope="col">Field</th>
                          <th scope="col">Before</th>
                          <th scope="col">After</th>
                        </tr>
                      </thead>
                      <tbody>
                        {changes.map((c) => (
                          <tr key={c.field}>
                            <th scope="row" title={c.field}>
                              {fieldLabel(c.field)}
                            </th>
                            <td className={`before${longToken(c.before) ? ' long-token' : ''}`}>{c.before}</td>
                            <td className={`after${longToken(c.after) ? ' long-token' : ''}`}>{c.after}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                    </div>
                  )}
                </li>
              );
            })}
          </ol>
        ))}
    </section>
  );
}
