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
    testTimeout: 30_000,
  },
});
