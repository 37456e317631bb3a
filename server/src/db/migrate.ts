import { type Kysely, type MigrationResultSet, Migrator } from 'kysely';
import { migrations } from '../../../migrations/index.js';

export class MigrationError extends Error {
  constructor(
    message: string,
    readonly migrationName: string | undefined,
    override readonly cause: unknown,
  ) {
    super(message);
  }
}

function migratorFor(db: Kysely<any>): Migrator {
  return new Migrator({ db, provider: { getMigrations: async () => migrations } });
}

// Migrator reports failure in its result instead of throwing; we turn it into one clear error.
function check(result: MigrationResultSet, direction: string): string[] {
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    const detail = result.error instanceof Error ? result.error.message : String(result.error);
    throw new MigrationError(
      `Migration ${direction} failed${failed ? ` at ${failed.migrationName}` : ''}: ${detail}`,
      failed?.migrationName,
      result.error,
    );
  }
  return (result.results ?? []).map((r) => r.migrationName);
}

/** Applies every pending migration; returns the names applied. */
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  return check(await migratorFor(db).migrateToLatest(), 'up');
}

/** Reverts the latest applied migration; returns its name (none when nothing was applied). */
export async function migrateDown(db: Kysely<any>): Promise<string[]> {
  return check(await migratorFor(db).migrateDown(), 'down');
}
