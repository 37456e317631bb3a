import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { json, problem } from '../test/fake-server.js';
import { CSRF_TOKEN } from '../test/fixtures.js';
import { renderApp } from '../test/render.js';
import { SESSIONS_AFTER_CHANGE, howLong } from './account-page.js';

const CURRENT = 'correct horse battery';
const NEXT = 'a much longer new password';

/** Fills the change-password form and sends it. */
async function change(ui: ReturnType<typeof userEvent.setup>, current: string, next: string, again = next) {
  for (const [label, value] of [['Current password', current], ['New password', next], ['New password again', again]] as const) {
    await ui.clear(screen.getByLabelText(label));
    if (value) await ui.type(screen.getByLabelText(label), value);
  }
  await ui.click(screen.getByRole('button', { name: 'Change password' }));
}

describe('Account page', () => {
  it('is linked from the name in the header, and shows name, email, role and the password rules up front', async () => {
    const ui = userEvent.setup();
    renderApp('/experiments', { 'GET /api/experiments': json({ items: [] }), 'GET /api/results/summary': json({ items: [] }) }, { role: 'editor' });
    await ui.click(within(screen.getByTestId('signed-in-as')).getByRole('link', { name: 'Ada Admin, your account' }));
    expect(window.location.pathname).toBe('/account');
    await screen.findByRole('heading', { name: 'Your account', level: 1 });
    expect(within(screen.getByTestId('signed-in-as')).getByRole('link', { name: 'Ada Admin, your account' }).getAttribute('aria-current')).toBe('page');
    const facts = screen.getByRole('heading', { name: 'Profile' }).parentElement!.querySelector('dl')!;
    expect([...facts.querySelectorAll('dt')].map((dt) => `${dt.textContent}: ${dt.nextElementSibling!.textContent}`)).toEqual([
      'Name: Ada Admin',
      'Email: ada@example.com',
      'Role: Editor — also creates and runs experiments, touchpoints and metrics (growth teams)',
      'Signs in with: Password',
    ]);
    const form = screen.getByRole('form', { name: 'Change password' });
    expect(form.textContent).toContain('At least 12 characters (spaces count, but not only spaces).');
    expect(form.textContent).toContain(SESSIONS_AFTER_CHANGE);
    expect(screen.getByLabelText('Current password').getAttribute('autocomplete')).toBe('current-password');
    expect(screen.getByLabelText('New password').getAttribute('autocomplete')).toBe('new-password');
  });

  it('checks what it can before sending: required, the length rule, the confirmation', async () => {
    const ui = userEvent.setup();
    const { server } = renderApp('/account', {});
    await screen.findByRole('heading', { name: 'Your account' });
    await change(ui, '', 'short one');
    expect(screen.getByText('Required.')).toBeTruthy();
    expect(screen.getByText('At least 12 characters.', { selector: '.field-error p' })).toBeTruthy();
    await change(ui, CURRENT, '             ');
    expect(screen.getByText('Not only spaces.')).toBeTruthy();
    await change(ui, CURRENT, NEXT, `${NEXT}!`);
    expect(screen.getByText('Does not match the new password.')).toBeTruthy();
    const again = screen.getByLabelText('New password again');
    expect(again.getAttribute('aria-invalid')).toBe('true');
    expect(document.getElementById(again.getAttribute('aria-describedby')!)!.textContent).toBe('Does not match the new password.');
    expect(server.callsTo('POST /api/auth/password')).toHaveLength(0);
  });

  it('shows the server refusing the current password next to it, then changes it with the CSRF token and says what happened to the other sessions', async () => {
    const ui = userEvent.setup();
    const { server } = renderApp('/account', {
      'POST /api/auth/password': (call) => {
        const body = call.body as { currentPassword: string; newPassword: string };
        if (body.currentPassword !== CURRENT)
          return problem(422, 'validation-failed', 'currentPassword: is not your current password', [{ field: 'currentPassword', detail: 'is not your current password' }]);
        return { status: 204 };
      },
    });
    await screen.findByRole('heading', { name: 'Your account' });
    await change(ui, 'not my password', NEXT);
    const error = await screen.findByText('Is not your current password.');
    expect(error.closest('[role="alert"]')).toBeTruthy();
    const currentInput = screen.getByLabelText('Current password');
    expect(currentInput.getAttribute('aria-invalid')).toBe('true');
    expect(currentInput.getAttribute('aria-describedby')).toContain('current-password-error');
    expect(screen.getByTestId('password-changed').textContent).toBe('');

    await change(ui, CURRENT, NEXT);
    const live = screen.getByTestId('password-changed');
    await waitFor(() => expect(live.textContent).toBe(`Password changed. ${SESSIONS_AFTER_CHANGE}`));
    expect(live.getAttribute('aria-live')).toBe('polite');
    expect(screen.queryByText('Is not your current password.')).toBeNull();
    const calls = server.callsTo('POST /api/auth/password');
    expect(calls.map((c) => c.body)).toEqual([
      { currentPassword: 'not my password', newPassword: NEXT },
      { currentPassword: CURRENT, newPassword: NEXT },
    ]);
    expect(calls.every((c) => c.headers.get('X-CSRF-Token') === CSRF_TOKEN)).toBe(true);
    // The inputs are emptied, and this session stays (as the server keeps it): still the account page.
    for (const label of ['Current password', 'New password', 'New password again']) expect((screen.getByLabelText(label) as HTMLInputElement).value).toBe('');
    expect(screen.getByRole('button', { name: 'Sign out' })).toBeTruthy();
    expect(window.location.pathname).toBe('/account');
  });

  it("shows the server's rule for the new password next to it", async () => {
    const ui = userEvent.setup();
    renderApp('/account', {
      'POST /api/auth/password': problem(422, 'validation-failed', 'newPassword: must be at most 1024 characters', [{ field: 'newPassword', detail: 'must be at most 1024 characters' }]),
    });
    await screen.findByRole('heading', { name: 'Your account' });
    await change(ui, CURRENT, NEXT);
    expect(await screen.findByText('Must be at most 1024 characters.')).toBeTruthy();
    expect(screen.getByLabelText('New password').getAttribute('aria-invalid')).toBe('true');
  });

  it('rate limited: says how long to wait (Retry-After) and what the server said', async () => {
    const ui = userEvent.setup();
    const limited = problem(429, 'rate-limited', 'More than 10 failed authentications for this email in 900 s. Retry in 840 s.');
    renderApp('/account', { 'POST /api/auth/password': { ...limited, headers: { ...('headers' in limited && limited.headers), 'Retry-After': '840' } } });
    await screen.findByRole('heading', { name: 'Your account' });
    await change(ui, CURRENT, NEXT);
    const alert = await screen.findByText(/Too many wrong passwords/);
    expect(alert.closest('[role="alert"]')!.textContent).toBe(
      'Not changed. Too many wrong passwords for your account (failed sign-ins count too). Try again in about 14 minutes.More than 10 failed authentications for this email in 900 s. Retry in 840 s.',
    );
    expect(screen.getByTestId('password-changed').textContent).toBe('');
    expect([howLong(1), howLong(45), howLong(90), howLong(900)]).toEqual(['1 second', '45 seconds', 'about 2 minutes', 'about 15 minutes']);
  });

  it('a session that ended meanwhile (401) sends you to sign in, saying so', async () => {
    const ui = userEvent.setup();
    renderApp('/account', { 'POST /api/auth/password': problem(401, 'unauthorized', 'Not signed in.') });
    await screen.findByRole('heading', { name: 'Your account' });
    await change(ui, CURRENT, NEXT);
    expect(await screen.findByText(/Your session has ended/)).toBeTruthy();
    await waitFor(() => expect(window.location.pathname + window.location.search).toBe('/sign-in?next=%2Faccount'));
  });

  it('someone who signs in with SSO only gets no form that cannot work: their identity provider keeps the password', async () => {
    const { server } = renderApp('/account', {}, { role: 'viewer', person: { sso: true, hasPassword: false, name: 'Sam Single-Sign-On' } });
    await screen.findByRole('heading', { name: 'Your account' });
    expect(screen.getByText('SSO (your identity provider)')).toBeTruthy();
    expect(screen.getByTestId('sso-password-note').textContent).toMatch(/managed by your identity provider/);
    expect(screen.queryByLabelText('Current password')).toBeNull();
    expect(screen.queryByRole('button', { name: 'Change password' })).toBeNull();
    expect(server.calls.filter((c) => c.method !== 'GET')).toEqual([]);
  });

  it('someone with a password who also signs in with SSO may change the password here, and is told which one it is', async () => {
    renderApp('/account', {}, { person: { sso: true, hasPassword: true } });
    await screen.findByRole('heading', { name: 'Your account' });
    expect(screen.getByText('Password, or SSO')).toBeTruthy();
    expect(screen.getByRole('form', { name: 'Change password' }).textContent).toContain("that password is your identity provider's");
  });

  it('the server refusing an SSO-only change (403) is shown as it says', async () => {
    const ui = userEvent.setup();
    renderApp('/account', {
      'POST /api/auth/password': problem(403, 'forbidden', 'You sign in with SSO and have no password here: your identity provider keeps it, change it there.'),
    });
    await screen.findByRole('heading', { name: 'Your account' });
    await change(ui, CURRENT, NEXT);
    expect((await screen.findByText(/your identity provider keeps it/)).closest('[role="alert"]')!.textContent).toContain('Not changed.');
  });
});
