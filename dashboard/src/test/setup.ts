import { cleanup, configure } from '@testing-library/react';
import { afterEach, beforeEach } from 'vitest';

// findBy* and waitFor give up after asyncUtilTimeout (1 s by default): too short on a busy 2-core
// machine, where a render after a fetch can take longer. A generous bound costs nothing when the
// element appears, and the test timeout (vitest.config.ts) stays well above it.
configure({ asyncUtilTimeout: 10_000 });

// Component tests only (the e2e test runs in node, where there is no DOM).
beforeEach(() => {
  if (typeof window !== 'undefined') window.scrollTo = () => {}; // jsdom does not implement it
});
afterEach(() => {
  if (typeof document !== 'undefined') cleanup();
  if (typeof sessionStorage !== 'undefined') sessionStorage.clear();
});
