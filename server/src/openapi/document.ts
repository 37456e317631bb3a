import { z } from 'zod';
import { auditQuery } from '../experiments/routes.js';
import { namespaceOperations } from '../experiments/namespace-routes.js';
import {
  createExperimentSchema, experimentSchema, lifecycleSchema, listExperimentsQuery, stopExperimentSchema, updateExperimentSchema,
} from '../experiments/schemas.js';
import { apiKeySchema, createKeySchema, listKeysQuery } from '../keys/schemas.js';
import { createMetricSchema, listMetricsQuery, metricSchema, updateMetricSchema } from '../metrics/schemas.js';
import { createTouchpointSchema, listTouchpointsQuery, touchpointSchema, updateTouchpointSchema } from '../touchpoints/schemas.js';
import { statsOperations } from '../stats/routes.js';
import { sdkOperations } from '../sdk/routes.js';
import { scriptTagOperation } from '../sdk/script-tag.js';
import { previewOperations } from '../experiments/preview-routes.js';
import { metricsOperation } from '../telemetry/routes.js';
import { resultsOperations } from '../results/routes.js';
import { resultsSummaryOperation } from '../results/summary.js';
import { unitOperations } from '../units/routes.js';
import { webhookOperations } from '../webhooks/routes.js';
import { authOperations } from '../auth/operations.js';
import { userOperations } from '../users/routes.js';
import type { Operation } from './registry.js';
import { conditionalParameters, headerComponents, problemResponseComponents, responsesOf, toSchema } from './responses.js';
import { auditRecordSchema } from '../audit/schemas.js';

/**
 * OpenAPI 3.1 generated from the very zod schemas that validate requests (zod's JSON Schema output is
 * draft 2020-12, which OpenAPI 3.1 uses as is). Features that add routes export their operations and are listed here.
 */
const list = (item: z.ZodType) => z.object({ items: z.array(item) });
const withSecret = apiKeySchema.extend({ secret: z.string().describe('Shown once, never stored in clear') });
const status = z.object({ status: z.string() });

/** Catalog resources carry their version as an ETag; edits send it back as If-Match. */
const read = { headers: ['ETag'] } as const;
const created = { status: 201, headers: ['ETag', 'Location'], problems: [409] } as const;
const edit = { headers: ['ETag'], conditional: 'if-match' } as const;
/** Lifecycle actions: the body (`{ version }`) and If-Match are optional; a move the status does not allow is a 409. */
const lifecycle = { body: lifecycleSchema, optionalBody: true, response: experimentSchema, headers: ['ETag'], conditional: 'if-match-optional', problems: [409] } as const;

const core: Operation[] = [
  { method: 'get', path: '/health', summary: 'Liveness', tag: 'health', auth: 'none', response: status },
  {
    method: 'get',
    path: '/ready',
    summary: 'Readiness (checks the database, and the event store with EVENT_STORE=clickhouse)',
    tag: 'health',
    auth: 'none',
    response: z.object({ status: z.literal('ready'), database: z.literal('ok'), eventStore: z.literal('ok').optional() }),
    otherResponses: {
      503: { description: 'The database (or the ClickHouse event store: `eventStore`: "unreachable") is unreachable, or the instance is shutting down (`database`: "not checked: shutting down"): take this instance out of rotation', schema: z.object({ status: z.literal('unavailable'), database: z.string(), eventStore: z.string().optional() }), headers: ['Retry-After'] },
    },
  },
  {
    method: 'get',
    path: '/openapi.json',
    summary: 'This document',
    tag: 'meta',
    auth: 'none',
    response: z.looseObject({ openapi: z.literal('3.1.0'), info: z.record(z.string(), z.unknown()), paths: z.record(z.string(), z.unknown()) }),
  },
  {
    method: 'get',
    path: '/problems/{type}',
    summary: 'What a problem type means: every problem document links here through its `type`',
    tag: 'meta',
    auth: 'none',
    response: z.object({ type: z.string(), title: z.string(), status: z.number().int(), description: z.string() }),
  },
  { method: 'get', path: '/api/touchpoints', summary: 'List touchpoints', role: 'viewer', tag: 'touchpoints', query: listTouchpointsQuery, response: list(touchpointSchema) },
  { method: 'post', path: '/api/touchpoints', summary: 'Create a touchpoint', role: 'editor', tag: 'touchpoints', body: createTouchpointSchema, response: touchpointSchema, ...created },
  { method: 'get', path: '/api/touchpoints/{key}', summary: 'Read a touchpoint', role: 'viewer', tag: 'touchpoints', response: touchpointSchema, ...read },
  { method: 'patch', path: '/api/touchpoints/{key}', summary: 'Update a touchpoint (If-Match or version)', role: 'editor', tag: 'touchpoints', body: updateTouchpointSchema, response: touchpointSchema, ...edit },
  { method: 'delete', path: '/api/touchpoints/{key}', summary: 'Delete a touchpoint no experiment uses (409 otherwise)', role: 'editor', tag: 'touchpoints', status: 204, problems: [409] },
  { method: 'get', path: '/api/metrics', summary: 'List metrics', role: 'viewer', tag: 'metrics', query: listMetricsQuery, response: list(metricSchema) },
  { method: 'post', path: '/api/metrics', summary: 'Create a metric', role: 'editor', tag: 'metrics', body: createMetricSchema, response: metricSchema, ...created },
  { method: 'get', path: '/api/metrics/{key}', summary: 'Read a metric', role: 'viewer', tag: 'metrics', response: metricSchema, ...read },
  { method: 'patch', path: '/api/metrics/{key}', summary: 'Update a metric (If-Match or version)', role: 'editor', tag: 'metrics', body: updateMetricSchema, response: metricSchema, ...edit },
  { method: 'get', path: '/api/experiments', summary: 'List experiments', role: 'viewer', tag: 'experiments', query: listExperimentsQuery, response: list(experimentSchema) },
  { method: 'post', path: '/api/experiments', summary: 'Create an experiment (draft)', role: 'editor', tag: 'experiments', body: createExperimentSchema, response: experimentSchema, ...created },
  { method: 'get', path: '/api/experiments/{key}', summary: 'Read an experiment', role: 'viewer', tag: 'experiments', response: experimentSchema, ...read },
  {
    method: 'patch',
    path: '/api/experiments/{key}',
    summary: 'Update an experiment (If-Match or version); structural changes to a running one are a 409 unless they start a new phase',
    tag: 'experiments',
    role: 'editor',
    body: updateExperimentSchema,
    response: experimentSchema,
    ...edit,
  },
  {
    method: 'post',
    path: '/api/experiments/{key}/start',
    summary: 'Start or resume; 409 namespace-conflict when its namespace range overlaps a running or paused experiment of the namespace',
    tag: 'experiments',
    role: 'editor',
    ...lifecycle,
  },
  { method: 'post', path: '/api/experiments/{key}/pause', summary: 'Pause', role: 'editor', tag: 'experiments', ...lifecycle },
  {
    method: 'post',
    path: '/api/experiments/{key}/stop',
    summary: 'Stop with a decision; with `ship: true` the winner is served to everyone (`rollout`) until the rollout is ended',
    tag: 'experiments',
    role: 'editor',
    ...lifecycle,
    body: stopExperimentSchema,
  },
  {
    method: 'post',
    path: '/api/experiments/{key}/rollout/end',
    summary: 'End the rollout of a shipped winner: /sdk/config stops serving it, everyone is back to the default experience (409 when there is no rollout)',
    tag: 'experiments',
    role: 'editor',
    ...lifecycle,
  },
  { method: 'post', path: '/api/experiments/{key}/archive', summary: 'Archive (draft or stopped)', role: 'editor', tag: 'experiments', ...lifecycle },
  { method: 'post', path: '/api/experiments/{key}/unarchive', summary: 'Unarchive', role: 'editor', tag: 'experiments', ...lifecycle },
  { method: 'get', path: '/api/experiments/{key}/audit', summary: 'Change history, newest first', role: 'viewer', tag: 'experiments', query: auditQuery, response: list(auditRecordSchema) },
  { method: 'get', path: '/api/keys', summary: 'List API keys (never their secrets)', role: 'admin', tag: 'keys', query: listKeysQuery, response: list(apiKeySchema) },
  { method: 'post', path: '/api/keys', summary: 'Create a key; the secret is returned once', role: 'admin', tag: 'keys', body: createKeySchema, response: withSecret, status: 201 },
  { method: 'delete', path: '/api/keys/{id}', summary: 'Revoke a key (409 for the last active admin key)', role: 'admin', tag: 'keys', status: 204, problems: [409] },
];

/** Every documented operation: the core above and those the features export. */
export const operations: readonly Operation[] = [...core, ...authOperations, ...userOperations, metricsOperation, ...statsOperations, ...sdkOperations, scriptTagOperation, ...previewOperations, ...namespaceOperations, ...unitOperations, ...webhookOperations, ...resultsOperations, resultsSummaryOperation];

function bodyContent(body: z.ZodType, alsoAccepts: readonly string[]) {
  const schema = toSchema(body);
  return Object.fromEntries(['application/json', ...alsoAccepts].map((type) => [type, { schema }]));
}

function operationObject(op: Operation) {
  const params: Record<string, unknown>[] = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
  if (op.query) {
    const schema = toSchema(op.query) as { properties?: Record<string, unknown>; required?: string[] };
    for (const [name, property] of Object.entries(schema.properties ?? {})) {
      params.push({ name, in: 'query', required: schema.required?.includes(name) ?? false, schema: property });
    }
  }
  params.push(...conditionalParameters(op));
  return {
    summary: op.summary,
    ...(op.role && { description: `Needs the role **${op.role}**${op.role === 'admin' ? '' : ' or above'} (a signed-in person or an admin key with that role); a signed-in write also needs X-CSRF-Token.` }),
    tags: [op.tag],
    ...(op.role && { 'x-required-role': op.role }),
    ...(op.auth === 'none' ? { security: [] } : op.auth === 'sdk' ? { security: [{ sdkKey: [] }, { sdkKeyQuery: [] }] } : {}),
    ...(params.length && { parameters: params }),
    ...(op.body && { requestBody: { required: !op.optionalBody, content: bodyContent(op.body, op.alsoAccepts ?? []) } }),
    responses: responsesOf(op),
  };
}

export function buildOpenApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations) {
    paths[op.path] ??= {};
    paths[op.path]![op.method] = operationObject(op);
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Touchpoint API', version: '0.1.0', description: 'A/B testing for e-commerce funnel touchpoints. Errors are RFC 9457 problem documents.' },
    security: [{ adminKey: [] }, { session: [] }],
    components: {
      securitySchemes: {
        adminKey: { type: 'http', scheme: 'bearer', description: 'Admin key: everything under /api that its role allows (admin keys carry a role, admin by default)' },
        session: { type: 'apiKey', in: 'cookie', name: 'tp_session', description: 'A person signed in with POST /api/auth/login (or SSO): the HttpOnly cookie, and X-CSRF-Token on every write' },
        sdkKey: { type: 'http', scheme: 'bearer', description: 'SDK key: /sdk/* only' },
        sdkKeyQuery: { type: 'apiKey', in: 'query', name: 'sdkKey', description: 'The SDK key as `?sdkKey=`, for navigator.sendBeacon, which cannot set headers' },
      },
      headers: headerComponents,
      responses: problemResponseComponents(),
    },
    paths,
  };
}
