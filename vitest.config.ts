import { defineConfig } from 'vitest/config';

// One `npm test` runs every workspace's suite; each workspace keeps its own config.
// client-sdk/e2e is the SDK in headless Chromium against the real server (a node-environment project).
export default defineConfig({
  test: {
    // vitest's default on a 2-core machine is one worker (cores − 1), which runs the suite file by file
    // although most files wait on PostgreSQL, child processes or Chromium: two workers take it from
    // 448 s to 302 s on this machine (quiet), and the suite is built to hold on a loaded box.
    maxWorkers: 2,
    projects: ['client-sdk', 'client-sdk/e2e/vitest.config.ts', 'server', 'dashboard'],
  },
});
