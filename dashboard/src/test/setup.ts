import { cleanup } from '@testing-library/react';
import { afterEach, beforeEach } from 'vitest';

// Component tests only (the e2e test runs in node, where there is no DOM).
beforeEach(() => {
  if (typeof window !== 'undefined') window.scrollTo = () => {}; // jsdom does not implement it
});
afterEach(() => {
  if (typeof document !== 'undefined') cleanup();
  if (typeof sessionStorage !== 'undefined') sessionStorage.clear();
});
