import { defineConfig } from 'vitest/config';

// One `npm test` runs every workspace's suite; each workspace keeps its own config.
// client-sdk/e2e is the SDK in headless Chromium against the real server (a node-environment project).
export default defineConfig({
  test: {
    projects: ['client-sdk', 'client-sdk/e2e/vitest.config.ts', 'server', 'dashboard'],
  },
});
