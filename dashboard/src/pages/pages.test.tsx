import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { json, pending, problem } from '../test/fake-server.js';
import { CSRF_TOKEN, apiKey, user as userFixture, experiment, running, touchpoint } from '../test/fixtures.js';
import { renderApp } from '../test/render.js';
import { resultsFixture } from '../test/results-fixture.js';

describe('sign in', () => {
  it('signs in with email and password, sends the CSRF token on writes, and signs out', async () => {
    const user = userEvent.setup();
    let signedIn = false;
    const { server } = renderApp(
      '/experiments?status=running',
      {
        'GET /api/auth/me': () => (signedIn ? json({ role: 'editor', user: userFixture({ role: 'editor', name: 'Grace Editor' }), csrfToken: CSRF_TOKEN }) : problem(401, 'unauthorized', 'Sign in.')),
        'POST /api/auth/login': (call) => {
          const body = call.body as { email: string; password: string };
          if (body.password !== 'correct horse battery') return problem(401, 'unauthorized', 'Wrong email or password.');
          signedIn = true;
          return json({ user: userFixture({ role: 'editor', name: 'Grace Editor' }), csrfToken: CSRF_TOKEN });
        },
        'POST /api/auth/logout': () => ((signedIn = false), { status: 204 }),
        'GET /api/experiments': json({ items: [] }),
      },
      { signedIn: false },
    );
    // Signed out: the sign-in page, remembering where we were going.
    await screen.findByLabelText('Email');
    expect(window.location.pathname).toBe('/sign-in');
    expect(new URLSearchParams(window.location.search).get('next')).toBe('/experiments?status=running');
    expect(screen.queryByRole('link', { name: 'Sign in with SSO' })).toBeNull();

    await user.type(screen.getByLabelText('Email'), 'grace@example.com');
    await user.type(screen.getByLabelText('Password'), 'wrong password!');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByText('Wrong email or password (or the account is disabled).')).toBeTruthy();

    await user.clear(screen.getByLabelText('Password'));
    await user.type(screen.getByLabelText('Password'), 'correct horse battery');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    await screen.findByRole('heading', { name: 'Experiments' });
    expect(window.location.pathname + window.location.search).toBe('/experiments?status=running');
    // Nothing of the session in script-readable storage: the cookie is HttpOnly.
    expect(sessionStorage.length + localStorage.length).toBe(0);
    expect(server.callsTo('POST /api/auth/login')[1]?.body).toEqual({ email: 'grace@example.com', password: 'correct horse battery' });
    // Who is signed in, and an editor has no admin pages in the navigation.
    expect(screen.getByTestId('signed-in-as').textContent).toContain('Grace Editor');
    expect(screen.getByTestId('signed-in-as').textContent).toContain('Editor');
    const nav = screen.getByRole('navigation', { name: 'Main' });
    expect(within(nav).queryByRole('link', { name: 'Users' })).toBeNull();
    expect(within(nav).queryByRole('link', { name: 'API keys' })).toBeNull();

    await user.click(screen.getByRole('button', { name: 'Sign out' }));
    await screen.findByText('You are signed out.');
    expect(server.callsTo('POST /api/auth/logout')[0]?.headers.get('X-CSRF-Token')).toBe(CSRF_TOKEN);
    expect(window.location.pathname).toBe('/sign-in');
  });

  it('offers SSO when the server has it, and shows why an SSO sign-in failed', async () => {
    renderApp('/sign-in?sso_error=The%20identity%20provider%20refused.', { 'GET /api/auth/config': json({ sso: true, setupRequired: false }) }, { signedIn: false });
    const sso = await screen.findByRole('link', { name: 'Sign in with SSO' });
    expect(sso.getAttribute('href')).toBe('/api/auth/oidc/start');
    expect(screen.getByText(/SSO sign-in failed: The identity provider refused\./)).toBeTruthy();
  });

  it('sends you to sign in when the session ends (401), and back afterwards', async () => {
    let ended = true;
    const user = userEvent.setup();
    renderApp('/experiments', {
      'GET /api/experiments': () => (ended ? problem(401, 'unauthorized', 'Session expired.') : json({ items: [] })),
      'POST /api/auth/login': () => ((ended = false), json({ user: userFixture(), csrfToken: CSRF_TOKEN })),
    });
    expect(await screen.findByText(/Your session has ended/)).toBeTruthy();
    // The address follows in an effect after the signed-out render: wait for it rather than race it.
    await waitFor(() => expect(window.location.pathname + window.location.search).toBe('/sign-in?next=%2Fexperiments'));
    await user.type(screen.getByLabelText('Email'), 'ada@example.com');
    await user.type(screen.getByLabelText('Password'), 'correct horse battery');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    await screen.findByRole('heading', { name: 'Experiments' });
    expect(window.location.pathname).toBe('/experiments');
  });

  it('creates the first admin with the setup link (token from the fragment)', async () => {
    const user = userEvent.setup();
    const { server } = renderApp(
      '/setup#token=setup-secret-abc',
      {
        'POST /api/auth/setup': (call) => ({ status: 201, body: { user: userFixture({ name: (call.body as { name: string }).name }), csrfToken: CSRF_TOKEN } }),
        'GET /api/touchpoints': json({ items: [] }),
        'GET /api/experiments': json({ items: [] }),
      },
      { signedIn: false },
    );
    await user.type(await screen.findByLabelText('Your name'), 'Ada Admin');
    await user.type(screen.getByLabelText('Email'), 'ada@example.com');
    await user.type(screen.getByLabelText('Password'), 'short');
    await user.click(screen.getByRole('button', { name: 'Create admin and sign in' }));
    expect(await screen.findByText('At least 12 characters.', { selector: '.field-error p' })).toBeTruthy();
    expect(server.callsTo('POST /api/auth/setup')).toHaveLength(0);
    await user.type(screen.getByLabelText('Password'), ' and longer');
    await user.click(screen.getByRole('button', { name: 'Create admin and sign in' }));
    await screen.findByRole('heading', { name: 'Funnel overview' });
    expect(server.callsTo('POST /api/auth/setup')[0]?.body).toEqual({ token: 'setup-secret-abc', name: 'Ada Admin', email: 'ada@example.com', password: 'short and longer' });
    expect(screen.getByTestId('signed-in-as').textContent).toContain('Ada Admin');
  });

  it('accepts an invitation; a used link says so', async () => {
    const user = userEvent.setup();
    renderApp('/accept-invite#token=invite-secret', { 'POST /api/auth/accept-invite': problem(410, 'invalid-link', 'This invitation link is unknown, already used or expired; ask an admin to invite you again.') }, { signedIn: false });
    await user.type(await screen.findByLabelText('Choose a password'), 'a long enough password');
    await user.click(screen.getByRole('button', { name: 'Accept invitation' }));
    expect(await screen.findByText(/already used or expired/)).toBeTruthy();
  });
});

describe('funnel overview', () => {
  it('shows loading, then an empty state with a way forward', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    renderApp('/', {
      'GET /api/touchpoints': async () => {
        await gate;
        return json({ items: [] });
      },
      'GET /api/experiments': json({ items: [] }),
    });
    expect(screen.getByRole('status').textContent).toContain('Loading the funnel');
    release();
    expect(await screen.findByText(/No touchpoints yet/)).toBeTruthy();
  });

  it('shows an error with the request id and retries', async () => {
    const user = userEvent.setup();
    let fail = true;
    renderApp('/', {
      'GET /api/touchpoints': () => (fail ? problem(503, 'service-unavailable', 'The database is unreachable.') : json({ items: [touchpoint()] })),
      'GET /api/experiments': json({ items: [] }),
    });
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('The database is unreachable.');
    expect(alert.textContent).toContain('req-1');
    fail = false;
    await user.click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText('Checkout button')).toBeTruthy();
  });

  it('groups touchpoints by stage in funnel order and marks untested stages and touchpoints', async () => {
    renderApp('/', {
      'GET /api/touchpoints': json({ items: [touchpoint(), touchpoint({ key: 'hero', name: 'Landing hero', kind: 'landing_page', funnelStage: 'awareness' })] }),
      'GET /api/experiments': (call) => (call.query.get('status') === 'running' ? json({ items: [running()] }) : json({ items: [] })),
      'GET /api/experiments/checkout-cta-copy/results': json(resultsFixture()),
    });
    await screen.findByText('Checkout CTA copy');
    const stages = screen.getAllByRole('heading', { level: 2 }).map((h) => h.textContent?.replace(/^\d/, ''));
    expect(stages).toEqual(['Awareness', 'Consideration', 'Decision', 'Purchase', 'Retention']);
    const purchase = screen.getByRole('heading', { name: /Purchase/ }).closest('li') as HTMLElement;
    expect(within(purchase).getByText('Testing')).toBeTruthy();
    await waitFor(() => expect(purchase.querySelector('[data-slot="headline-lift"]')?.textContent).toContain('lift: +16.7% [+0.9%, +32.4%] Significant'));
    const awareness = screen.getByRole('heading', { name: /Awareness/ }).closest('li') as HTMLElement;
    expect(within(awareness).getByText('Not tested')).toBeTruthy();
    expect(within(awareness).getByText(/Not tested — no running experiment/)).toBeTruthy();
    expect(screen.getByText(/1 of 5 funnel stages tested/)).toBeTruthy();
  });
});

describe('experiments list', () => {
  it('filters by status, touchpoint and search through the API, with exposed units and the primary lift of running experiments', async () => {
    const user = userEvent.setup();
    const { server } = renderApp('/experiments', {
      'GET /api/touchpoints': json({ items: [touchpoint()] }),
      'GET /api/experiments': json({ items: [running(), experiment({ key: 'draft-one', name: 'A draft' })] }),
      'GET /api/experiments/checkout-cta-copy/results': json(resultsFixture()),
    });
    const row = await screen.findByRole('row', { name: /Checkout CTA copy/ });
    expect(within(row).getByText('Running')).toBeTruthy();
    expect(within(row).getByText('3 days')).toBeTruthy();
    await waitFor(() => expect(row.querySelector('[data-slot="exposed-units"]')?.textContent).toBe('30,000'));
    expect(row.querySelector('[data-slot="primary-lift"]')?.textContent).toContain('+16.7%');
    expect(within(row).getByText('Significant')).toBeTruthy();
    const draft = screen.getByRole('row', { name: /A draft/ });
    expect(draft.querySelector('[data-slot="primary-lift"]')?.textContent).toBe('—');
    expect(server.callsTo('GET /api/experiments/draft-one/results')).toHaveLength(0); // only running experiments are fetched

    await user.selectOptions(screen.getByLabelText('Status'), 'running');
    await user.selectOptions(screen.getByLabelText('Touchpoint'), 'checkout-cta');
    await user.type(screen.getByLabelText('Search'), 'cta');
    await waitFor(() => {
      const last = server.callsTo('GET /api/experiments').at(-1);
      expect(Object.fromEntries(last!.query)).toMatchObject({ status: 'running', touchpointKey: 'checkout-cta', q: 'cta' });
    });
    expect(window.location.search).toContain('status=running');
  });

  it('takes the headlines from one summary request; only an experiment without a snapshot asks for its own results', async () => {
    const full = resultsFixture();
    const primary = full.metrics.find((m) => m.role === 'primary')!;
    const stored = { computedAt: full.computedAt, ageSeconds: 12, exposures: { units: 30_000, analysedUnits: 30_000 }, srm: { mismatch: true }, decision: { status: 'collecting' as const, recommendedVariant: null }, metrics: [primary] };
    const { server } = renderApp('/experiments', {
      'GET /api/touchpoints': json({ items: [touchpoint()] }),
      'GET /api/experiments': json({ items: [running(), running({ key: 'fresh-one', name: 'Fresh one' })] }),
      'GET /api/results/summary': json({ items: [{ key: 'checkout-cta-copy', results: stored }, { key: 'fresh-one', results: null }] }),
      'GET /api/experiments/fresh-one/results': json(resultsFixture((r) => (r.exposures = { ...r.exposures, units: 12 }))),
    });
    const row = await screen.findByRole('row', { name: /Checkout CTA copy/ });
    await waitFor(() => expect(row.querySelector('[data-slot="exposed-units"]')?.textContent).toBe('30,000'));
    expect(row.querySelector('[data-slot="primary-lift"]')?.textContent).toContain('+16.7%');
    expect(within(row).getByText('SRM')).toBeTruthy();
    // The decision's status; while collecting no significance badge, even for a comparison that says so.
    expect(within(row).getByText('Collecting data')).toBeTruthy();
    expect(within(row).queryByText('Significant')).toBeNull();
    const fresh = screen.getByRole('row', { name: /Fresh one/ });
    await waitFor(() => expect(fresh.querySelector('[data-slot="exposed-units"]')?.textContent).toBe('12'));
    expect(server.callsTo('GET /api/results/summary')).toHaveLength(1);
    expect(server.callsTo('GET /api/experiments/checkout-cta-copy/results')).toHaveLength(0);
    expect(server.callsTo('GET /api/experiments/fresh-one/results')).toHaveLength(1);
  });

  it('says when nothing matches, and when there is nothing yet', async () => {
    renderApp('/experiments?status=stopped', { 'GET /api/touchpoints': json({ items: [] }), 'GET /api/experiments': json({ items: [] }) });
    expect(await screen.findByText('No experiment matches these filters.')).toBeTruthy();
  });

  it('shows an error state', async () => {
    renderApp('/experiments', { 'GET /api/touchpoints': json({ items: [] }), 'GET /api/experiments': problem(500, 'internal-error', 'Internal error; quote request id req-1.') });
    expect((await screen.findByRole('alert')).textContent).toContain('Could not load experiments');
  });
});

describe('experiment page', () => {
  const base = (e = experiment()) => ({
    [`GET /api/experiments/${e.key}`]: json(e),
    [`GET /api/experiments/${e.key}/audit`]: json({ items: [] }),
    'GET /api/keys': json({ items: [apiKey()] }),
  });

  it('an experiment whose key is "new" has its own page (creation lives at /new-experiment)', async () => {
    renderApp('/experiments/new', base(experiment({ key: 'new', name: 'The new checkout' })));
    expect(await screen.findByRole('heading', { name: 'The new checkout', level: 1 })).toBeTruthy();
  });

  it('404: says there is no such experiment', async () => {
    renderApp('/experiments/nope', {});
    expect((await screen.findByRole('alert')).textContent).toContain('No such experiment');
  });

  it('results area: "no results yet" for a draft (nothing fetched), loading, then error states', async () => {
    const { server, unmount } = renderApp('/experiments/checkout-cta-copy', base());
    const area = await screen.findByTestId('results-area');
    expect(area.textContent).toContain('No results yet');
    expect(server.callsTo('GET /api/experiments/checkout-cta-copy/results')).toHaveLength(0);
    unmount();

    const loading = renderApp('/experiments/checkout-cta-copy', { ...base(running()), 'GET /api/experiments/checkout-cta-copy/results': pending });
    expect((await screen.findByTestId('results-area')).textContent).toContain('Loading results');
    loading.unmount();

    renderApp('/experiments/checkout-cta-copy', { ...base(running()), 'GET /api/experiments/checkout-cta-copy/results': problem(503, 'service-unavailable', 'The database is unreachable.') });
    await waitFor(() => expect(screen.getByTestId('results-area').textContent).toContain('Results are unavailable'));
  });

  it('shows the integration snippet with the experiment key and a placeholder SDK key', async () => {
    renderApp('/experiments/checkout-cta-copy', base());
    const code = (await screen.findByLabelText('SDK integration code')).textContent ?? '';
    expect(code).toContain("getVariant('checkout-cta-copy')");
    expect(code).toContain("sdkKey: 'tp_sdk_…'");
    expect(code).toContain(`apiUrl: '${window.location.origin}'`);
    expect(screen.getByRole('link', { name: 'create an SDK key' }).getAttribute('href')).toBe('/keys');
    const server = screen.getByLabelText('Server-side assignment code').textContent ?? '';
    expect(server).toContain(`fetch('${window.location.origin}/sdk/assign'`);
    expect(server).toContain('experiments: ["checkout-cta-copy"], logExposures: true');
  });

  it('shows the script tag with the anti-flicker style for the tested selectors and the SDK keys\' hint, and mints preview links per variant', async () => {
    const user = userEvent.setup();
    const e = experiment({
      variants: [
        { key: 'control', name: 'Buy now', weight: 0.5, changes: [], redirect: null },
        { key: 'urgent', name: 'Ships today', weight: 0.5, changes: [{ selector: '#buy', action: 'text', value: 'Ships today' }, { selector: '.hero h1', action: 'hide' }], redirect: null },
      ],
    });
    const { server } = renderApp('/experiments/checkout-cta-copy', {
      ...base(e),
      'GET /api/keys': json({ items: [apiKey(), apiKey({ id: 'key_S', kind: 'sdk', name: 'Shop', prefix: 'tp_sdk_HBMi…' })] }),
      'POST /api/experiments/checkout-cta-copy/preview-links': json({ experimentKey: e.key, variantKey: 'urgent', token: 'tok.sig', expiresAt: '2026-12-10T10:00:00.000Z', url: 'https://shop.example/p?tp_preview=tok.sig' }, 201),
    });
    const code = (await screen.findByLabelText('Script tag to paste')).textContent ?? '';
    expect(code).toContain('<style id="tp-antiflicker">#buy,.hero h1{visibility:hidden!important}</style>');
    expect(code).toContain(`<script src="${window.location.origin}/sdk/touchpoint.js" data-sdk-key="tp_sdk_…"></script>`);
    expect(await screen.findByText(/tp_sdk_HBMi… \(Shop\)/)).toBeTruthy();
    expect(screen.getAllByText('#buy · text = Ships today')).toHaveLength(1);

    await user.type(screen.getByLabelText('Shop page to open'), 'https://shop.example/p');
    await user.click(screen.getByRole('button', { name: 'Preview link for Ships today' }));
    expect((await screen.findByRole('link', { name: 'open' })).getAttribute('href')).toBe('https://shop.example/p?tp_preview=tok.sig');
    expect(server.callsTo('POST /api/experiments/checkout-cta-copy/preview-links')[0]?.body).toEqual({ variantKey: 'urgent', url: 'https://shop.example/p' });
  });

  it('starts after confirmation, with If-Match; a refusal is shown in the dialog', async () => {
    const user = userEvent.setup();
    let refuse = true;
    const { server } = renderApp('/experiments/checkout-cta-copy', {
      ...base(),
      'POST /api/experiments/checkout-cta-copy/start': () => (refuse ? problem(409, 'invalid-transition', 'Set a primary metric before starting.') : json(running())),
    });
    await user.click(await screen.findByRole('button', { name: 'Start' }));
    const dialog = screen.getByRole('dialog', { name: 'Start the experiment?' });
    await user.click(within(dialog).getByRole('button', { name: 'Start' }));
    expect(await within(dialog).findByText(/Set a primary metric before starting/)).toBeTruthy();
    refuse = false;
    await user.click(within(dialog).getByRole('button', { name: 'Start' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(screen.getAllByText('Running').length).toBeGreaterThan(0);
    expect(server.callsTo('POST /api/experiments/checkout-cta-copy/start')[0]?.headers.get('If-Match')).toBe('"1"');
  });

  it('stop: asks for the variant to keep or "none" and a note; focus is trapped in the dialog, Escape cancels and focus returns', async () => {
    const user = userEvent.setup();
    const { server } = renderApp('/experiments/checkout-cta-copy', {
      ...base(running()),
      'GET /api/experiments/checkout-cta-copy/results': pending,
      'POST /api/experiments/checkout-cta-copy/stop': (call) =>
        json(running({ status: 'stopped', stoppedAt: new Date().toISOString(), decision: call.body as { winner: string; note: string }, version: 3 })),
    });
    const stop = await screen.findByRole('button', { name: 'Stop…' });
    await user.click(stop);
    let dialog = screen.getByRole('dialog', { name: 'Stop the experiment' });
    expect(dialog.contains(document.activeElement)).toBe(true);
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(stop);

    await user.click(stop);
    dialog = screen.getByRole('dialog', { name: 'Stop the experiment' });
    for (let i = 0; i < 8; i++) await user.tab();
    expect(dialog.contains(document.activeElement)).toBe(true);
    await user.click(within(dialog).getByRole('button', { name: 'Stop experiment' }));
    // The results have not loaded (no decision yet): nothing is called the winner.
    expect(within(dialog).getByText(/Choose the variant to keep, or "None of them"/)).toBeTruthy();
    expect(server.callsTo('POST /api/experiments/checkout-cta-copy/stop')).toHaveLength(0);

    await user.click(within(dialog).getByLabelText(/Ships today/));
    await user.type(within(dialog).getByLabelText('Note'), 'Ship it.');
    await user.click(within(dialog).getByRole('button', { name: 'Stop experiment' }));
    expect(await screen.findByText(/Ships today \(urgent\) chosen at stop\./)).toBeTruthy();
    expect(server.callsTo('POST /api/experiments/checkout-cta-copy/stop')[0]?.body).toEqual({ winner: 'urgent', note: 'Ship it.' });
  });

  it('audit history: who, when and a readable diff of the changed fields', async () => {
    renderApp('/experiments/checkout-cta-copy', {
      ...base(),
      'GET /api/experiments/checkout-cta-copy/audit': json({
        items: [
          {
            id: 2,
            at: '2026-11-02T10:00:00.000Z',
            keyId: null,
            actor: { type: 'user', id: 'usr_0123456789abcdef', name: 'Grace Editor' },
            requestId: 'r2',
            entityType: 'experiment',
            entityKey: 'checkout-cta-copy',
            action: 'update',
            before: { name: 'Old', version: 1, variants: [{ key: 'control', weight: 0.5 }, { key: 'urgent', weight: 0.5 }] },
            after: { name: 'Checkout CTA copy', version: 2, variants: [{ key: 'control', weight: 0.6 }, { key: 'urgent', weight: 0.4 }] },
          },
          { id: 1, at: '2026-11-01T10:00:00.000Z', keyId: 'key_AAAAAAAAAAAAAAAA', actor: { type: 'key', id: 'key_AAAAAAAAAAAAAAAA', name: 'Deploy bot' }, requestId: 'r1', entityType: 'experiment', entityKey: 'checkout-cta-copy', action: 'create', before: null, after: { name: 'Old' } },
        ],
      }),
    });
    const history = (await screen.findByRole('heading', { name: 'History' })).closest('section') as HTMLElement;
    await within(history).findByText('Edited');
    // The audit names people (and keys, as keys).
    expect(history.textContent).toContain('Edited by Grace Editor');
    expect(history.textContent).toContain('Created by Deploy bot (API key)');
    const rows = within(history).getAllByRole('row').map((r) => Array.from(r.children).map((c) => c.textContent));
    expect(rows).toEqual([
      ['Field', 'Before', 'After'],
      ['Name', 'Old', 'Checkout CTA copy'],
      ['Variant 1 weight', '0.5', '0.6'],
      ['Variant 2 weight', '0.5', '0.4'],
    ]);
  });
});

describe('API keys page', () => {
  it('creates an SDK key with allowed origins and reveals the secret once', async () => {
    const user = userEvent.setup();
    const { server } = renderApp('/keys', {
      'GET /api/keys': json({ items: [apiKey()] }),
      'POST /api/keys': (call) => json({ ...apiKey({ id: 'key_BBBBBBBBBBBBBBBB', kind: 'sdk', name: 'Shop', prefix: 'tp_sdk_Zz…' }), ...(call.body as object), secret: 'tp_sdk_ZzSecretValue' }, 201),
    });
    await screen.findByText('Bootstrap admin key');
    await user.type(screen.getByLabelText('Name'), 'Shop');
    await user.type(screen.getByLabelText('Allowed origins'), 'https://shop.example.com\nhttps://www.shop.example.com');
    await user.click(screen.getByRole('button', { name: 'Create SDK key' }));
    expect(await screen.findByText('tp_sdk_ZzSecretValue')).toBeTruthy();
    expect(screen.getByText('This is the only time it is shown.')).toBeTruthy();
    expect(server.callsTo('POST /api/keys')[0]?.body).toEqual({ kind: 'sdk', name: 'Shop', allowedOrigins: ['https://shop.example.com', 'https://www.shop.example.com'] });
    await user.click(screen.getByRole('button', { name: 'I have saved it' }));
    expect(screen.queryByText('tp_sdk_ZzSecretValue')).toBeNull();
  });

  it('says what the server does with an empty origin list: any origin may use the SDK key (issue 13 #11)', async () => {
    renderApp('/keys', { 'GET /api/keys': json({ items: [apiKey(), apiKey({ id: 'key_CCCCCCCCCCCCCCCC', kind: 'sdk', name: 'Open SDK key', prefix: 'tp_sdk_Op…', allowedOrigins: [] })] }) });
    const row = (await screen.findByText('Open SDK key')).closest('tr')!;
    expect(within(row).getByText('any origin')).toBeTruthy();
    const hint = screen.getByText(/one per line/);
    expect(hint.textContent).toMatch(/Empty: any origin may use it/);
    expect(hint.textContent).not.toMatch(/no browser origin/);
  });

  it('shows the server message next to an invalid origin', async () => {
    const user = userEvent.setup();
    renderApp('/keys', {
      'GET /api/keys': json({ items: [] }),
      'POST /api/keys': problem(422, 'validation-failed', 'allowedOrigins.0: must be an origin', [{ field: 'allowedOrigins.0', detail: 'must be an origin such as "https://shop.example.com"' }]),
    });
    await screen.findByText('No keys.');
    await user.type(screen.getByLabelText('Name'), 'Shop');
    await user.type(screen.getByLabelText('Allowed origins'), 'shop.example.com/');
    await user.click(screen.getByRole('button', { name: 'Create SDK key' }));
    expect((await screen.findByText(/must be an origin such as/)).closest('.field')?.querySelector('textarea')).toBeTruthy();
  });

  it('revoking the last admin key: confirmation, then the 409 explained', async () => {
    const user = userEvent.setup();
    renderApp('/keys', {
      'GET /api/keys': json({ items: [apiKey()] }),
      'DELETE /api/keys/key_AAAAAAAAAAAAAAAA': problem(409, 'in-use', 'This is the last active admin key; create another before revoking it.'),
    });
    await user.click(await screen.findByRole('button', { name: 'Revoke Bootstrap admin key' }));
    const dialog = screen.getByRole('dialog', { name: 'Revoke "Bootstrap admin key"?' });
    await user.click(within(dialog).getByRole('button', { name: 'Revoke key' }));
    expect(await within(dialog).findByText('This is the last active admin key.')).toBeTruthy();
    expect((within(dialog).getByRole('button', { name: 'Revoke key' }) as HTMLButtonElement).disabled).toBe(true);
  });
});

describe('sample-size calculator', () => {
  it('sends every parameter and shows size and duration', async () => {
    const user = userEvent.setup();
    const { server } = renderApp('/sample-size', {
      'GET /api/stats/sample-size': (call) =>
        json({ perVariant: 53_210, total: 159_630, variantRate: 0.033, deltaAbsolute: 0.003, alphaPerComparison: 0.025, durationDays: Number(call.query.get('dailyUnits')) ? 32 : null }),
    });
    const variants = screen.getByLabelText('Variants (control included)');
    await user.clear(variants);
    await user.type(variants, '3');
    await waitFor(() => {
      const last = server.callsTo('GET /api/stats/sample-size').at(-1);
      expect(Object.fromEntries(last!.query)).toEqual({ baseline: '0.03', mde: '0.1', mdeType: 'relative', alpha: '0.05', power: '0.8', variants: '3', dailyUnits: '5000' });
    });
    expect(await screen.findByText('53,210 units')).toBeTruthy();
    expect(screen.getByText('about 32 days')).toBeTruthy();
    expect(screen.getByText(/Bonferroni over 2 comparisons/)).toBeTruthy();
  });

  it('checks inputs before asking the server', async () => {
    const user = userEvent.setup();
    renderApp('/sample-size', { 'GET /api/stats/sample-size': json({ perVariant: 1, total: 2, variantRate: 0.1, deltaAbsolute: 0.1 }) });
    const baseline = screen.getByLabelText('Baseline conversion rate (%)');
    await user.clear(baseline);
    await user.type(baseline, '120');
    expect(screen.getByText('Between 0 and 100 %, exclusive.')).toBeTruthy();
    expect(screen.getByText('Fix the inputs above to see the sample size.')).toBeTruthy();
  });
});
