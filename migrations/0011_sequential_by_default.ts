import type { Kysely } from 'kysely';

/**
 * Sequential testing on by default (design.md §5): daily looks at a fixed-horizon test stop far more
 * than alpha of A/A tests. Only the column default changes: existing experiments keep the setting
 * they have (the API already writes `sequential` explicitly; the default covers any other insert).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('experiments').alterColumn('sequential', (c) => c.setDefault(true)).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('experiments').alterColumn('sequential', (c) => c.setDefault(false)).execute();
}
