import { type Kysely, sql } from 'kysely';

/**
 * Touchpoints, metrics, experiments with their variants, metric links and phases.
 * Migrations take Kysely<any>: they are frozen in time and must not import application code.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('touchpoints')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('funnel_stage', 'text', (c) => c.notNull())
    .addColumn('url_pattern', 'text')
    .addColumn('description', 'text')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('metrics')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull().check(sql`type in ('conversion', 'revenue', 'ratio', 'funnel')`))
    .addColumn('event_name', 'text')
    .addColumn('steps', 'jsonb')
    .addColumn('numerator', 'jsonb')
    .addColumn('denominator', 'jsonb')
    .addColumn('attribution_hours', 'integer')
    .addColumn('direction', 'text', (c) => c.notNull().defaultTo('increase'))
    .addColumn('description', 'text')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('experiments')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('key', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('hypothesis', 'text')
    .addColumn('touchpoint_key', 'text', (c) => c.notNull().references('touchpoints.key'))
    .addColumn('status', 'text', (c) =>
      c.notNull().defaultTo('draft').check(sql`status in ('draft', 'running', 'paused', 'stopped')`),
    )
    .addColumn('coverage', 'double precision', (c) => c.notNull().check(sql`coverage >= 0 and coverage <= 1`))
    .addColumn('targeting', 'jsonb')
    .addColumn('namespace', 'jsonb')
    .addColumn('salt', 'text', (c) => c.notNull())
    .addColumn('alpha', 'double precision', (c) => c.notNull().defaultTo(0.05))
    .addColumn('correction', 'text', (c) => c.notNull().defaultTo('holm'))
    .addColumn('sequential', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('sequential_tuning', 'integer', (c) => c.notNull().defaultTo(5000))
    .addColumn('minimum_detectable_effect', 'double precision')
    .addColumn('decision', 'jsonb')
    .addColumn('started_at', 'timestamptz')
    .addColumn('stopped_at', 'timestamptz')
    .addColumn('archived_at', 'timestamptz')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('experiments_touchpoint_idx').on('experiments').column('touchpoint_key').execute();
  await db.schema.createIndex('experiments_status_idx').on('experiments').column('status').execute();

  await db.schema
    .createTable('variants')
    .addColumn('experiment_id', 'integer', (c) => c.notNull().references('experiments.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('weight', 'double precision', (c) => c.notNull().check(sql`weight >= 0 and weight <= 1`))
    .addColumn('payload', 'jsonb')
    .addPrimaryKeyConstraint('variants_pk', ['experiment_id', 'position'])
    .addUniqueConstraint('variants_key_unique', ['experiment_id', 'key'])
    .execute();

  await db.schema
    .createTable('experiment_metrics')
    .addColumn('experiment_id', 'integer', (c) => c.notNull().references('experiments.id').onDelete('cascade'))
    .addColumn('metric_key', 'text', (c) => c.notNull().references('metrics.key'))
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('primary', 'secondary', 'guardrail')`))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('experiment_metrics_pk', ['experiment_id', 'metric_key'])
    .execute();
  await db.schema.createIndex('experiment_metrics_metric_idx').on('experiment_metrics').column('metric_key').execute();

  await db.schema
    .createTable('experiment_phases')
    .addColumn('experiment_id', 'integer', (c) => c.notNull().references('experiments.id').onDelete('cascade'))
    .addColumn('phase', 'integer', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('ended_at', 'timestamptz')
    .addColumn('coverage', 'double precision', (c) => c.notNull())
    .addColumn('weights', 'jsonb', (c) => c.notNull())
    .addPrimaryKeyConstraint('experiment_phases_pk', ['experiment_id', 'phase'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['experiment_phases', 'experiment_metrics', 'variants', 'experiments', 'metrics', 'touchpoints']) {
    await db.schema.dropTable(table).execute();
  }
}
