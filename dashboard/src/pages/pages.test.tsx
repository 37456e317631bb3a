import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { json, pending, problem } from '../test/fake-server.js';
import { ADMIN_KEY, apiKey, experiment, running, touchpoint } from '../test/fixtures.js';
import { renderApp } from '../test/render.js';
import { resultsFixture } from '../test/results-fixture.js';

describe('sign in', () => {
  it('checks the key with GET /api/keys, keeps it in sessionStorage only, and signs out', async () => {
    const user = userEvent.setup();
    const { server } = renderApp(
      '/',
      {
        'GET /api/keys': (call) => (call.headers.get('Authorization') === `Bearer ${ADMIN_KEY}` ? json({ items: [apiKey()] }) : problem(401, 'unauthorized', 'Unknown key.')),
        'GET /api/touchpoints': json({ items: [] }),
        'GET /api/experiments': json({ items: [] }),
      },
      { signedIn: false },
    );
    await user.type(screen.getByLabelText('Admin key'), 'tp_admin_wrong_key_000');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByText('This key is not valid: unknown or revoked.')).toBeTruthy();
    expect(sessionStorage.getItem('touchpoint.adminKey')).toBeNull();

    await user.clear(screen.getByLabelText('Admin key'));
    await user.type(screen.getByLabelText('Admin key'), ADMIN_KEY);
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    await screen.findByRole('heading', { name: 'Funnel overview' });
    expect(sessionStorage.getItem('touchpoint.adminKey')).toBe(ADMIN_KEY);
    expect(localStorage.length).toBe(0);
    expect(server.callsTo('GET /api/touchpoints')[0]?.headers.get('Authorization')).toBe(`Bearer ${ADMIN_KEY}`);

    await user.click(screen.getByRole('button', { name: 'Sign out' }));
    expect(screen.getByRole('button', { name: 'Sign in' })).toBeTruthy();
    expect(sessionStorage.getItem('touchpoint.adminKey')).toBeNull();
  });

  it('explains that an SDK key is not an admin key', async () => {
    const user = userEvent.setup();
    renderApp('/', { 'GET /api/keys': problem(403, 'forbidden', 'SDK keys reach only /sdk/*.') }, { signedIn: false });
    await user.type(screen.getByLabelText('Admin key'), 'tp_sdk_abcdefabcdef');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByText(/This is an SDK key/)).toBeTruthy();
  });

  it('signs out with an explanation when the server stops accepting the key (401)', async () => {
    renderApp('/', { 'GET /api/touchpoints': problem(401, 'unauthorized', 'Revoked.'), 'GET /api/experiments': json({ items: [] }) });
    expect(await screen.findByText(/no longer accepts this admin key/)).toBeTruthy();
    expect(sessionStorage.getItem('touchpoint.adminKey')).toBeNull();
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
            keyId: 'key_AAAAAAAAAAAAAAAA',
            requestId: 'r2',
            entityType: 'experiment',
            entityKey: 'checkout-cta-copy',
            action: 'update',
            before: { name: 'Old', version: 1, variants: [{ key: 'control', weight: 0.5 }, { key: 'urgent', weight: 0.5 }] },
            after: { name: 'Checkout CTA copy', version: 2, variants: [{ key: 'control', weight: 0.6 }, { key: 'urgent', weight: 0.4 }] },
          },
          { id: 1, at: '2026-11-01T10:00:00.000Z', keyId: null, requestId: 'r1', entityType: 'experiment', entityKey: 'checkout-cta-copy', action: 'create', before: null, after: { name: 'Old' } },
        ],
      }),
    });
    const history = (await screen.findByRole('heading', { name: 'History' })).closest('section') as HTMLElement;
    await within(history).findByText('Edited');
    expect(history.textContent).toContain('by Bootstrap admin key (tp_admin_abcd…)');
    const rows = within(history).getAllByRole('row').map((r) => Array.from(r.children).map((c) => c.textContent));
    expect(rows).toEqual([
      ['Field', 'Before', 'After'],
      ['Name', 'Old', 'Checkout CTA copy'],
      ['Variant 1 weight', '0.5', '0.6'],
      ['Variant 2 weight', '0.5', '0.4'],
    ]);
    expect(history.textContent).toContain('Created by system');
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
