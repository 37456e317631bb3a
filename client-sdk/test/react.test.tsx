// @vitest-environment jsdom
import { act, render, screen } from '@testing-library/react';
import { hydrateRoot } from 'react-dom/client';
import { renderToString } from 'react-dom/server';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createClient } from '../src/client.js';
import type { ClientOptions } from '../src/index.js';
import { TouchpointProvider, useVariant, Variant } from '../src/react/index.js';
import { httpTracking } from '../src/tracking/index.js';
import { config, fakeClock, fakeServer, memoryStorage, seededRandom } from './helpers.js';

function makeClient(options: Partial<ClientOptions> = {}) {
  const clock = fakeClock();
  const server = fakeServer(config);
  const client = createClient({
    apiUrl: 'https://ab.example.com',
    sdkKey: 'sdk_pub',
    unitId: 'user-1', // hashes to "urgent" in checkout-cta-copy
    refreshInterval: 0,
    fetch: server,
    storage: memoryStorage(),
    now: clock.now,
    setTimeout: clock.setTimeout,
    clearTimeout: clock.clearTimeout,
    random: seededRandom(3),
    url: 'https://shop.example.com/',
    tracking: httpTracking({ sendBeacon: null, document: undefined, window: undefined }),
    ...options,
  });
  return { client, server };
}

function CheckoutButton() {
  const v = useVariant('checkout-cta-copy');
  const label = (v.payload as { label?: string } | null)?.label ?? 'Buy';
  return <button data-variant={v.variantKey ?? 'none'} data-in={String(v.inExperiment)}>{label}</button>;
}

function App() {
  return (
    <main>
      <CheckoutButton />
      <Variant experiment="checkout-cta-copy" variant="urgent" fallback={<p>standard shipping</p>}>
        <p>ships today</p>
      </Variant>
      <Variant experiment="checkout-cta-copy">{(v) => <span>{`index ${v.variantIndex}`}</span>}</Variant>
    </main>
  );
}

const exposures = (server: ReturnType<typeof fakeServer>) =>
  (server.items() as Array<{ type: string; experimentKey?: string }>).filter((i) => i.type === 'exposure');

afterEach(() => {
  document.body.innerHTML = '';
});

describe('React bindings', () => {
  it('SSR from the bootstrap payload renders the variant and logs nothing', async () => {
    const { client, server } = makeClient({ bootstrap: config });
    const html = renderToString(<TouchpointProvider client={client}><App /></TouchpointProvider>);
    expect(html).toContain('Buy now, ships today');
    expect(html).toContain('ships today</p>');
    expect(html).toContain('index 1');
    await client.flush();
    expect(server.eventCalls).toHaveLength(0);
  });

  it('hydrates the server markup without mismatch, then logs one exposure', async () => {
    const serverSide = makeClient({ bootstrap: config, storage: null });
    const html = renderToString(<TouchpointProvider client={serverSide.client}><App /></TouchpointProvider>);
    const container = document.createElement('div');
    container.innerHTML = html;
    document.body.appendChild(container);

    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const { client, server } = makeClient({ bootstrap: config });
    await act(async () => {
      hydrateRoot(container, <TouchpointProvider client={client}><App /></TouchpointProvider>);
    });
    expect(errors).not.toHaveBeenCalled();
    errors.mockRestore();
    expect(container.innerHTML).toBe(html);
    await client.flush();
    expect(exposures(server)).toHaveLength(1);
  });

  it('renders the control before the config arrives, then the variant (no bootstrap)', async () => {
    const { client } = makeClient();
    render(<TouchpointProvider client={client}><App /></TouchpointProvider>);
    expect(screen.getByRole('button').textContent).toBe('Buy');
    expect(screen.getByRole('button').dataset.in).toBe('false');
    await act(() => client.ready());
    expect(screen.getByRole('button').textContent).toBe('Buy now, ships today');
    expect(screen.getByText('ships today')).toBeTruthy();
  });

  it('re-renders on attribute changes (targeting) and forced variants are never logged', async () => {
    const { client, server } = makeClient({ bootstrap: config });
    function FrOnly() {
      const v = useVariant('fr-only');
      return <i>{`${v.variantKey}:${v.inExperiment}:${v.forced}`}</i>;
    }
    render(<TouchpointProvider client={client}><FrOnly /></TouchpointProvider>);
    expect(screen.getByText(/control:false/)).toBeTruthy();
    act(() => client.setAttributes({ country: 'FR' }));
    expect(screen.getByText(/:true:false/)).toBeTruthy();
    act(() => client.setOverride('fr-only', 'b'));
    expect(screen.getByText('b:true:true')).toBeTruthy();
    await client.flush();
    // One exposure: the assigned variant after the attribute change; the forced one is not logged.
    expect(exposures(server).map((e) => e.experimentKey)).toEqual(['fr-only']);
  });

  it('useVariant outside a provider is a programming error', () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(() => render(<CheckoutButton />)).toThrow(/TouchpointProvider/);
    errors.mockRestore();
  });
});

