import type { ExperimentStatus } from '../api/types.js';
import { STATUS_LABEL } from './format.js';

export function StatusBadge({ status, archived = false }: { status: ExperimentStatus; archived?: boolean }) {
  return (
    <span className={`badge badge-${status}`}>
      {STATUS_LABEL[status]}
      {archived && ' · archived'}
    </span>
  );
}
