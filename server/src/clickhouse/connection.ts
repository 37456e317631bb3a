/**
 * The ClickHouse event store's connection (EVENT_STORE=clickhouse, design.md §12): one HTTP client per
 * shard (CLICKHOUSE_URL lists them, comma-separated), through the official client `@clickhouse/client`.
 *
 * Values in SQL: ClickHouse 18.16 has no server-side query parameters, so values are rendered as
 * literals on the client — never by concatenating input: `chSql` takes typed values only (finite
 * numbers, strings, arrays of them) and renders each with the client library's own literal formatter
 * (`formatQueryParams`, which escapes quotes, backslashes and control characters in strings); SQL
 * fragments of our own are `raw()` and never carry input.
 */
import { type ClickHouseClient, type ClickHouseSettings, ClickHouseLogLevel, TupleParam, createClient } from '@clickhouse/client';
// The client's literal formatter (what it uses to send parameters); not re-exported at the top level.
import { formatQueryParams } from '@clickhouse/client/dist/common/data_formatter/format_query_params.js';

export interface ClickHouseStore {
  /** One client per shard, in CLICKHOUSE_URL order. Reads run on each shard's local tables. */
  shards: ClickHouseClient[];
  /** CLICKHOUSE_CLUSTER: writes go through Distributed tables on the first shard, routed by unit id. */
  cluster: string | undefined;
  close(): Promise<void>;
}

/** `settings`: sent with every query besides those below (the ClickHouse bench's `log_queries`). */
export function openClickHouse({ urls, cluster, settings }: { urls: string[]; cluster?: string | undefined; settings?: ClickHouseSettings }): ClickHouseStore {
  const shards = urls.map((url) =>
    createClient({
      url,
      request_timeout: 300_000,
      // 18.16 knows these; nothing else is sent (no session, no server-side parameters).
      clickhouse_settings: { ...settings },
      compression: { request: false, response: false },
      // Failures reach the caller as errors; the client's own console warnings would only repeat them.
      log: { level: ClickHouseLogLevel.OFF },
    }),
  );
  return { shards, cluster, close: async () => void (await Promise.all(shards.map((s) => s.close()))) };
}

/** A fragment of SQL written by us (identifiers, operators): never built from input. */
export class RawSql {
  constructor(readonly text: string) {}
}
export const raw = (text: string) => new RawSql(text);

export type SqlValue = number | string | readonly (number | string)[] | RawSql;

/** One value as a ClickHouse literal (a list: the tuple of an IN list), through the client library's formatter; anything but a finite number or a string is refused. */
export function literal(value: number | string | readonly (number | string)[]): string {
  if (Array.isArray(value)) {
    if (value.length === 0) throw new Error('an empty list cannot be a ClickHouse literal');
    for (const v of value) literal(v);
  } else if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
  } else if (typeof value !== 'string') {
    throw new Error(`not a SQL value: ${typeof value}`);
  }
  // A list is an IN list: a tuple literal `('a','b')` (18.16 refuses an array on the right of IN).
  const formatted = Array.isArray(value) ? new TupleParam([...value]) : value;
  return formatQueryParams({ value: formatted, wrapStringInQuotes: true, printNullAsKeyword: true });
}

/** `chSql\`select … where id = ${id}\``: values become literals, RawSql is pasted as is. */
export function chSql(strings: TemplateStringsArray, ...values: SqlValue[]): string {
  let text = strings[0]!;
  values.forEach((value, i) => {
    text += (value instanceof RawSql ? value.text : literal(value)) + strings[i + 1]!;
  });
  return text;
}

/** Rows of a SELECT on one shard (JSONEachRow: 64-bit integers arrive as strings). */
export async function selectRows<T = Record<string, unknown>>(client: ClickHouseClient, query: string): Promise<T[]> {
  const result = await client.query({ query, format: 'JSONEachRow' });
  return result.json<T>();
}

/** The same SELECT on every shard, rows concatenated (each shard holds whole units). */
export async function selectEveryShard<T = Record<string, unknown>>(store: ClickHouseStore, query: string): Promise<T[]> {
  return (await Promise.all(store.shards.map((shard) => selectRows<T>(shard, query)))).flat();
}
