import { z } from 'zod';

/** One change-history entry as GET /api/experiments/:key/audit answers it (AuditRecord). */
export const auditRecordSchema = z.object({
  id: z.number().int(),
  at: z.iso.datetime(),
  keyId: z.string().nullable(),
  requestId: z.string().nullable(),
  actor: z
    .object({ type: z.enum(['user', 'key']), id: z.string(), name: z.string() })
    .nullable()
    .describe('Who made the change: a person (user) or an API key; null for the server itself (first start, demo data)'),
  entityType: z.enum(['touchpoint', 'metric', 'experiment', 'api_key', 'unit', 'webhook', 'user']),
  entityKey: z.string(),
  action: z.string(),
  /** The entity before and after the change (null when created or deleted). */
  before: z.unknown().nullable(),
  after: z.unknown().nullable(),
});
