/**
 * Who may do what in the dashboard: the one place the pages ask (through usePermission), mirroring
 * the server's rule (server/src/access/roles.ts, design.md §9). The server decides; this only keeps
 * people from pressing buttons that would answer 403.
 */
export const ROLES = ['viewer', 'editor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** What a control does, and the least role the server asks for it. */
const NEEDS = {
  /** Touchpoints, metrics, experiments: create, edit, start, pause, stop, archive, preview links, recompute results. */
  edit: 'editor',
  'manage-users': 'admin',
  'manage-keys': 'admin',
  'manage-webhooks': 'admin',
  erase: 'admin',
} as const satisfies Record<string, Role>;
export type Action = keyof typeof NEEDS;

const WHAT: Record<Action, string> = {
  edit: 'change touchpoints, metrics and experiments',
  'manage-users': 'manage users',
  'manage-keys': 'manage API keys',
  'manage-webhooks': 'manage webhooks',
  erase: 'erase data',
};

export const ROLE_LABEL: Record<Role, string> = { viewer: 'Viewer', editor: 'Editor', admin: 'Admin' };

/** What each role may do, in words (after its label: "Editor — also creates and runs…"). */
export const ROLE_HINT: Record<Role, string> = {
  viewer: 'reads everything (product owners)',
  editor: 'also creates and runs experiments, touchpoints and metrics (growth teams)',
  admin: 'also manages users, API keys, webhooks and erasure',
};

/** Roles are ordered: admin ⊃ editor ⊃ viewer (as roleAllows on the server). */
export function can(role: Role, action: Action): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(NEEDS[action]);
}

/** Why a control is not there for `role`, in words shown next to it (null when it may). */
export function whyNot(role: Role, action: Action): string | null {
  if (can(role, action)) return null;
  const who = NEEDS[action] === 'admin' ? 'Only admins' : 'Only editors and admins';
  return `${who} can ${WHAT[action]}; you are signed in as ${/^[aeiou]/.test(role) ? 'an' : 'a'} ${role}.`;
}
