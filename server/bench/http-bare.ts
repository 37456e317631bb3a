/**
 * The reference servers of bench/http.bench.ts, run in their own process (one core, like the real
 * server): a bare Hono JSON endpoint answering the same config body the real /sdk/config answers,
 * and a bare hash-and-assign endpoint that reads a JSON body and assigns with the SDK's own
 * `assignVariant` — the work /sdk/assign cannot avoid, with none of the service around it.
 *
 *   BARE_PORT=… BARE_CONFIG='{"experiments":[…]}' tsx --conditions=source bench/http-bare.ts
 */
import { serve } from '@hono/node-server';
import { type SdkConfig, assignVariant } from '@touchpoint/client-sdk';
import { Hono } from 'hono';

const config = JSON.parse(process.env.BARE_CONFIG ?? '{"experiments":[]}') as SdkConfig;
const byKey = new Map(config.experiments.map((e) => [e.key, e]));

const app = new Hono()
  .get('/json', (c) => c.json({ ...config, generatedAt: new Date().toISOString() }))
  .post('/assign', async (c) => {
    const input = (await c.req.json()) as { unitId: string; attributes?: Record<string, unknown>; experiments?: string[] };
    const assignments = (input.experiments ?? [...byKey.keys()]).map((experimentKey) => {
      const experiment = byKey.get(experimentKey);
      const assigned = experiment && assignVariant(experiment, input.unitId, (input.attributes ?? {}) as never);
      return assigned
        ? { experimentKey, inExperiment: true, variantKey: assigned.variantKey, variantIndex: assigned.variantIndex, payload: assigned.payload }
        : { experimentKey, inExperiment: false, reason: 'not in experiment' };
    });
    return c.json({ assignments });
  });

serve({ fetch: app.fetch, port: Number(process.env.BARE_PORT), hostname: '127.0.0.1' });
// A normal exit on SIGTERM, so `node --cpu-prof` (BENCH_CPU_PROF) writes its profile.
process.on('SIGTERM', () => process.exit(0));
