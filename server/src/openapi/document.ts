import { z } from 'zod';
import { auditQuery } from '../experiments/routes.js';
import {
  createExperimentSchema, experimentSchema, lifecycleSchema, listExperimentsQuery, stopExperimentSchema, updateExperimentSchema,
} from '../experiments/schemas.js';
import { apiKeySchema, createKeySchema, listKeysQuery } from '../keys/schemas.js';
import { createMetricSchema, listMetricsQuery, metricSchema, updateMetricSchema } from '../metrics/schemas.js';
import { PROBLEM_TYPES } from '../http/problem.js';
import { createTouchpointSchema, listTouchpointsQuery, touchpointSchema, updateTouchpointSchema } from '../touchpoints/schemas.js';
import { statsOperations } from '../stats/routes.js';
import { sdkOperations } from '../sdk/routes.js';
import { resultsOperations } from '../results/routes.js';
import { resultsSummaryOperation } from '../results/summary.js';
import { unitOperations } from '../units/routes.js';
import type { Operation } from './registry.js';

/**
 * OpenAPI 3.1 generated from the very zod schemas that validate requests (zod's JSON Schema output is
 * draft 2020-12, which OpenAPI 3.1 uses as is). Features that add routes export their operations and are listed here.
 */
const list = (item: z.ZodType) => z.object({ items: z.array(item) });
const withSecret = apiKeySchema.extend({ secret: z.string().describe('Shown once, never stored in clear') });

const core: Operation[] = [
  { method: 'get', path: '/health', summary: 'Liveness', tag: 'health', auth: 'none', response: z.object({ status: z.string() }) },
  { method: 'get', path: '/ready', summary: 'Readiness (checks the database)', tag: 'health', auth: 'none', response: z.object({ status: z.string() }) },
  { method: 'get', path: '/openapi.json', summary: 'This document', tag: 'meta', auth: 'none' },
  {
    method: 'get',
    path: '/problems/{type}',
    summary: 'What a problem type means: every problem document links here through its `type`',
    tag: 'meta',
    auth: 'none',
    response: z.object({ type: z.string(), title: z.string(), status: z.number().int(), description: z.string() }),
  },
  { method: 'get', path: '/api/touchpoints', summary: 'List touchpoints', tag: 'touchpoints', query: listTouchpointsQuery, response: list(touchpointSchema) },
  { method: 'post', path: '/api/touchpoints', summary: 'Create a touchpoint', tag: 'touchpoints', body: createTouchpointSchema, response: touchpointSchema, status: 201 },
  { method: 'get', path: '/api/touchpoints/{key}', summary: 'Read a touchpoint', tag: 'touchpoints', response: touchpointSchema },
  { method: 'patch', path: '/api/touchpoints/{key}', summary: 'Update a touchpoint (If-Match or version)', tag: 'touchpoints', body: updateTouchpointSchema, response: touchpointSchema },
  { method: 'delete', path: '/api/touchpoints/{key}', summary: 'Delete an unused touchpoint', tag: 'touchpoints', status: 204 },
  { method: 'get', path: '/api/metrics', summary: 'List metrics', tag: 'metrics', query: listMetricsQuery, response: list(metricSchema) },
  { method: 'post', path: '/api/metrics', summary: 'Create a metric', tag: 'metrics', body: createMetricSchema, response: metricSchema, status: 201 },
  { method: 'get', path: '/api/metrics/{key}', summary: 'Read a metric', tag: 'metrics', response: metricSchema },
  { method: 'patch', path: '/api/metrics/{key}', summary: 'Update a metric (If-Match or version)', tag: 'metrics', body: updateMetricSchema, response: metricSchema },
  { method: 'get', path: '/api/experiments', summary: 'List experiments', tag: 'experiments', query: listExperimentsQuery, response: list(experimentSchema) },
  { method: 'post', path: '/api/experiments', summary: 'Create an experiment (draft)', tag: 'experiments', body: createExperimentSchema, response: experimentSchema, status: 201 },
  { method: 'get', path: '/api/experiments/{key}', summary: 'Read an experiment', tag: 'experiments', response: experimentSchema },
  { method: 'patch', path: '/api/experiments/{key}', summary: 'Update an experiment (If-Match or version)', tag: 'experiments', body: updateExperimentSchema, response: experimentSchema },
  { method: 'post', path: '/api/experiments/{key}/start', summary: 'Start or resume', tag: 'experiments', body: lifecycleSchema, response: experimentSchema },
  { method: 'post', path: '/api/experiments/{key}/pause', summary: 'Pause', tag: 'experiments', body: lifecycleSchema, response: experimentSchema },
  { method: 'post', path: '/api/experiments/{key}/stop', summary: 'Stop with a decision', tag: 'experiments', body: stopExperimentSchema, response: experimentSchema },
  { method: 'post', path: '/api/experiments/{key}/archive', summary: 'Archive (draft or stopped)', tag: 'experiments', body: lifecycleSchema, response: experimentSchema },
  { method: 'post', path: '/api/experiments/{key}/unarchive', summary: 'Unarchive', tag: 'experiments', body: lifecycleSchema, response: experimentSchema },
  { method: 'get', path: '/api/experiments/{key}/audit', summary: 'Change history', tag: 'experiments', query: auditQuery },
  { method: 'get', path: '/api/keys', summary: 'List API keys (never their secrets)', tag: 'keys', query: listKeysQuery, response: list(apiKeySchema) },
  { method: 'post', path: '/api/keys', summary: 'Create a key; the secret is returned once', tag: 'keys', body: createKeySchema, response: withSecret, status: 201 },
  { method: 'delete', path: '/api/keys/{id}', summary: 'Revoke a key', tag: 'keys', status: 204 },
];

const toSchema = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' });

function operationObject(op: Operation) {
  const params = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
  if (op.query) {
    const schema = toSchema(op.query) as { properties?: Record<string, unknown>; required?: string[] };
    for (const [name, property] of Object.entries(schema.properties ?? {})) {
      params.push({ name, in: 'query', required: schema.required?.includes(name) ?? false, schema: property as { type: string } });
    }
  }
  const status = String(op.status ?? 200);
  return {
    summary: op.summary,
    tags: [op.tag],
    ...(op.auth === 'none' ? { security: [] } : op.auth === 'sdk' ? { security: [{ sdkKey: [] }, { sdkKeyQuery: [] }] } : {}),
    ...(params.length && { parameters: params }),
    ...(op.body && { requestBody: { required: op.method !== 'post' || !op.path.match(/start|pause|stop|archive/), content: { 'application/json': { schema: toSchema(op.body) } } } }),
    responses: {
      [status]: op.response ? { description: 'OK', content: { 'application/json': { schema: toSchema(op.response) } } } : { description: 'OK' },
      '4XX': { $ref: '#/components/responses/Problem' },
      '5XX': { $ref: '#/components/responses/Problem' },
    },
  };
}

export function buildOpenApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of [...core, ...statsOperations, ...sdkOperations, ...unitOperations, ...resultsOperations, resultsSummaryOperation]) {
    paths[op.path] ??= {};
    paths[op.path]![op.method] = operationObject(op);
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Touchpoint API', version: '0.1.0', description: 'A/B testing for e-commerce funnel touchpoints. Errors are RFC 9457 problem documents.' },
    security: [{ adminKey: [] }],
    components: {
      securitySchemes: {
        adminKey: { type: 'http', scheme: 'bearer', description: 'Admin key: everything under /api' },
        sdkKey: { type: 'http', scheme: 'bearer', description: 'SDK key: /sdk/* only' },
        sdkKeyQuery: { type: 'apiKey', in: 'query', name: 'sdkKey', description: 'The SDK key as `?sdkKey=`, for navigator.sendBeacon, which cannot set headers' },
      },
      responses: {
        Problem: {
          description: 'RFC 9457 problem document',
          content: {
            'application/problem+json': {
              schema: {
                type: 'object',
                properties: {
                  type: { type: 'string', enum: Object.keys(PROBLEM_TYPES).map((t) => `/problems/${t}`) },
                  title: { type: 'string' }, status: { type: 'integer' }, detail: { type: 'string' },
                  instance: { type: 'string' }, requestId: { type: 'string' },
                  errors: { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, pointer: { type: 'string' }, detail: { type: 'string' } } } },
                },
                required: ['type', 'title', 'status'],
              },
            },
          },
        },
      },
    },
    paths,
  };
}
