import { type Kysely, sql } from 'kysely';
import { expect } from 'vitest';
import { connect } from '../db/connect.js';
import type { Database } from '../db/schema.js';
import { startTcpProxy } from './tcp-proxy.js';
import { countEvents, countExposures, createEventsHarness, event, exposure } from './test-support.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(what: string, condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/**
 * design.md §7: "a 2xx on /sdk/events means the events are committed". The network between the app
 * and PostgreSQL fails in the middle of a load from concurrent clients; the server must answer 503
 * (never 2xx for items it could not commit), and once the network is back, clients retrying with the
 * same ids must end with every acknowledged item stored exactly once.
 * `cut`: every connection is reset and new ones refused. `black-hole`: a silent partition, nothing
 * answers and nothing is reset; only the pool's deadlines (db/deadlines.ts, here 1 s) turn it into
 * 503s, and a commit whose answer was lost is not acknowledged, so its retry is a duplicate.
 * Run from ingest.test.ts on PostgreSQL only.
 */
export async function runFaultScenario(suiteDb: Kysely<Database>, mode: 'cut' | 'black-hole' = 'cut'): Promise<void> {
  const cleanup: Array<() => Promise<void>> = [];
  // Item ids of their own per mode: both scenarios run on one suite database.
  const ID_PREFIX = mode === 'cut' ? 'f' : 'fb';
  try {
    // The suite's database, reached through a proxy we can cut (the real server keeps running).
    const { rows } = await sql<{ name: string }>`select current_database() as name`.execute(suiteDb);
    const base = new URL(process.env.DATABASE_URL!);
    const proxy = await startTcpProxy({ host: base.hostname, port: Number(base.port || 5432) });
    const url = new URL(base);
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    url.pathname = `/${rows[0]!.name}`;
    const proxied = await connect({ databaseUrl: url.toString(), poolSize: 4, statementTimeoutMs: 1000 });
    cleanup.push(() => proxy.close(), () => proxied.close());
    const h = await createEventsHarness(proxied.db);

    const CLIENTS = 6;
    const ITEMS_PER_KIND = 10;
    const MAX_BATCHES_PER_CLIENT = 300;
    const MAX_ATTEMPTS_PER_BATCH = 500;
    const tally = { acked: 0, ackedAfterRestore: 0, unavailable: 0, other: [] as string[], duplicatesReported: 0 };
    const ackedEvents: string[] = [];
    const ackedExposures: string[] = [];
    let phase: 'before' | 'down' | 'restored' = 'before';

    // Each client sends fresh batches, retrying each with the same ids until 202, like the SDK does,
    // and keeps going until the outage is over and it has had a few batches through after it.
    const runClient = async (client: number) => {
      let afterRestore = 0;
      for (let b = 0; b < MAX_BATCHES_PER_CLIENT && afterRestore < 3; b++) {
        const prefix = `${ID_PREFIX}-${client}-${b}`;
        const items = [
          ...Array.from({ length: ITEMS_PER_KIND }, (_, i) => exposure(`${prefix}-x${i}`, `fu-${prefix}-${i}`, i % 2 ? 'urgent' : 'control')),
          ...Array.from({ length: ITEMS_PER_KIND }, (_, i) => event(`${prefix}-e${i}`, `fu-${prefix}-${i}`, 'purchase', { value: i })),
        ];
        for (let attempt = 1; ; attempt++) {
          if (attempt > MAX_ATTEMPTS_PER_BATCH) throw new Error(`batch ${prefix} never acknowledged`);
          const res = await h.send({ items });
          if (res.status === 202) {
            const body = (await res.json()) as { accepted: number; duplicates: number; rejected: unknown[] };
            expect(body.rejected).toEqual([]);
            expect(body.accepted + body.duplicates).toBe(items.length);
            tally.duplicatesReported += body.duplicates;
            tally.acked++;
            if (phase === 'restored') (tally.ackedAfterRestore++, afterRestore++);
            ackedExposures.push(...items.filter((i) => i.type === 'exposure').map((i) => i.id));
            ackedEvents.push(...items.filter((i) => i.type === 'event').map((i) => i.id));
            break;
          }
          if (res.status === 503) {
            tally.unavailable++;
            const problem = (await res.json()) as { type: string };
            if (problem.type !== '/problems/service-unavailable' || !res.headers.get('retry-after')) tally.other.push(`503 ${problem.type}`);
          } else {
            tally.other.push(`${res.status} ${await res.text()}`);
          }
          await sleep(20 + ((client * 7 + attempt * 13) % 30)); // backoff with spread
        }
      }
    };

    const load = Promise.all(Array.from({ length: CLIENTS }, (_, c) => runClient(c)));
    await waitFor('some batches acknowledged before the cut', () => tally.acked >= 2 * CLIENTS);
    if (mode === 'cut') proxy.cut();
    else proxy.blackHole();
    phase = 'down';
    await waitFor('503 answers during the outage', () => tally.unavailable >= 3 * CLIENTS);
    await sleep(500);
    proxy.restore();
    phase = 'restored';
    await load;

    expect(tally.other).toEqual([]);
    expect(tally.unavailable).toBeGreaterThan(0);
    expect(tally.ackedAfterRestore).toBeGreaterThanOrEqual(3 * CLIENTS);
    // Exactly once: every acknowledged id is stored, none twice (event ids are unique, and each unit has
    // one exposure row per experiment), and every exposed unit's row comes from its own item.
    expect(await countEvents(h.db, ackedEvents)).toBe(ackedEvents.length);
    expect(await countExposures(h.db, ackedExposures)).toBe(ackedExposures.length);
    const units = await h.db.selectFrom('exposures').select(['unit_id', 'first_item_id', 'multiple_variants']).where('unit_id', 'like', `fu-${ID_PREFIX}-%`).execute();
    expect(units.length).toBe(ackedExposures.length);
    expect(units.every((u) => !u.multiple_variants && u.first_item_id.startsWith(u.unit_id.slice(3, u.unit_id.lastIndexOf('-'))))).toBe(true);
    const stored = await h.db.selectFrom('events').select((eb) => eb.fn.countAll<number>().as('n')).where('event_id', 'like', `${ID_PREFIX}-%`).executeTakeFirstOrThrow();
    expect(Number(stored.n)).toBe(ackedEvents.length);
    console.info(`[fault ${mode}] ${tally.acked} batches acknowledged, ${tally.unavailable} answers 503, ${tally.duplicatesReported} duplicates reported on retries`);
  } finally {
    for (const step of cleanup.reverse()) await step();
  }
}
