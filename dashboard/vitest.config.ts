import react from '@vitejs/plugin-react';
import { defaultClientConditions, defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

// One project: component tests run in jsdom; the end-to-end test (e2e/*.e2e.test.ts) opts into the
// node environment with a docblock, starts the real server in-process and drives Debian's chromium.
export default defineConfig({
  plugins: [react()],
  resolve: { conditions: ['source', ...defaultClientConditions] },
  ssr: { resolve: { conditions: ['source', ...defaultServerConditions] } },
  test: {
    name: 'dashboard',
    environment: 'jsdom',
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'e2e/**/*.e2e.test.ts'],
    setupFiles: ['src/test/setup.ts'],
    passWithNoTests: true,
    // Sized for a loaded machine, not a quiet one: no test may fail because the box is busy.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // expect.poll (the e2e test) gives up after 1 s by default.
    expect: { poll: { timeout: 15_000 } },
  },
});
