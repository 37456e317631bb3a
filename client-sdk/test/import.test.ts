// "Nothing touches window at import": importing every entry must not read any browser global,
// so the SDK loads in Node, in workers and during server-side rendering.
import { afterEach, describe, expect, it, vi } from 'vitest';

const globals = ['window', 'document', 'localStorage', 'sessionStorage', 'navigator', 'location', 'addEventListener'] as const;

afterEach(() => {
  for (const name of globals) delete (globalThis as Record<string, unknown>)[name];
  vi.resetModules();
});

describe('module import', () => {
  it('reads no browser global', async () => {
    const touched: string[] = [];
    for (const name of globals) {
      Object.defineProperty(globalThis, name, { configurable: true, get: () => void touched.push(name) });
    }
    vi.resetModules();
    await import('../src/index.js');
    await import('../src/client.js');
    await import('../src/tracking/index.js');
    await import('../src/validate.js');
    await import('../src/rollout.js');
    await import('../src/react/index.js');
    expect(touched).toEqual([]);
  });

  it('a client without tracking warns once when track() is called', async () => {
    const { createClient } = await import('../src/client.js');
    const onWarning = vi.fn();
    const client = createClient({ bootstrap: { experiments: [] }, unitId: 'u', storage: null, refreshInterval: 0, onWarning });
    client.track('purchase');
    client.track('purchase');
    expect(onWarning).toHaveBeenCalledTimes(1);
  });
});
