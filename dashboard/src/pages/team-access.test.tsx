import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { ROLES, can, whyNot } from '../app/access.js';
import { json, problem } from '../test/fake-server.js';
import { CSRF_TOKEN, apiKey, experiment, running, user as userFixture } from '../test/fixtures.js';
import { renderApp } from '../test/render.js';

describe('the role rule (app/access.ts)', () => {
  it('mirrors the server: viewer ⊂ editor ⊂ admin; editors edit but manage no users, keys, webhooks or erasure', () => {
    const table = Object.fromEntries(ROLES.map((role) => [role, (['edit', 'manage-users', 'manage-keys', 'manage-webhooks', 'erase'] as const).filter((a) => can(role, a))]));
    expect(table).toEqual({
      viewer: [],
      editor: ['edit'],
      admin: ['edit', 'manage-users', 'manage-keys', 'manage-webhooks', 'erase'],
    });
    expect(whyNot('viewer', 'edit')).toBe('Only editors and admins can change touchpoints, metrics and experiments; you are signed in as a viewer.');
    expect(whyNot('editor', 'manage-keys')).toBe('Only admins can manage API keys; you are signed in as an editor.');
    expect(whyNot('admin', 'erase')).toBeNull();
  });
});

const experimentRoutes = (e = running()) => ({
  [`GET /api/experiments/${e.key}`]: json(e),
  [`GET /api/experiments/${e.key}/audit`]: json({ items: [] }),
  [`GET /api/experiments/${e.key}/results`]: problem(503, 'service-unavailable', 'Not now.'),
  [`GET /api/experiments/${e.key}/segments`]: json({ attributes: [] }),
  'GET /api/keys': json({ items: [] }),
});

describe('controls by role', () => {
  it('a viewer reads an experiment without any control to change it, and is told why', async () => {
    const { server } = renderApp('/experiments/checkout-cta-copy', experimentRoutes(), { role: 'viewer' });
    await screen.findByRole('heading', { name: 'Checkout CTA copy', level: 1 });
    expect(screen.getByTestId('read-only-note').textContent).toContain('Only editors and admins can change');
    for (const name of ['Pause', 'Stop', 'Edit', 'Archive', 'Recompute now']) expect(screen.queryByRole('button', { name }) ?? screen.queryByRole('link', { name }), name).toBeNull();
    const nav = screen.getByRole('navigation', { name: 'Main' });
    expect(within(nav).getAllByRole('link').map((a) => a.textContent)).toEqual(['Funnel', 'Experiments', 'Metrics', 'Sample size']);
    expect(screen.getByTestId('signed-in-as').textContent).toContain('Viewer');
    // Nothing asked that the role would be refused (GET /api/keys is admin only).
    await waitFor(() => expect(server.callsTo('GET /api/experiments/checkout-cta-copy/audit')).toHaveLength(1));
    expect(server.callsTo('GET /api/keys')).toHaveLength(0);
  });

  it('an editor gets the lifecycle controls, but no admin pages', async () => {
    renderApp('/experiments/checkout-cta-copy', experimentRoutes(), { role: 'editor' });
    expect(await screen.findByRole('button', { name: 'Pause' })).toBeTruthy();
    expect(screen.queryByTestId('read-only-note')).toBeNull();
    const nav = screen.getByRole('navigation', { name: 'Main' });
    expect(within(nav).queryByRole('link', { name: 'Users' })).toBeNull();
    expect(within(nav).queryByRole('link', { name: 'Webhooks' })).toBeNull();
  });

  it('a 403 (the role was lowered meanwhile) asks who we are again, and the controls follow the new role', async () => {
    const ui = userEvent.setup();
    const { server } = renderApp(
      '/experiments/checkout-cta-copy',
      {
        ...experimentRoutes(),
        'POST /api/experiments/checkout-cta-copy/pause': problem(403, 'forbidden', 'This needs the editor role.'),
        'GET /api/auth/me': json({ role: 'viewer', user: userFixture({ role: 'viewer' }), csrfToken: CSRF_TOKEN }),
      },
      { role: 'editor' },
    );
    await ui.click(await screen.findByRole('button', { name: 'Pause' }));
    await ui.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Pause' }));
    expect(await screen.findByTestId('read-only-note')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Pause' })).toBeNull();
    expect(screen.getByTestId('signed-in-as').textContent).toContain('Viewer');
    expect(server.callsTo('GET /api/auth/me')).toHaveLength(1);
  });

  it('a viewer has no "New experiment" in the list', async () => {
    renderApp('/experiments', { 'GET /api/experiments': json({ items: [experiment()] }), 'GET /api/results/summary': json({ items: [] }) }, { role: 'viewer' });
    await screen.findByRole('heading', { name: 'Experiments' });
    expect(screen.queryByRole('link', { name: 'New experiment' })).toBeNull();
  });

  it.each([
    ['/new-experiment', 'viewer', 'Only editors and admins can change touchpoints, metrics and experiments; you are signed in as a viewer.'],
    ['/users', 'editor', 'Only admins can manage users; you are signed in as an editor.'],
    ['/keys', 'editor', 'Only admins can manage API keys; you are signed in as an editor.'],
    ['/webhooks', 'viewer', 'Only admins can manage webhooks; you are signed in as a viewer.'],
  ] as const)('%s as %s explains', async (path, role, reason) => {
    const { server } = renderApp(path, {}, { role });
    expect(await screen.findByText(reason)).toBeTruthy();
    expect(server.calls.filter((c) => c.path !== '/api/auth/config')).toEqual([]);
  });
});

describe('Users page', () => {
  const people = () => [
    userFixture(),
    userFixture({ id: 'usr_00000000000000e1', email: 'eddie@example.com', name: 'Eddie Editor', role: 'editor' }),
  ];

  it('invites with a role and shows the link once; changes a role; disables and enables', async () => {
    const ui = userEvent.setup();
    let list = people();
    const { server } = renderApp('/users', {
      'GET /api/users': () => json({ items: list }),
      'POST /api/users': (call) => {
        const body = call.body as { email: string; name: string; role: 'viewer' | 'editor' | 'admin' };
        const invited = userFixture({ id: 'usr_00000000000000f1', ...body, status: 'invited', lastSignInAt: null });
        list = [...list, invited];
        return { status: 201, body: { user: invited, inviteUrl: 'http://dashboard.test/accept-invite#token=secret-invite-token' } };
      },
      'PATCH /api/users/usr_00000000000000e1': (call) => {
        const patch = call.body as { role?: 'viewer'; disabled?: boolean };
        const eddie = list[1]!;
        list[1] = { ...eddie, ...(patch.role && { role: patch.role }), ...(patch.disabled !== undefined && { status: patch.disabled ? 'disabled' : 'active' }) };
        return json(list[1]);
      },
    });
    expect(await screen.findByText('Eddie Editor')).toBeTruthy();

    await ui.click(screen.getByRole('button', { name: 'Invite' }));
    expect(screen.getAllByText('Required.')).toHaveLength(2);
    expect(server.callsTo('POST /api/users')).toHaveLength(0);
    await ui.type(screen.getByLabelText('Email'), 'vera@example.com');
    await ui.type(screen.getByLabelText('Name'), 'Vera Viewer');
    await ui.click(screen.getByLabelText(/^Editor/));
    await ui.click(screen.getByRole('button', { name: 'Invite' }));
    expect((await screen.findByLabelText('Invitation link')).textContent).toBe('http://dashboard.test/accept-invite#token=secret-invite-token');
    const post = server.callsTo('POST /api/users')[0]!;
    expect(post.body).toEqual({ email: 'vera@example.com', name: 'Vera Viewer', role: 'editor' });
    expect(post.headers.get('X-CSRF-Token')).toBe(CSRF_TOKEN);
    expect(within(await screen.findByTestId('user-vera@example.com')).getByText('Invited')).toBeTruthy();
    await ui.click(screen.getByRole('button', { name: 'Done' }));
    expect(screen.queryByLabelText('Invitation link')).toBeNull();
    expect(document.body.textContent).not.toContain('secret-invite-token');

    await ui.selectOptions(screen.getByLabelText('Role of Eddie Editor'), 'viewer');
    await waitFor(() => expect((screen.getByLabelText('Role of Eddie Editor') as HTMLSelectElement).value).toBe('viewer'));
    expect(server.callsTo('PATCH /api/users/usr_00000000000000e1')[0]?.body).toEqual({ role: 'viewer' });

    await ui.click(screen.getByRole('button', { name: 'Disable Eddie Editor' }));
    await ui.click(await screen.findByRole('button', { name: 'Enable Eddie Editor' }));
    await screen.findByRole('button', { name: 'Disable Eddie Editor' });
    expect(server.callsTo('PATCH /api/users/usr_00000000000000e1').map((c) => c.body)).toEqual([{ role: 'viewer' }, { disabled: true }, { disabled: false }]);
  });

  it('says why the last admin cannot be demoted (409)', async () => {
    const ui = userEvent.setup();
    renderApp('/users', {
      'GET /api/users': json({ items: people() }),
      'PATCH /api/users/usr_0123456789abcdef': problem(409, 'in-use', 'This is the last enabled admin; make someone else admin first.'),
    });
    await ui.selectOptions(await screen.findByLabelText('Role of Ada Admin'), 'viewer');
    expect(await screen.findByText(/last enabled admin/)).toBeTruthy();
    expect((screen.getByLabelText('Role of Ada Admin') as HTMLSelectElement).value).toBe('admin');
  });
});

describe('API keys page: admin keys carry a role', () => {
  it('creates a read-only (viewer) admin key and lists its role', async () => {
    const ui = userEvent.setup();
    let keys = [apiKey()];
    const { server } = renderApp('/keys', {
      'GET /api/keys': () => json({ items: keys }),
      'POST /api/keys': (call) => {
        const created = { ...apiKey({ id: 'key_RRRRRRRRRRRRRRRR', name: 'Reporting', prefix: 'tp_admin_Rr…' }), ...(call.body as object) };
        keys = [...keys, created];
        return json({ ...created, secret: 'tp_admin_RrSecret' }, 201);
      },
    });
    await ui.click(await screen.findByLabelText('Admin key (secret)'));
    await ui.type(screen.getByLabelText('Name'), 'Reporting');
    await ui.selectOptions(screen.getByLabelText('Role'), 'viewer');
    await ui.click(screen.getByRole('button', { name: 'Create admin key' }));
    await screen.findByText('tp_admin_RrSecret');
    expect(server.callsTo('POST /api/keys')[0]?.body).toEqual({ kind: 'admin', name: 'Reporting', allowedOrigins: [], role: 'viewer' });
    expect((await screen.findByText(/Viewer role/)).closest('tr')?.textContent).toContain('Reporting');
  });
});
