// The wire format of POST /sdk/events (design.md §6).
import type { Attributes } from '../types.js';

export interface WireItem {
  /** Client-generated, so that a retried batch is idempotent on the server. */
  id: string;
  type: 'exposure' | 'event' | 'identify';
  unitId: string;
  /** identify: the id used before signing in. */
  anonymousId?: string;
  experimentKey?: string;
  variantKey?: string;
  name?: string;
  value?: number;
  /** ISO 8601, from the injected clock. */
  timestamp: string;
  attributes?: Attributes;
}

export interface EventsResponse {
  accepted?: number;
  duplicates?: number;
  rejected?: Array<{ index: number; id?: string; reason?: string }>;
}
