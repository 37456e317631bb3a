import { z } from 'zod';

/** One change-history entry as GET /api/experiments/:key/audit answers it (AuditRecord). */
export const auditRecordSchema = z.object({
  id: z.number().int(),
  at: z.iso.datetime(),
  keyId: z.string().nullable(),
  requestId: z.string().nullable(),
  entityType: z.enum(['touchpoint', 'metric', 'experiment', 'api_key', 'unit', 'webhook']),
  entityKey: z.string(),
  action: z.string(),
  /** The entity before and after the change (null when created or deleted). */
  before: z.unknown().nullable(),
  after: z.unknown().nullable(),
});
