import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { problemFromDatabaseError } from './db/errors.js';
import { experimentRoutes } from './experiments/routes.js';
import { previewLinkRoutes } from './experiments/preview-routes.js';
import { namespaceRoutes } from './experiments/namespace-routes.js';
import { resultsRoutes } from './results/routes.js';
import { resultsSummaryRoutes } from './results/summary.js';
import { healthRoutes } from './health/routes.js';
import { type AppDeps, type AppEnv, eventStoreOf } from './http/context.js';
import { PROBLEM_TYPES, type ProblemType, ProblemError, problemResponse } from './http/problem.js';
import { requestLog } from './http/request-log.js';
import { DEFAULT_LOGIN_LIMIT, createAuthFailureLimiter } from './http/rate-limit.js';
import { securityHeaders } from './http/security-headers.js';
import { authorize } from './access/authorize.js';
import { access } from './access/declare.js';
import { authRoutes } from './auth/routes.js';
import { oidcRoutes } from './auth/oidc-routes.js';
import { userRoutes } from './users/routes.js';
import { changeFeedOf } from './db/change-feed.js';
import { createLiveCatalog } from './live/catalog.js';
import { invalidateOnWrite } from './live/invalidate.js';
import { keyRoutes } from './keys/routes.js';
import { metricRoutes } from './metrics/routes.js';
import { buildOpenApiDocument } from './openapi/document.js';
import { touchpointRoutes } from './touchpoints/routes.js';
import { bodySizeLimit } from './http/body.js';
import { withResponseHeaders } from './http/response-headers.js';
import { inOrder } from './http/in-order.js';
import { serveDashboard } from './http/dashboard.js';
import { statsRoutes } from './stats/routes.js';
import { httpMetrics, metricsRoutes } from './telemetry/routes.js';
import { sdkRoutes } from './sdk/routes.js';
import { scriptTagRoutes } from './sdk/script-tag.js';
import { unitRoutes } from './units/routes.js';
import { webhookRoutes } from './webhooks/routes.js';

/** Builds the whole HTTP app from its dependencies; no port is opened here (tests call app.request). */
export function createApp(given: AppDeps) {
  const deps: AppDeps = {
    ...given,
    events: eventStoreOf(given),
    catalog: given.catalog ?? createLiveCatalog({ db: given.db, feed: given.changes ?? changeFeedOf(given.db), logger: given.logger }),
    authFailures: given.authFailures ?? (given.rateLimits && createAuthFailureLimiter(given.db, given.logger, given.rateLimits)),
  };
  const app = new Hono<AppEnv>();
  // First: every later middleware's headers (request id, security, CORS) reach every response.
  app.use(withResponseHeaders());
  app.use(httpMetrics());
  app.use(requestLog(deps.logger));
  app.use(securityHeaders());
  // Who may do what, decided in one place from what each route declares (access/authorize.ts). One
  // entry with the body limit (http/in-order.ts): neither does anything after the handler.
  app.use(inOrder(bodySizeLimit(deps.maxBodyBytes), authorize(deps)));

  app.route('/', healthRoutes(deps));
  app.route('/metrics', metricsRoutes(deps));
  let openApi: Record<string, unknown> | undefined;
  app.get('/openapi.json', access('public'), (c) => c.json((openApi ??= buildOpenApiDocument())));
  app.get('/problems/:type', access('public'), (c) => {
    const type = c.req.param('type');
    if (!Object.hasOwn(PROBLEM_TYPES, type)) throw new ProblemError('not-found', 'No such problem type.');
    const info = PROBLEM_TYPES[type as ProblemType];
    return c.json({ type: `/problems/${type}`, ...info });
  });

  // Read-your-writes: this instance's view is stale from the moment one of its own writes answers.
  app.use('/api/*', invalidateOnWrite(deps.catalog!));
  const limits = deps.rateLimits;
  const byEmail = limits && createAuthFailureLimiter(deps.db, deps.logger, {
    authFailures: limits.loginFailuresPerEmail ?? DEFAULT_LOGIN_LIMIT.failures,
    authWindowSeconds: limits.loginWindowSeconds ?? DEFAULT_LOGIN_LIMIT.windowSeconds,
  }, { scope: 'login-email', subjectName: 'email' });
  app.route('/api/auth', authRoutes(deps, { byAddress: deps.authFailures, byEmail }));
  app.route('/api/auth/oidc', oidcRoutes(deps));
  app.route('/api/users', userRoutes(deps));
  app.route('/api/touchpoints', touchpointRoutes(deps));
  app.route('/api/metrics', metricRoutes(deps));
  app.route('/api/experiments', experimentRoutes(deps));
  app.route('/api/experiments', previewLinkRoutes(deps));
  app.route('/api/experiments', resultsRoutes(deps));
  app.route('/api/namespaces', namespaceRoutes(deps));
  app.route('/api/results', resultsSummaryRoutes(deps));
  app.route('/api/keys', keyRoutes(deps));
  app.route('/api/webhooks', webhookRoutes(deps));
  app.route('/api/stats', statsRoutes());
  app.route('/api/units', unitRoutes(deps));
  // Public, before the SDK routes (which want an SDK key for everything else under /sdk).
  app.route('/sdk', scriptTagRoutes());
  app.route('/sdk', sdkRoutes(deps));

  if (deps.dashboardDir) serveDashboard(app, deps.dashboardDir);

  app.notFound((c) => problemResponse(c, new ProblemError('not-found', `No route ${c.req.method} ${c.req.path}.`)));
  app.onError((error, c) => {
    if (error instanceof ProblemError) return problemResponse(c, error);
    if (error instanceof HTTPException && error.status < 500) {
      return problemResponse(c, new ProblemError('malformed-request', error.message || 'The request cannot be read.'));
    }
    const fromDb = problemFromDatabaseError(error);
    if (fromDb) {
      if (fromDb.status >= 500) deps.logger.warn('database unavailable', { requestId: c.get('requestId'), error: String(error) });
      return problemResponse(c, fromDb);
    }
    // Log the cause with the request id; the client learns nothing but that id.
    deps.logger.error('unhandled error', {
      requestId: c.get('requestId'),
      error: error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : String(error),
    });
    return problemResponse(c, new ProblemError('internal-error', `Internal error; quote request id ${c.get('requestId')} when reporting it.`));
  });
  return app;
}

export type App = ReturnType<typeof createApp>;
