/**
 * Who may do what (design.md §9), as pure data: the roles in order of power, and what a route can
 * need. Imports nothing; the one middleware that enforces it is authorize.ts.
 */
export const ROLES = ['viewer', 'editor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/**
 * What a route needs: a role (viewer reads, editor changes the catalog and experiments, admin also
 * manages users, keys, webhooks and erasure), `sdk` (the route checks an SDK or admin key itself:
 * /sdk/*), or `public` (anyone: health, documents, signing in).
 */
export type Access = Role | 'sdk' | 'public';
export const ACCESS_LEVELS: readonly Access[] = ['public', 'sdk', ...ROLES];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** Does a principal with role `have` satisfy `need`? Roles are ordered: admin ⊃ editor ⊃ viewer. */
export function roleAllows(have: Role, need: Role): boolean {
  return ROLES.indexOf(have) >= ROLES.indexOf(need);
}

/**
 * Of several declarations matching one request (a catch-all GET and a specific route), the one that
 * asks most: the strictest wins, so a broad public route can never open a narrower one.
 */
export function strictest(levels: readonly Access[]): Access | undefined {
  let best: Access | undefined;
  for (const level of levels) best = stricter(best, level);
  return best;
}

/** The one of two declarations that asks more (`strictest` of two, without an array: authorize.ts runs it per request). */
export function stricter(a: Access | undefined, b: Access): Access {
  return a === undefined || ACCESS_LEVELS.indexOf(b) > ACCESS_LEVELS.indexOf(a) ? b : a;
}

/** Methods that only read: no CSRF token needed, even with a session cookie. */
export function isSafeMethod(method: string): boolean {
  return method === 'GET' || method === 'HEAD' || method === 'OPTIONS';
}
