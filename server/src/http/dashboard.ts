import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Hono } from 'hono';
import type { AppEnv } from './context.js';
import { access } from '../access/declare.js';

/**
 * Serves the built dashboard (a single-page app) at `/`: real files when they exist, index.html for
 * any other GET outside the API so client-side routes survive a reload.
 */
export function serveDashboard(app: Hono<AppEnv>, dashboardDir: string): void {
  const indexFile = path.join(dashboardDir, 'index.html');
  if (!existsSync(indexFile)) return;
  const root = path.relative(process.cwd(), dashboardDir) || '.';
  app.use('/assets/*', serveStatic({ root }));
  // The page itself is public: it asks the visitor to sign in; the API behind it decides what they see.
  app.get('*', access('public'), async (c, next) => {
    const p = c.req.path;
    if (p.startsWith('/api/') || p.startsWith('/sdk/')) return next();
    if (path.extname(p)) return serveStatic({ root })(c, next);
    return c.html(readFileSync(indexFile, 'utf8'));
  });
}
