import { defineConfig } from 'vitest/config';

// The SDK in a real headless Chromium against the real server (sdk.e2e.test.ts). A project of its
// own (listed in the root vitest.config.ts) so that the unit suite's config stays untouched; the
// server is imported from its TypeScript sources, as the server's own tests do.
export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    name: 'client-sdk-e2e',
    environment: 'node',
    include: ['**/*.e2e.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // expect.poll gives up after 1 s by default; the polls that pass no timeout get a loaded machine's.
    expect: { poll: { timeout: 15_000 } },
  },
});
