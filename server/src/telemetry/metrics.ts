import client from 'prom-client';

/**
 * Prometheus metrics of this process (design.md §11), served by GET /metrics (routes.ts). A scrape
 * reports one process, so the counters are process-wide: every app built in the process (tests
 * build many) adds to the same ones, and tests compare before and after. Gauges read their sources
 * at scrape time; ingest queues are held weakly, so an app that is gone stops counting and is collected.
 */
export const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry, prefix: 'touchpoint_' });

const registers = [registry];

type RequestLabels = { method: string; route: string; status: string };
interface RequestSeries {
  labels: RequestLabels;
  /** Observations per bucket (not cumulative; the last one is above every bound). */
  counts: number[];
  sum: number;
  count: number;
}

/**
 * touchpoint_http_request_duration_seconds: a Prometheus histogram served exactly as prom-client
 * serves its own (same lines, labels and buckets), recorded without prom-client's work per
 * observation: a label object validated and turned into a string key on every request, a sizeable
 * part of what GET /sdk/config cost beyond a bare Hono endpoint (issue 16, profiled). Here a request
 * finds its series by one short key and counts.
 */
class RequestDurations {
  readonly name = 'touchpoint_http_request_duration_seconds';
  readonly help = 'Time to answer HTTP requests, by method, route pattern and status.';
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;
  #series = new Map<string, RequestSeries>();

  observe(method: string, route: string, status: number, seconds: number): void {
    const key = `${status} ${method} ${route}`;
    let series = this.#series.get(key);
    if (!series) {
      series = { labels: { method, route, status: String(status) }, counts: new Array<number>(this.buckets.length + 1).fill(0), sum: 0, count: 0 };
      this.#series.set(key, series);
    }
    let bucket = 0;
    while (bucket < this.buckets.length && seconds > this.buckets[bucket]!) bucket++;
    series.counts[bucket]!++;
    series.sum += seconds;
    series.count++;
  }

  /** What prom-client's Histogram.get() gives: cumulative `_bucket` lines (le first), `_sum`, `_count`. */
  async get() {
    const values: { labels: Record<string, string | number>; value: number; metricName: string }[] = [];
    for (const { labels, counts, sum, count } of this.#series.values()) {
      let cumulative = 0;
      this.buckets.forEach((le, i) => {
        cumulative += counts[i]!;
        values.push({ labels: { le, ...labels }, value: cumulative, metricName: `${this.name}_bucket` });
      });
      values.push({ labels: { le: '+Inf', ...labels }, value: count, metricName: `${this.name}_bucket` });
      values.push({ labels: { ...labels }, value: sum, metricName: `${this.name}_sum` });
      values.push({ labels: { ...labels }, value: count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  reset(): void {
    this.#series.clear();
  }
}

export const httpDuration = new RequestDurations();
registry.registerMetric(httpDuration as unknown as client.Metric);

/**
 * Requests answered: the duration histogram's counts, read when scraped. Every request is observed
 * once, in the histogram only, so counting it costs one label lookup instead of two (issue 16).
 */
export const httpRequests = new client.Counter({
  name: 'touchpoint_http_requests_total',
  help: 'HTTP requests answered, by method, route pattern and status.',
  labelNames: ['method', 'route', 'status'] as const,
  registers,
  async collect() {
    const { values } = await httpDuration.get();
    this.reset();
    for (const { metricName, labels, value } of values) {
      if (metricName === 'touchpoint_http_request_duration_seconds_count') this.inc(labels as Record<'method' | 'route' | 'status', string>, value);
    }
  },
});

export const ingestedItems = new client.Counter({
  name: 'touchpoint_ingested_items_total',
  help: 'Exposures and events received on /sdk/events and /sdk/assign, by outcome (accepted, duplicate, rejected).',
  labelNames: ['outcome'] as const,
  registers,
});

export const refreshDuration = new client.Histogram({
  name: 'touchpoint_results_refresh_duration_seconds',
  help: 'Time to refresh a results snapshot, by kind (full, incremental, segment).',
  labelNames: ['kind'] as const,
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  registers,
});

export interface QueueProbe {
  /** Items handed to the ingest writer and not yet committed (waiting for a writer or being written). */
  depth(): number;
}
export interface PoolProbe {
  /** PostgreSQL pool: connections open, idle, and requests waiting for one. */
  stats(): { total: number; idle: number; waiting: number } | undefined;
}

const queues = new Set<WeakRef<QueueProbe>>();
/** Held strongly: only the process's main pool is watched (main.ts), once. */
const pools = new Set<PoolProbe>();

function live<T extends object>(refs: Set<WeakRef<T>>): T[] {
  const alive: T[] = [];
  for (const ref of refs) {
    const probe = ref.deref();
    if (probe) alive.push(probe);
    else refs.delete(ref);
  }
  return alive;
}

/** The owner must keep `probe` referenced for as long as it should be counted. */
export const watchIngestQueue = (probe: QueueProbe): void => void queues.add(new WeakRef(probe));
export const watchPool = (probe: PoolProbe): void => void pools.add(probe);

new client.Gauge({
  name: 'touchpoint_ingest_queue_items',
  help: 'Items accepted by ingestion and not yet committed (the write coalescer\'s queue and writes in flight).',
  registers,
  collect() {
    this.set(live(queues).reduce((sum, probe) => sum + probe.depth(), 0));
  },
});

export interface StreamProbe {
  /** INGEST_QUEUE: items in the JetStream stream not yet committed by a writer, and dead letters. */
  depth(): Promise<{ pending: number; dead: number } | undefined>;
}
/** Held strongly: main.ts and the worker watch their one stream. */
const streams = new Set<StreamProbe>();
/** Returns the unwatch. */
export const watchIngestStream = (probe: StreamProbe): (() => void) => {
  streams.add(probe);
  return () => void streams.delete(probe);
};

new client.Gauge({
  name: 'touchpoint_ingest_stream_items',
  help: 'INGEST_QUEUE: items in the JetStream ingestion stream by state: pending (published, not yet committed by a writer) and dead (poison items in the dead-letter stream). Absent without INGEST_QUEUE or when NATS does not answer.',
  labelNames: ['state'] as const,
  registers,
  async collect() {
    this.reset();
    const depths = await Promise.all([...streams].map((probe) => probe.depth()));
    const known = depths.filter((d) => d !== undefined);
    if (known.length === 0) return;
    this.set({ state: 'pending' }, known.reduce((sum, d) => sum + d.pending, 0));
    this.set({ state: 'dead' }, known.reduce((sum, d) => sum + d.dead, 0));
  },
});

new client.Gauge({
  name: 'touchpoint_db_pool_connections',
  help: 'PostgreSQL connection pool: connections by state (total, idle) and requests waiting for one (embedded PGlite has no pool).',
  labelNames: ['state'] as const,
  registers,
  collect() {
    const totals = { total: 0, idle: 0, waiting: 0 };
    for (const probe of pools) {
      const stats = probe.stats();
      if (stats) for (const state of ['total', 'idle', 'waiting'] as const) totals[state] += stats[state];
    }
    for (const state of ['total', 'idle', 'waiting'] as const) this.set({ state }, totals[state]);
  },
});

export const liveReloadDuration = new client.Histogram({
  name: 'touchpoint_live_reload_duration_seconds',
  help: 'Time to reload the in-process view the /sdk endpoints read (live/catalog.ts), by what was reloaded (experiments, keys, all).',
  labelNames: ['parts'] as const,
  buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  registers,
});

export const liveReloadFailures = new client.Counter({
  name: 'touchpoint_live_reload_failures_total',
  help: 'Reloads of the in-process view that failed (database unreachable); the last state is served meanwhile.',
  registers,
});

export const webhookAttempts = new client.Counter({
  name: 'touchpoint_webhook_attempts_total',
  help: 'Webhook delivery attempts by outcome: delivered (2xx), retry (will be tried again), failed (gave up after 24 h).',
  labelNames: ['outcome'] as const,
  registers,
});
