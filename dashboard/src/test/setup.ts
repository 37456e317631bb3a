import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';

// Component tests only (the e2e test runs in node, where there is no DOM to clean).
afterEach(() => {
  if (typeof document !== 'undefined') cleanup();
  if (typeof sessionStorage !== 'undefined') sessionStorage.clear();
});
