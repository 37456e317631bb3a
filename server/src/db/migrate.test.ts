import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { migrations } from '../../../migrations/index.js';
import { describeEachEngine } from '../test/engines.js';
import { migrateDown, migrateToLatest } from './migrate.js';

const tables = async (db: Parameters<typeof migrateToLatest>[0]) =>
  (await sql<{ table_name: string }>`select table_name from information_schema.tables where table_schema = 'public' and table_name not like 'kysely_%' order by table_name`.execute(db)).rows.map((r) => r.table_name);

describeEachEngine('migrations', (db) => {
  it('are all applied, in order, and re-running applies nothing', async () => {
    expect(await tables(db().db)).toEqual(
      [
        'api_keys', 'audit_log', 'events', 'experiment_metrics', 'experiment_phases', 'experiments',
        'exposures', 'link_fingerprint', 'metrics', 'oidc_flows', 'rate_limit_windows', 'results_snapshots', 'server_secrets', 'sessions', 'touchpoints',
        'unit_aliases', 'user_tokens', 'users', 'variants', 'webhook_attempts', 'webhook_deliveries', 'webhook_notified_state', 'webhooks',
      ],
    );
    expect(await migrateToLatest(db().db)).toEqual([]);
    expect(Object.keys(migrations)).toEqual([...Object.keys(migrations)].sort());
  });

  it('go down one by one to an empty schema and back up', async () => {
    const names = Object.keys(migrations);
    for (const name of [...names].reverse()) expect(await migrateDown(db().db)).toEqual([name]);
    expect(await tables(db().db)).toEqual([]);
    expect(await migrateToLatest(db().db)).toEqual(names);
    expect((await tables(db().db)).length).toBe(23);
  });

  it('create the indexes the attribution join relies on', async () => {
    const rows = await sql<{ indexname: string; indexdef: string }>`select indexname, indexdef from pg_indexes where schemaname = 'public'`.execute(db().db);
    const byName = new Map(rows.rows.map((r) => [r.indexname, r.indexdef]));
    expect(byName.get('events_unit_name_time_idx')).toMatch(/\(unit_id, name, occurred_at\) INCLUDE \(value\)/);
    expect(byName.get('exposures_variant_idx')).toMatch(/\(experiment_id, variant_index, exposed_at\)/);
    expect(byName.get('events_event_id_key')).toMatch(/UNIQUE/);
    // Incremental results refresh: events received since the last refresh (migrations/0008).
    expect(byName.get('events_received_brin_idx')).toMatch(/USING brin \(received_at\)/);
  });
});
