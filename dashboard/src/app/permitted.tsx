import type { ReactNode } from 'react';
import type { Action } from './access.js';
import { usePermission } from './session.js';

/**
 * A control only some roles may use: `children` when the signed-in role may do `action`, else
 * `otherwise` (nothing by default). The rule itself is app/access.ts.
 */
export function Permitted({ action, children, otherwise = null }: { action: Action; children: ReactNode; otherwise?: ReactNode }) {
  return usePermission(action).allowed ? children : otherwise;
}

/** In place of controls a role cannot use: why they are not there (nothing when they are). */
export function ReadOnlyNote({ action, id }: { action: Action; id?: string }) {
  const { reason } = usePermission(action);
  if (!reason) return null;
  return (
    <p className="lock-note small" {...(id && { id })} data-testid="read-only-note">
      <span aria-hidden="true">🔒 </span>
      {reason}
    </p>
  );
}
