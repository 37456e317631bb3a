import type { Harness } from '../test/harness.js';
import type { Role } from '../access/roles.js';

export interface Person {
  id: string;
  name: string;
  email: string;
  password: string;
  /** The `tp_session=…` pair to send as Cookie. */
  cookie: string;
  csrfToken: string;
  /** A request with this person's session cookie (and CSRF token unless `csrf: false`). */
  call(method: string, path: string, body?: unknown, options?: { csrf?: boolean; headers?: Record<string, string> }): Promise<Response>;
}

/** The `tp_session=<secret>` of a response's Set-Cookie, or undefined. */
export function sessionCookieOf(res: Response): string | undefined {
  const header = res.headers.getSetCookie().find((line) => line.startsWith('tp_session='));
  const pair = header?.split(';')[0];
  return pair && pair !== 'tp_session=' ? pair : undefined;
}

/** A request with a session cookie instead of a key. */
export function withSession(h: Harness, cookie: string, csrfToken: string) {
  return (method: string, path: string, body?: unknown, { csrf = true, headers = {} }: { csrf?: boolean; headers?: Record<string, string> } = {}) =>
    h.call(method, path, body, { key: null, headers: { Cookie: cookie, ...(csrf && { 'X-CSRF-Token': csrfToken }), ...headers } });
}

let counter = 0;

/** Invites someone with the harness's admin key and accepts the invitation: the real flow, signed in. */
export async function invitePerson(h: Harness, role: Role, name = `${role[0]!.toUpperCase()}${role.slice(1)} ${++counter}`): Promise<Person> {
  const email = `${name.toLowerCase().replace(/\W+/g, '.')}.${counter}.${Date.now().toString(36)}@shop.example`;
  const invited = await h.call('POST', '/api/users', { email, name, role });
  if (invited.status !== 201) throw new Error(`invite: ${invited.status} ${await invited.text()}`);
  const { user, inviteUrl } = (await invited.json()) as { user: { id: string }; inviteUrl: string };
  const token = new URL(inviteUrl).hash.replace('#token=', '');
  const password = `correct horse ${name} battery`;
  const accepted = await h.call('POST', '/api/auth/accept-invite', { token, password }, { key: null });
  if (accepted.status !== 200) throw new Error(`accept: ${accepted.status} ${await accepted.text()}`);
  const { csrfToken } = (await accepted.json()) as { csrfToken: string };
  const cookie = sessionCookieOf(accepted)!;
  return { id: user.id, name, email, password, cookie, csrfToken, call: withSession(h, cookie, csrfToken) };
}
