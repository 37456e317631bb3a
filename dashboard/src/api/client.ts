/**
 * The typed API client: the only place the dashboard does I/O. Calls carry the session cookie
 * (`tp_session`, HttpOnly: this code never sees it) and every write the session's CSRF token;
 * failures become an ApiError carrying the problem document's `errors[{field, detail}]`.
 */
import { ApiError, networkError, problemFrom } from './problem.js';
import type {
  ApiKey,
  AuditEntry,
  AuthConfig,
  Me,
  NewUser,
  Role,
  SignedIn,
  User,
  Experiment,
  ExperimentFilters,
  ExperimentPatch,
  Metric,
  NewApiKey,
  NamespaceUsage,
  NewWebhook,
  Webhook,
  WebhookDelivery,
  NewExperiment,
  NewMetric,
  NewTouchpoint,
  PreviewLink,
  SampleSize,
  SampleSizeQuery,
  StopDecision,
  Touchpoint,
} from './types.js';
import type { ExperimentResults, ResultsSummary } from './results-types.js';

export interface ApiClientOptions {
  /** Base URL of the server; '' means the page's own origin. */
  baseUrl?: string;
  /** The session's CSRF token, read at each write (it changes on sign-in), sent as X-CSRF-Token. */
  getCsrfToken: () => string | null;
  /** Called when the server answers 401 (the session ended: expired, signed out elsewhere, disabled). */
  onUnauthorized?: (error: ApiError) => void;
  /** Called when the server answers 403 (the role may have changed since the page learnt it). */
  onForbidden?: (error: ApiError) => void;
  fetch?: typeof fetch;
}

type Query = Record<string, string | number | boolean | undefined>;

interface RequestOptions {
  body?: unknown;
  query?: Query;
  /** Sent as If-Match, so an edit based on a stale read is refused (412) instead of lost. */
  version?: number;
  signal?: AbortSignal | undefined;
  /** A 401 here is an answer (wrong password, not signed in yet), not a session that ended. */
  expect401?: boolean;
}

const LIST_LIMIT = 500;

function queryString(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(name, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}

const enc = encodeURIComponent;

export function createApiClient(options: ApiClientOptions) {
  const base = (options.baseUrl ?? '').replace(/\/+$/, '');
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(input, init));

  async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const response = await requestRaw(method, path, options);
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }

  async function requestRaw(method: string, path: string, { body, query, version, signal, expect401 }: RequestOptions = {}, accept = 'application/json'): Promise<Response> {
    const headers: Record<string, string> = { Accept: accept };
    const csrf = method === 'GET' || method === 'HEAD' ? null : options.getCsrfToken();
    if (csrf) headers['X-CSRF-Token'] = csrf;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (version !== undefined) headers['If-Match'] = `"${version}"`;
    let response: Response;
    try {
      response = await doFetch(`${base}${path}${queryString(query)}`, {
        method,
        headers,
        // The session cookie goes to this origin only (the dashboard is served by the API server).
        credentials: 'same-origin',
        ...(body !== undefined && { body: JSON.stringify(body) }),
        ...(signal && { signal }),
      });
    } catch (cause) {
      if (signal?.aborted) throw cause;
      throw networkError(cause);
    }
    if (!response.ok) {
      const error = await problemFrom(response);
      if (error.status === 401 && !expect401) options.onUnauthorized?.(error);
      if (error.status === 403) options.onForbidden?.(error);
      throw error;
    }
    return response;
  }

  const items = async <T>(promise: Promise<{ items: T[] }>) => (await promise).items;

  return {
    /** How people sign in here: SSO configured? first-start setup pending? */
    authConfig: (signal?: AbortSignal) => request<AuthConfig>('GET', '/api/auth/config', { signal, expect401: true }),
    /** Who is signed in (401 when nobody is: the sign-in page, not an ended session). */
    me: (signal?: AbortSignal) => request<Me>('GET', '/api/auth/me', { signal, expect401: true }),
    login: (email: string, password: string) => request<SignedIn>('POST', '/api/auth/login', { body: { email, password }, expect401: true }),
    logout: () => request<void>('POST', '/api/auth/logout', { expect401: true }),
    /** Your own password (the current one is checked); this session stays, your other sessions end. */
    changePassword: (currentPassword: string, newPassword: string) => request<void>('POST', '/api/auth/password', { body: { currentPassword, newPassword } }),
    acceptInvite: (token: string, password: string) => request<SignedIn>('POST', '/api/auth/accept-invite', { body: { token, password }, expect401: true }),
    setup: (input: { token: string; email: string; name: string; password: string }) =>
      request<SignedIn>('POST', '/api/auth/setup', { body: input, expect401: true }),

    listUsers: (signal?: AbortSignal) => items(request<{ items: User[] }>('GET', '/api/users', { signal })),
    inviteUser: (input: NewUser) => request<{ user: User; inviteUrl: string }>('POST', '/api/users', { body: input }),
    updateUser: (id: string, patch: { role?: Role; disabled?: boolean; name?: string }) => request<User>('PATCH', `/api/users/${enc(id)}`, { body: patch }),

    listTouchpoints: (signal?: AbortSignal) => items(request<{ items: Touchpoint[] }>('GET', '/api/touchpoints', { query: { limit: LIST_LIMIT }, signal })),
    createTouchpoint: (input: NewTouchpoint) => request<Touchpoint>('POST', '/api/touchpoints', { body: input }),

    listMetrics: (signal?: AbortSignal) => items(request<{ items: Metric[] }>('GET', '/api/metrics', { query: { limit: LIST_LIMIT }, signal })),
    createMetric: (input: NewMetric) => request<Metric>('POST', '/api/metrics', { body: input }),
    updateMetric: (key: string, version: number, patch: Partial<Omit<NewMetric, 'key' | 'type'>>) =>
      request<Metric>('PATCH', `/api/metrics/${enc(key)}`, { body: patch, version }),

    listExperiments: (filters: ExperimentFilters = {}, signal?: AbortSignal) =>
      items(request<{ items: Experiment[] }>('GET', '/api/experiments', { query: { ...filters, limit: LIST_LIMIT }, signal })),
    getExperiment: (key: string, signal?: AbortSignal) => request<Experiment>('GET', `/api/experiments/${enc(key)}`, { signal }),
    createExperiment: (input: NewExperiment) => request<Experiment>('POST', '/api/experiments', { body: input }),
    updateExperiment: (key: string, version: number, patch: ExperimentPatch) =>
      request<Experiment>('PATCH', `/api/experiments/${enc(key)}`, { body: patch, version }),
    startExperiment: (key: string, version: number) => request<Experiment>('POST', `/api/experiments/${enc(key)}/start`, { version }),
    pauseExperiment: (key: string, version: number) => request<Experiment>('POST', `/api/experiments/${enc(key)}/pause`, { version }),
    stopExperiment: (key: string, version: number, decision: StopDecision) =>
      request<Experiment>('POST', `/api/experiments/${enc(key)}/stop`, { body: decision, version }),
    /** Ends a shipped winner's rollout: every visitor gets the default experience (the control) again. */
    endRollout: (key: string, version: number) => request<Experiment>('POST', `/api/experiments/${enc(key)}/rollout/end`, { version }),
    archiveExperiment: (key: string, version: number) => request<Experiment>('POST', `/api/experiments/${enc(key)}/archive`, { version }),
    unarchiveExperiment: (key: string, version: number) => request<Experiment>('POST', `/api/experiments/${enc(key)}/unarchive`, { version }),
    /** A signed ?tp_preview= link showing one variant on the shop (nothing logged). */
    createPreviewLink: (key: string, input: { variantKey: string; url?: string; expiresInHours?: number }) =>
      request<PreviewLink>('POST', `/api/experiments/${enc(key)}/preview-links`, { body: input }),
    experimentAudit: (key: string, signal?: AbortSignal) =>
      items(request<{ items: AuditEntry[] }>('GET', `/api/experiments/${enc(key)}/audit`, { query: { limit: 200 }, signal })),
    experimentResults: (key: string, query: ResultsQuery = {}, signal?: AbortSignal) =>
      request<ExperimentResults>('GET', `/api/experiments/${enc(key)}/results`, { query, signal }),
    /** The exposure attributes seen in the experiment, most units first: what results can be broken down by. */
    segmentAttributes: async (key: string, signal?: AbortSignal) =>
      (await request<{ attributes: SegmentAttribute[] }>('GET', `/api/experiments/${enc(key)}/segments`, { signal })).attributes,
    /** Every running experiment's stored headline in one request (never computes; null before a snapshot exists). */
    resultsSummary: (signal?: AbortSignal) => items(request<{ items: ResultsSummary[] }>('GET', '/api/results/summary', { signal })),
    /** Recomputes the results now (instead of serving the stored snapshot) and returns them. */
    refreshResults: (key: string, query: ResultsQuery = {}) =>
      request<ExperimentResults>('POST', `/api/experiments/${enc(key)}/results/refresh`, { query }),
    /** The results as CSV (a Blob with its file name), fetched so a failure shows as a message, not as a downloaded error page. */
    experimentResultsCsv: async (key: string, query: ResultsQuery = {}) => {
      const response = await requestRaw('GET', `/api/experiments/${enc(key)}/results`, { query: { ...query, format: 'csv' } }, 'text/csv');
      const disposition = response.headers.get('Content-Disposition') ?? '';
      const filename = /filename="?([^";]+)"?/.exec(disposition)?.[1] ?? `${key}-results.csv`;
      return { blob: await response.blob(), filename };
    },

    listKeys: (includeRevoked: boolean, signal?: AbortSignal) =>
      items(request<{ items: ApiKey[] }>('GET', '/api/keys', { query: { includeRevoked }, signal })),
    createKey: (input: NewApiKey) => request<ApiKey & { secret: string }>('POST', '/api/keys', { body: input }),
    revokeKey: (id: string) => request<void>('DELETE', `/api/keys/${enc(id)}`),

    listNamespaces: (signal?: AbortSignal) => items(request<{ items: NamespaceUsage[] }>('GET', '/api/namespaces', { signal })),
    listWebhooks: (signal?: AbortSignal) => items(request<{ items: Webhook[] }>('GET', '/api/webhooks', { signal })),
    createWebhook: (input: NewWebhook) => request<Webhook & { secret: string }>('POST', '/api/webhooks', { body: input }),
    deleteWebhook: (id: string) => request<void>('DELETE', `/api/webhooks/${enc(id)}`),
    webhookDeliveries: (id: string, signal?: AbortSignal) =>
      items(request<{ items: WebhookDelivery[] }>('GET', `/api/webhooks/${enc(id)}/deliveries`, { query: { limit: 20 }, signal })),

    sampleSize: (query: SampleSizeQuery, signal?: AbortSignal) => request<SampleSize>('GET', '/api/stats/sample-size', { query: { ...query }, signal }),
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;

/** `segment`: the exposure attribute to break down by; `segmentMetric`: the metric broken down (default: the primary). */
export type ResultsQuery = {
  segment?: string | undefined;
  segmentMetric?: string | undefined;
};

export interface SegmentAttribute {
  name: string;
  /** Analysed units whose exposure carries the attribute. */
  units: number;
}
export { ApiError };
