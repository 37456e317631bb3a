/**
 * The outbox: unsent items in memory, mirrored to storage when consent allows, so that items
 * survive a page load. Bounded: an item that does not fit is refused and the overflow reported.
 */
import type { TrackingContext } from '../client-types.js';
import { readJson, writeJson } from '../io.js';
import type { WireItem } from './wire.js';

export interface Outbox {
  readonly items: WireItem[];
  /** False when the queue is full (the caller reports the overflow). */
  add(item: WireItem): boolean;
  remove(ids: Set<string>): void;
  /** Mirror to storage (no-op without consent or storage). */
  save(): void;
  clear(): void;
}

export function createOutbox(ctx: TrackingContext, key: string, capacity: number): Outbox {
  const { storage } = ctx.io;
  let storageFailed = false;
  // Items stored by an earlier page (with consent then) are picked up again.
  const stored = readJson<WireItem[]>(storage, key);
  const items: WireItem[] = Array.isArray(stored) ? stored.slice(0, capacity) : [];

  const save = () => {
    if (!ctx.canStore()) return;
    const ok = writeJson(storage, key, items.length ? items : undefined);
    if (!ok && !storageFailed) ctx.report({ type: 'storage', message: 'could not persist the event queue (storage full?)' });
    storageFailed = !ok;
  };

  return {
    items,
    add(item) {
      if (items.length >= capacity) return false;
      items.push(item);
      save();
      return true;
    },
    remove(ids) {
      let w = 0;
      for (const item of items) if (!ids.has(item.id)) items[w++] = item;
      items.length = w;
      save();
    },
    save,
    clear() {
      items.length = 0;
      writeJson(storage, key, undefined);
    },
  };
}

/** Exposures already logged, as `unit|experiment|variant`, remembered across page loads (bounded). */
export function createSeenSet(ctx: TrackingContext, key: string, capacity: number) {
  const stored = readJson<string[]>(ctx.io.storage, key);
  const seen = new Set<string>(Array.isArray(stored) ? stored : []);
  return {
    has: (k: string) => seen.has(k),
    add(k: string) {
      seen.add(k);
      // Oldest first in insertion order: forget the oldest beyond capacity.
      for (const old of seen) {
        if (seen.size <= capacity) break;
        seen.delete(old);
      }
      this.save();
    },
    save() {
      if (ctx.canStore()) writeJson(ctx.io.storage, key, [...seen]);
    },
    clear() {
      seen.clear();
      writeJson(ctx.io.storage, key, undefined);
    },
  };
}
