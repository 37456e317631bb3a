import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { type Call, json, problem } from '../test/fake-server.js';
import { experiment, metric, running, touchpoint } from '../test/fixtures.js';
import { renderApp } from '../test/render.js';

const catalog = {
  'GET /api/touchpoints': json({ items: [touchpoint()] }),
  'GET /api/metrics': json({ items: [metric(), metric({ key: 'add-to-cart', name: 'Add to cart', eventName: 'add_to_cart' })] }),
  'GET /api/stats/sample-size': json({ perVariant: 51_487, total: 102_974, variantRate: 0.033, deltaAbsolute: 0.003, durationDays: 21 }),
};

async function openNewForm(routes = {}) {
  const app = renderApp('/new-experiment', { ...catalog, ...routes });
  await screen.findByRole('button', { name: 'Create experiment' });
  return app;
}

const errorOf = (id: string) => document.getElementById(`${id}-error`)?.textContent ?? '';

describe('experiment form: rules checked as you type', () => {
  it('keeps weights at 100 %: an edit that breaks the sum blocks submitting until fixed; "Split evenly" fixes it', async () => {
    const user = userEvent.setup();
    const { server } = await openNewForm();
    const weight = screen.getByLabelText('Weight (%)', { selector: '#variant-1-weight' });
    await user.clear(weight);
    await user.type(weight, '30');
    expect(errorOf('variants')).toBe('Weights must add up to 100 %; they add up to 80 %.');
    expect(screen.getByText(/must be 100 %/)).toBeTruthy();
    // The other weight was not touched behind the user's back.
    expect((document.getElementById('variant-0-weight') as HTMLInputElement).value).toBe('50');

    await user.type(screen.getByLabelText('Key', { selector: '#key' }), 'cta-copy');
    await user.type(screen.getByLabelText('Name', { selector: '#name' }), 'CTA copy');
    await user.click(screen.getByRole('button', { name: 'Create experiment' }));
    expect(server.callsTo('POST /api/experiments')).toHaveLength(0);
    expect(screen.getByText(/Fix (this problem|these \d+ problems) first/)).toBeTruthy();

    await user.click(screen.getByRole('button', { name: 'Split evenly' }));
    expect(errorOf('variants')).toBe('');
    expect(screen.getByText('✓', { exact: false })).toBeTruthy();

    await user.click(screen.getByRole('button', { name: 'Add variant' }));
    expect(['variant-0-weight', 'variant-1-weight', 'variant-2-weight'].map((id) => (document.getElementById(id) as HTMLInputElement).value)).toEqual(['33.34', '33.33', '33.33']);
  });

  it('edits a variant\'s page changes row by row (selector checked as you type), a redirect, and shows the server\'s message on the row it names', async () => {
    const user = userEvent.setup();
    const { server } = await openNewForm({
      'POST /api/experiments': problem(422, 'validation-failed', 'variants.1.changes.1.value: contains markup the sanitiser removes', [
        { field: 'variants.1.changes.1.value', detail: 'contains markup the sanitiser removes' },
      ]),
    });
    const variant = document.querySelectorAll('.variant')[1] as HTMLElement;
    await user.click(within(variant).getByText(/Page changes/));
    await user.click(within(variant).getByRole('button', { name: 'Add a change' }));
    const selector = document.getElementById('variant-1-change-0-selector') as HTMLInputElement;
    await user.type(selector, '.hero >>');
    expect(errorOf('variant-1-change-0-selector')).toBe('Not a valid CSS selector.');
    await user.clear(selector);
    await user.type(selector, '#buy');
    expect(errorOf('variant-1-change-0-selector')).toBe('');
    await user.type(document.getElementById('variant-1-change-0-value') as HTMLInputElement, 'Buy now, ships today');

    await user.click(within(variant).getByRole('button', { name: 'Add a change' }));
    await user.type(document.getElementById('variant-1-change-1-selector') as HTMLInputElement, '.note');
    await user.selectOptions(document.getElementById('variant-1-change-1-action') as HTMLSelectElement, 'attribute');
    await user.click(screen.getByRole('button', { name: 'Create experiment' }));
    expect(errorOf('variant-1-change-1-name')).toBe('Required: the attribute.');
    await user.selectOptions(document.getElementById('variant-1-change-1-action') as HTMLSelectElement, 'html');
    await user.type(document.getElementById('variant-1-change-1-value') as HTMLTextAreaElement, '<b>Free</b> returns');
    await user.type(document.getElementById('variant-1-redirect') as HTMLInputElement, 'javascript:alert(1)');
    expect(errorOf('variant-1-redirect')).toBe('An http(s) URL or a path starting with "/".');
    await user.clear(document.getElementById('variant-1-redirect') as HTMLInputElement);

    await user.type(screen.getByLabelText('Key', { selector: '#key' }), 'cta-ships-today');
    await user.type(screen.getByLabelText('Name', { selector: '#name' }), 'CTA ships today');
    await user.selectOptions(screen.getByLabelText('Where in the funnel this runs'), 'checkout-cta');
    await user.click(screen.getByRole('button', { name: 'Create experiment' }));
    await waitFor(() => expect(errorOf('variant-1-change-1-value')).toBe('contains markup the sanitiser removes'));
    const [post] = server.callsTo('POST /api/experiments');
    expect((post?.body as { variants: unknown[] }).variants[1]).toMatchObject({
      changes: [{ selector: '#buy', action: 'text', value: 'Buy now, ships today' }, { selector: '.note', action: 'html', value: '<b>Free</b> returns' }],
    });
    expect((post?.body as { variants: Array<Record<string, unknown>> }).variants[0]).not.toHaveProperty('changes');
  });

  it('validates JSON payloads as you type and marks the field invalid', async () => {
    const user = userEvent.setup();
    await openNewForm();
    const payload = document.getElementById('variant-1-payload') as HTMLTextAreaElement;
    await user.type(payload, '{{ "label": "Buy"');
    expect(errorOf('variant-1-payload')).toMatch(/^Not valid JSON/);
    expect(payload.getAttribute('aria-invalid')).toBe('true');
    expect(payload.getAttribute('aria-describedby')).toContain('variant-1-payload-error');
    await user.type(payload, ' }');
    expect(errorOf('variant-1-payload')).toBe('');
    expect(payload.hasAttribute('aria-invalid')).toBe(false);
  });

  it('checks the key slug as you type', async () => {
    const user = userEvent.setup();
    await openNewForm();
    const key = screen.getByLabelText('Key', { selector: '#key' });
    await user.type(key, 'Checkout CTA');
    expect(errorOf('key')).toMatch(/lower-case letters, digits and single hyphens/);
    await user.clear(key);
    await user.type(key, 'checkout-cta');
    expect(errorOf('key')).toBe('');
  });

  it('shows the server problem document next to the fields it names, and sends a valid body', async () => {
    const user = userEvent.setup();
    const { server } = await openNewForm({
      'POST /api/experiments': problem(422, 'validation-failed', 'variants.1.weight: must be between 0 and 1', [
        { field: 'variants.1.weight', detail: 'must be between 0 and 1' },
        { field: 'key', detail: 'an experiment with this key already exists' },
        { field: 'salt', detail: 'a field the form does not show' },
      ]),
    });
    await user.type(screen.getByLabelText('Key', { selector: '#key' }), 'checkout-cta-copy');
    await user.type(screen.getByLabelText('Name', { selector: '#name' }), 'Checkout CTA copy');
    await user.selectOptions(screen.getByLabelText('Where in the funnel this runs'), 'checkout-cta');
    await user.selectOptions(screen.getByLabelText('Primary metric'), 'purchase');
    await user.click(screen.getByRole('button', { name: 'Create experiment' }));

    await waitFor(() => expect(errorOf('variant-1-weight')).toBe('must be between 0 and 1'));
    expect(errorOf('key')).toBe('an experiment with this key already exists');
    const summary = screen.getByText(/The server refused the change/).closest('[role="alert"]') as HTMLElement;
    // Field names read as labels, never as the API's identifiers (variants.1.weight, salt).
    expect(within(summary).getByText('Salt')).toBeTruthy();
    expect(within(summary).getAllByText('Variant 2 weight').length).toBeGreaterThan(0);
    expect(summary.textContent).not.toMatch(/variants\.1|salt:/);

    const [post] = server.callsTo('POST /api/experiments');
    // The session cookie authenticates; a write carries the session's CSRF token, never a key.
    expect(post?.headers.get('X-CSRF-Token')).toBe('csrf-test-token-0123456789');
    expect(post?.headers.get('Authorization')).toBeNull();
    expect(post?.body).toMatchObject({ key: 'checkout-cta-copy', touchpointKey: 'checkout-cta', primaryMetric: 'purchase', coverage: 1, targeting: null });

    // Editing the field clears the server's message for it.
    await user.type(document.getElementById('variant-1-weight') as HTMLInputElement, '0');
    expect(errorOf('variant-1-weight')).not.toContain('must be between 0 and 1');
  });

  it('creates a touchpoint inline and selects it', async () => {
    const user = userEvent.setup();
    await openNewForm({ 'POST /api/touchpoints': (call: Call) => json(touchpoint({ key: 'pdp-gallery', name: 'Gallery', funnelStage: 'consideration', ...(call.body as object) }), 201) });
    await user.click(screen.getByRole('button', { name: 'New touchpoint…' }));
    await user.type(document.getElementById('new-touchpoint-key')!, 'pdp-gallery');
    await user.type(document.getElementById('new-touchpoint-name')!, 'Gallery');
    await user.selectOptions(document.getElementById('new-touchpoint-stage')!, 'consideration');
    await user.click(screen.getByRole('button', { name: 'Create touchpoint' }));
    await waitFor(() => expect((screen.getByLabelText('Where in the funnel this runs') as HTMLSelectElement).value).toBe('pdp-gallery'));
  });
});

describe('experiment form: editing a live experiment', () => {
  const routesFor = (e = running()) => ({ ...catalog, [`GET /api/experiments/${e.key}`]: json(e) });

  it('disables locked fields with an explanation; weights open with "Start a new phase"; PATCH sends If-Match and only the change', async () => {
    const user = userEvent.setup();
    const { server } = renderApp('/experiments/checkout-cta-copy/edit', {
      ...routesFor(),
      'PATCH /api/experiments/checkout-cta-copy': (call) => json(running({ version: 3, ...(call.body as object) })),
    });
    await screen.findByRole('button', { name: 'Save changes' });
    const key = screen.getByLabelText('Key', { selector: '#key' }) as HTMLInputElement;
    expect(key.disabled).toBe(true);
    expect(screen.getByText(/The key is permanent/)).toBeTruthy();
    expect((screen.getByLabelText('Where in the funnel this runs') as HTMLSelectElement).disabled).toBe(true);
    expect(screen.getByText('The touchpoint cannot change while the experiment is live.')).toBeTruthy();
    expect((document.getElementById('variant-0-key') as HTMLInputElement).disabled).toBe(true);
    expect(screen.queryByRole('button', { name: 'Add variant' })).toBeNull();

    const weight = document.getElementById('variant-1-weight') as HTMLInputElement;
    expect(weight.disabled).toBe(true);
    expect(weight.getAttribute('aria-describedby')).toContain('variant-1-weight-lock');
    expect((document.getElementById('namespaceOn') as HTMLInputElement).disabled).toBe(true);
    // Names and metrics stay editable.
    expect((document.getElementById('variant-1-name') as HTMLInputElement).disabled).toBe(false);
    expect((screen.getByLabelText('Primary metric') as HTMLSelectElement).disabled).toBe(false);

    await user.click(screen.getByLabelText('Start a new phase'));
    expect(weight.disabled).toBe(false);
    await user.clear(weight);
    await user.type(weight, '40');
    const control = document.getElementById('variant-0-weight') as HTMLInputElement;
    await user.clear(control);
    await user.type(control, '60');
    await user.click(screen.getByRole('button', { name: 'Save changes' }));

    await waitFor(() => expect(server.callsTo('PATCH /api/experiments/checkout-cta-copy')).toHaveLength(1));
    const [patch] = server.callsTo('PATCH /api/experiments/checkout-cta-copy');
    expect(patch?.headers.get('If-Match')).toBe('"2"');
    expect(patch?.body).toEqual({
      variants: [
        { key: 'control', name: 'Buy now', weight: 0.6, payload: { label: 'Buy now' } },
        { key: 'urgent', name: 'Ships today', weight: 0.4, payload: { label: 'Buy now, ships today' } },
      ],
      newPhase: true,
    });
  });

  it('refuses lowering coverage without a new phase', async () => {
    const user = userEvent.setup();
    renderApp('/experiments/checkout-cta-copy/edit', routesFor());
    await screen.findByRole('button', { name: 'Save changes' });
    const coverage = screen.getByLabelText('Coverage (%)');
    await user.clear(coverage);
    await user.type(coverage, '50');
    expect(errorOf('coverage')).toMatch(/needs "Start a new phase"/);
  });

  it('a stopped experiment: only name and hypothesis can change', async () => {
    renderApp('/experiments/checkout-cta-copy/edit', routesFor(experiment({ status: 'stopped', startedAt: '2026-11-01T00:00:00Z', stoppedAt: '2026-11-10T00:00:00Z' })));
    await screen.findByRole('button', { name: 'Save changes' });
    expect(screen.getByText(/only its name and hypothesis can change/)).toBeTruthy();
    expect((screen.getByLabelText('Name', { selector: '#name' }) as HTMLInputElement).disabled).toBe(false);
    expect((screen.getByLabelText('Hypothesis') as HTMLTextAreaElement).disabled).toBe(false);
    for (const id of ['variant-1-name', 'variant-1-weight', 'coverage', 'primaryMetric', 'minimumDetectableEffect']) {
      expect((document.getElementById(id) as HTMLInputElement).disabled, id).toBe(true);
    }
  });

  it('tells the user to reload when someone else changed the experiment (412)', async () => {
    const user = userEvent.setup();
    renderApp('/experiments/checkout-cta-copy/edit', {
      ...routesFor(experiment()),
      'PATCH /api/experiments/checkout-cta-copy': problem(412, 'precondition-failed', 'If-Match does not match the current version.'),
    });
    await screen.findByRole('button', { name: 'Save changes' });
    await user.type(screen.getByLabelText('Name', { selector: '#name' }), '!');
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    expect(await screen.findByText(/reload the page and apply your change again/)).toBeTruthy();
  });
});

describe('experiment form: namespace ranges', () => {
  it('shows the free ranges of the chosen namespace and warns when the range typed overlaps a held one', async () => {
    const user = userEvent.setup();
    await openNewForm({
      'GET /api/namespaces': json({ items: [{ id: 'checkout', experiments: [{ key: 'ns-a', status: 'running', range: [0, 0.6] }], freeRanges: [[0.6, 1]] }] }),
    });
    await user.click(screen.getByLabelText('Mutually exclusive with other experiments (namespace)'));
    await user.type(screen.getByLabelText('Namespace id'), 'checkout');
    const ranges = () => document.getElementById('namespace-ranges')?.textContent ?? '';
    await waitFor(() => expect(ranges()).toContain('Free in checkout: 60 % – 100 %'));
    expect(ranges()).toContain('ns-a 0 % – 60 %, running');
    // The default range [0, 50) overlaps ns-a.
    expect(screen.getByRole('alert').textContent).toMatch(/overlaps ns-a: starting the experiment will be refused/);
    const start = screen.getByLabelText('Range start (%)');
    const end = screen.getByLabelText('Range end (%)');
    await user.clear(start);
    await user.type(start, '60');
    await user.clear(end);
    await user.type(end, '100');
    expect(ranges()).not.toMatch(/overlaps/);
    // Another namespace is free whole.
    await user.clear(screen.getByLabelText('Namespace id'));
    await user.type(screen.getByLabelText('Namespace id'), 'pdp-layer');
    expect(ranges()).toContain('Free in pdp-layer: 0 % – 100 %');
  });
});

describe('experiment form: accessibility', () => {
  it('every control has a label, and errors are tied to their control', async () => {
    const user = userEvent.setup();
    await openNewForm();
    await user.click(screen.getByRole('button', { name: 'Add condition' }));
    await user.click(screen.getByRole('button', { name: 'New metric…' }));
    await user.click(screen.getByLabelText('Mutually exclusive with other experiments (namespace)'));
    const controls = Array.from(document.querySelectorAll<HTMLInputElement>('input, select, textarea'));
    expect(controls.length).toBeGreaterThan(25);
    const unlabeled = controls.filter((c) => (c.labels?.length ?? 0) === 0 && !c.getAttribute('aria-label')).map((c) => c.id || c.outerHTML);
    expect(unlabeled).toEqual([]);
    const ids = controls.map((c) => c.id).filter(Boolean);
    expect(new Set(ids).size).toBe(ids.length);

    // An empty new condition is not flagged until you type in it or try to save.
    expect(errorOf('cond-0-value')).toBe('');
    await user.click(screen.getByRole('button', { name: 'Create experiment' }));
    expect(errorOf('cond-0-value')).toMatch(/attribute name/);
    expect(document.getElementById('cond-0-value')?.getAttribute('aria-describedby')).toBe('cond-0-value-error');
  });
});

describe('experiment form: sequential testing', () => {
  async function fillAndCreate(user: ReturnType<typeof userEvent.setup>) {
    await user.type(screen.getByLabelText('Key', { selector: '#key' }), 'checkout-cta-copy');
    await user.type(screen.getByLabelText('Name', { selector: '#name' }), 'Checkout CTA copy');
    await user.selectOptions(screen.getByLabelText('Where in the funnel this runs'), 'checkout-cta');
    await user.selectOptions(screen.getByLabelText('Primary metric'), 'purchase');
    await user.click(screen.getByRole('button', { name: 'Create experiment' }));
  }

  it('is on by default, explained, tuned to the planned total sample, and sent with the experiment', async () => {
    const user = userEvent.setup();
    const { server } = await openNewForm({ 'POST /api/experiments': json(experiment(), 201) });
    const box = screen.getByLabelText('Sequential testing (recommended)') as HTMLInputElement;
    expect(box.checked).toBe(true);
    expect(screen.getByText(/Look at the results as often as you like/)).toBeTruthy();
    // The planning estimate (102,974 units in total) becomes N*.
    await waitFor(() => expect(document.querySelector('[data-slot="tuning-parameter"]')?.textContent).toBe('102,974'));
    await fillAndCreate(user);
    await waitFor(() => expect(server.callsTo('POST /api/experiments')).toHaveLength(1));
    expect(server.callsTo('POST /api/experiments')[0]?.body).toMatchObject({ sequential: { tuningParameter: 102_974 }, minimumDetectableEffect: 0.05 });
  });

  it('unticked: a fixed horizon, with the reason no verdict shows before the planned sample', async () => {
    const user = userEvent.setup();
    const { server } = await openNewForm({ 'POST /api/experiments': json(experiment(), 201) });
    await user.click(screen.getByLabelText('Sequential testing (recommended)'));
    expect(screen.getByText(/no verdict is shown before it/)).toBeTruthy();
    await fillAndCreate(user);
    await waitFor(() => expect(server.callsTo('POST /api/experiments')).toHaveLength(1));
    expect(server.callsTo('POST /api/experiments')[0]?.body).toMatchObject({ sequential: null });
  });
});
