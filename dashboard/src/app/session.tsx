import { createContext, useContext } from 'react';
import type { User } from '../api/types.js';
import { type Action, type Role, whyNot } from './access.js';

/** The signed-in person (GET /api/auth/me or the sign-in answer). */
export interface Session {
  user: User;
  role: Role;
  /** Sent as X-CSRF-Token with every write (the session cookie alone is not enough to write). */
  csrfToken: string | null;
}

export interface SessionValue {
  session: Session;
  signOut: () => void;
}

export const SessionContext = createContext<SessionValue | null>(null);

export function useSession(): SessionValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession() outside <SessionContext.Provider>');
  return value;
}

/**
 * May the signed-in person do `action`? `reason` says why not, to show beside a disabled control
 * (app/access.ts holds the rule).
 */
export function usePermission(action: Action): { allowed: boolean; reason: string | null } {
  const reason = whyNot(useSession().session.role, action);
  return { allowed: reason === null, reason };
}
