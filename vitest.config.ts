import { defineConfig } from 'vitest/config';

// One `npm test` runs every workspace's suite; each workspace keeps its own config.
export default defineConfig({
  test: {
    projects: ['client-sdk', 'server', 'dashboard'],
  },
});
