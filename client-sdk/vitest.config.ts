import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['source'] },
  test: {
    name: 'client-sdk',
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'test/**/*.test.ts', 'test/**/*.test.tsx'],
    // The default 5 s is exceeded by property tests on a loaded 2-core machine: size for that, not for a quiet one.
    testTimeout: 30_000,
  },
});
