import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, MIN_ADMIN_KEY_BITS, adminKeyProblem, estimatedBits, loadConfig } from './config.js';
import { generateKey } from './keys/tokens.js';

/** Issue 13 #5: `ADMIN_KEY=aaaaaaaaaaaaaaaa` was accepted as the key to everything. */
describe('ADMIN_KEY strength', () => {
  it.each(['aaaaaaaaaaaaaaaa', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'abababababababababababababababab', 'password1password1password1', 'short-but-Rand0m'])('refuses %s', (key) => {
    expect(adminKeyProblem(key)).not.toBeNull();
    expect(() => loadConfig({ ADMIN_KEY: key })).toThrow(ConfigError);
  });

  it('accepts generated and typical random keys', () => {
    for (const key of [generateKey('admin'), 'q7Zp2Lx9Vr4Tn8Kc1Bw6', 'pL0sY1tFNaJ3bq3cTFO9c0Z2cQ3t2b5b3rM8Qm4q0yM=']) {
      expect(adminKeyProblem(key), key).toBeNull();
      expect(loadConfig({ ADMIN_KEY: key }).adminKey).toBe(key);
    }
  });

  it('estimates bits as length × the Shannon entropy of the key\'s own characters', () => {
    expect(estimatedBits('aaaaaaaa')).toBe(0);
    expect(estimatedBits('abcabcabcab')).toBeCloseTo(3 * Math.log2(3), 10); // the unit "abc" repeated
    expect(estimatedBits('abcdefgh')).toBeCloseTo(24, 10); // 8 equally frequent symbols: 3 bits each
    expect(estimatedBits('ab'.repeat(MIN_ADMIN_KEY_BITS))).toBe(2);
  });

  it('the server refuses to start with a weak key and says why', () => {
    const serverDir = path.resolve(import.meta.dirname, '..');
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=source', 'src/main.ts'], {
      cwd: serverDir,
      env: { ...process.env, ADMIN_KEY: 'aaaaaaaaaaaaaaaa', DATA_DIR: 'memory://', PORT: '0' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/Configuration error: ADMIN_KEY/);
  });
});

describe('rate-limit settings', () => {
  it('have defaults and refuse values out of range', () => {
    expect(loadConfig({}).rateLimits).toEqual({ authFailures: 20, authWindowSeconds: 60, sdkRequestsPerMinute: 60_000, trustedProxyHops: 0, loginFailuresPerEmail: 10, loginWindowSeconds: 900 });
    expect(loadConfig({ AUTH_FAILURE_LIMIT: '0', SDK_RATE_LIMIT_PER_MINUTE: '0', TRUSTED_PROXY_HOPS: '1' }).rateLimits).toMatchObject({ authFailures: 0, sdkRequestsPerMinute: 0, trustedProxyHops: 1 });
    expect(() => loadConfig({ AUTH_FAILURE_WINDOW_SECONDS: '0' })).toThrow(/AUTH_FAILURE_WINDOW_SECONDS/);
    expect(() => loadConfig({ TRUSTED_PROXY_HOPS: 'x' })).toThrow(/TRUSTED_PROXY_HOPS/);
  });
});

describe('event store settings (EVENT_STORE, CLICKHOUSE_URL, CLICKHOUSE_CLUSTER)', () => {
  it('default to PostgreSQL/PGlite with no other service', () => {
    expect(loadConfig({}).eventStore).toEqual({ kind: 'postgres' });
    expect(loadConfig({ EVENT_STORE: 'postgres' }).eventStore).toEqual({ kind: 'postgres' });
  });

  it('read ClickHouse shards and an optional cluster', () => {
    expect(loadConfig({ EVENT_STORE: 'clickhouse', CLICKHOUSE_URL: 'http://127.0.0.1:8123' }).eventStore).toEqual({ kind: 'clickhouse', urls: ['http://127.0.0.1:8123'], cluster: undefined });
    expect(loadConfig({ EVENT_STORE: 'clickhouse', CLICKHOUSE_URL: ' http://ch1:8123 , https://ch2:8443/', CLICKHOUSE_CLUSTER: 'shop_events' }).eventStore).toEqual({ kind: 'clickhouse', urls: ['http://ch1:8123', 'https://ch2:8443/'], cluster: 'shop_events' });
    expect(loadConfig({ EVENT_STORE: 'clickhouse', CLICKHOUSE_URL: 'http://ch1:8123', CLICKHOUSE_CLUSTER: 'one' }).eventStore).toMatchObject({ cluster: 'one' });
  });

  it('refuse what cannot work, saying which variable and why', () => {
    expect(() => loadConfig({ EVENT_STORE: 'duckdb' })).toThrow(/EVENT_STORE must be postgres or clickhouse/);
    expect(() => loadConfig({ EVENT_STORE: 'clickhouse' })).toThrow(/EVENT_STORE=clickhouse needs CLICKHOUSE_URL/);
    expect(() => loadConfig({ EVENT_STORE: 'clickhouse', CLICKHOUSE_URL: ' , ' })).toThrow(/needs CLICKHOUSE_URL/);
    for (const url of ['ch1:8123', 'nats://ch1:4222', 'http://ch1:8123/db', 'http://ch1:8123/?user=x', 'http://']) {
      expect(() => loadConfig({ EVENT_STORE: 'clickhouse', CLICKHOUSE_URL: url }), url).toThrow(/CLICKHOUSE_URL must list http/);
    }
    expect(() => loadConfig({ EVENT_STORE: 'clickhouse', CLICKHOUSE_URL: 'http://ch1:8123,http://ch1:8123' })).toThrow(/twice/);
    expect(() => loadConfig({ EVENT_STORE: 'clickhouse', CLICKHOUSE_URL: 'http://ch1:8123,http://ch2:8123' })).toThrow(/set CLICKHOUSE_CLUSTER/);
    expect(() => loadConfig({ EVENT_STORE: 'clickhouse', CLICKHOUSE_URL: 'http://ch1:8123', CLICKHOUSE_CLUSTER: "x'); DROP" })).toThrow(/CLICKHOUSE_CLUSTER must be/);
    expect(() => loadConfig({ CLICKHOUSE_URL: 'http://ch1:8123' })).toThrow(/need EVENT_STORE=clickhouse/);
  });
});

describe('ingestion queue settings (INGEST_QUEUE)', () => {
  it('are off by default, read a list of NATS URLs, and refuse anything else', () => {
    expect(loadConfig({})).toMatchObject({ ingestQueue: undefined, ingestStream: 'touchpoint-ingest', ingestReplicas: undefined, ingestQueueWriters: 1, ingestAckWaitSeconds: 30 });
    expect(loadConfig({ INGEST_QUEUE: 'nats://h1:4222, nats://h2:4222,tls://h3:4222', INGEST_REPLICAS: '3', INGEST_QUEUE_WRITERS: '0' })).toMatchObject({
      ingestQueue: ['nats://h1:4222', 'nats://h2:4222', 'tls://h3:4222'], ingestReplicas: 3, ingestQueueWriters: 0,
    });
    expect(() => loadConfig({ INGEST_QUEUE: 'http://h1:4222' })).toThrow(ConfigError);
    expect(() => loadConfig({ INGEST_QUEUE: ' , ' })).toThrow(/INGEST_QUEUE/);
    expect(() => loadConfig({ INGEST_STREAM: 'a.b' })).toThrow(/INGEST_STREAM/);
    expect(() => loadConfig({ INGEST_REPLICAS: '6' })).toThrow(/INGEST_REPLICAS/);
  });
});
