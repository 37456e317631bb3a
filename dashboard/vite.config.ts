import react from '@vitejs/plugin-react';
import { defaultClientConditions, defineConfig } from 'vite';

const api = 'http://127.0.0.1:3000';

export default defineConfig({
  plugins: [react()],
  // '@touchpoint/client-sdk/validate' is read from its TypeScript source (the "source" export condition).
  resolve: { conditions: ['source', ...defaultClientConditions] },
  server: {
    proxy: { '/api': api, '/sdk': api, '/openapi.json': api },
  },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false },
});
