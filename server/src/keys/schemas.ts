import { z } from 'zod';
import { text } from '../http/schema-helpers.js';
import { booleanQuery } from '../experiments/schemas.js';
import { ROLES } from '../access/roles.js';

/** A browser origin allowed to send events with an SDK key: scheme://host[:port], or "*". */
const origin = z.string().max(300).refine((value) => {
  if (value === '*') return true;
  try {
    const url = new URL(value);
    // A browser's Origin header never holds a wildcard: "https://*.example.com" would parse, be
    // stored, and then silently match nothing.
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value && !url.hostname.includes('*');
  } catch {
    return false;
  }
}, 'must be an origin such as "https://shop.example.com" (no path, no trailing slash) or "*"');

export const createKeySchema = z.strictObject({
  kind: z.enum(['admin', 'sdk']).optional().describe('admin (the /api, for automation) or sdk (public, /sdk/* only); required, as kind or as type'),
  type: z.enum(['admin', 'sdk']).optional().describe('The same as kind (design.md §9 spells it type); send one of them'),
  name: text(100, 1),
  role: z.enum(ROLES).optional().describe('Admin keys: what the key may do, like a person\'s role (viewer: read-only automation); admin by default. Not for SDK keys'),
  allowedOrigins: z
    .array(origin)
    .max(50)
    .default([])
    .describe('SDK keys: the browser origins that may use the key. Empty (the default) = any origin: SDK keys are public, a list only narrows them (sdk/cors.ts)'),
});

export const listKeysQuery = z.strictObject({ includeRevoked: booleanQuery.default(false) });

export const apiKeySchema = z.object({
  id: z.string(),
  kind: z.enum(['admin', 'sdk']),
  name: z.string(),
  role: z.enum(ROLES).nullable().describe('Admin keys: viewer, editor or admin; null for SDK keys'),
  prefix: z.string(),
  allowedOrigins: z.array(z.string()),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
