import type { z } from 'zod';

/** One documented operation; `path` uses OpenAPI's `{param}` syntax. */
export interface Operation {
  method: 'get' | 'post' | 'patch' | 'delete' | 'put';
  path: string;
  summary: string;
  tag: string;
  auth?: 'admin' | 'sdk' | 'none';
  query?: z.ZodType;
  body?: z.ZodType;
  response?: z.ZodType;
  status?: number;
}

