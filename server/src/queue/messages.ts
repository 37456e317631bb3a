/**
 * What one item looks like on the ingestion stream (INGEST_QUEUE, design.md §12): a row already
 * classified and resolved by POST /sdk/events (the experiment id and variant index come from the
 * server's catalog at receive time), with the time it was received. Pure: no I/O.
 *
 * Short keys: this JSON is written and read once per item ingested. The reader validates everything,
 * since the stream is reachable by anyone with access to NATS: a message that does not decode is a
 * poison item (dead-lettered by the writer), never a crash or a half-written batch.
 */
import { z } from 'zod';
import type { AliasRow, EventRow, ExposureRow } from '../events/classify.js';

export type QueuedItem =
  | { kind: 'event'; row: EventRow; receivedAt: Date }
  | { kind: 'exposure'; row: ExposureRow; receivedAt: Date }
  | { kind: 'alias'; row: AliasRow; receivedAt: Date };

const attributes = z.record(z.string(), z.unknown()).nullable();
const instant = z.string().refine((s) => Number.isFinite(Date.parse(s)), 'not a date');
const wire = z.discriminatedUnion('k', [
  z.object({ k: z.literal('e'), id: z.string().min(1), u: z.string(), n: z.string().min(1), v: z.number().finite().nullable(), t: instant, a: attributes, r: instant }),
  z.object({ k: z.literal('x'), id: z.string().min(1), x: z.number().int().positive(), u: z.string(), vi: z.number().int().min(0), t: instant, a: attributes, r: instant }),
  // identify: `an` (the anonymous id) belongs to the account `u`
  z.object({ k: z.literal('a'), id: z.string().min(1), u: z.string().min(1), an: z.string().min(1), t: instant, r: instant }).refine((m) => m.u !== m.an, 'a link to itself'),
]);

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function encodeEvent(row: EventRow, receivedAt: Date): Uint8Array {
  return encoder.encode(JSON.stringify({ k: 'e', id: row.eventId, u: row.unitId, n: row.name, v: row.value, t: row.occurredAt.toISOString(), a: row.attributes, r: receivedAt.toISOString() }));
}

export function encodeExposure(row: ExposureRow, receivedAt: Date): Uint8Array {
  return encoder.encode(JSON.stringify({ k: 'x', id: row.itemId, x: row.experimentId, u: row.unitId, vi: row.variantIndex, t: row.exposedAt.toISOString(), a: row.attributes, r: receivedAt.toISOString() }));
}

export function encodeAlias(row: AliasRow, receivedAt: Date): Uint8Array {
  return encoder.encode(JSON.stringify({ k: 'a', id: row.itemId, u: row.unitId, an: row.aliasId, t: row.linkedAt.toISOString(), r: receivedAt.toISOString() }));
}

export class PoisonItemError extends Error {}

/** The item a message carries; PoisonItemError when it is not one (bad UTF-8, JSON or shape). */
export function decodeItem(data: Uint8Array): QueuedItem {
  let parsed: z.infer<typeof wire>;
  try {
    parsed = wire.parse(JSON.parse(decoder.decode(data)));
  } catch (error) {
    throw new PoisonItemError(`not an ingestion item: ${error instanceof Error ? error.message.slice(0, 200) : String(error)}`);
  }
  const receivedAt = new Date(parsed.r);
  if (parsed.k === 'e') {
    return { kind: 'event', receivedAt, row: { eventId: parsed.id, unitId: parsed.u, name: parsed.n, value: parsed.v, occurredAt: new Date(parsed.t), attributes: parsed.a } };
  }
  if (parsed.k === 'a') return { kind: 'alias', receivedAt, row: { itemId: parsed.id, aliasId: parsed.an, unitId: parsed.u, linkedAt: new Date(parsed.t) } };
  return { kind: 'exposure', receivedAt, row: { itemId: parsed.id, experimentId: parsed.x, unitId: parsed.u, variantIndex: parsed.vi, exposedAt: new Date(parsed.t), attributes: parsed.a } };
}
