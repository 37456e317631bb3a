import type { Kysely } from 'kysely';
import { up as createExposureItems } from './0005_exposure_items.js';

/**
 * Retries of exposures are recognised without a table of their own: `exposures.first_item_id` holds
 * the id of the exposure that counts, so a retried first exposure finds itself there, and any later
 * exposure of a known unit changes nothing when repeated (at most it sets `multiple_variants`, which
 * is idempotent). Writing one `exposure_items` row per exposure was a second indexed insert on the
 * hottest write, for nothing the exposure row cannot tell, so the table goes.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('exposure_items').execute();
}

/** Back to 0005's table (landed migrations never change, so its `up` is the table's definition). */
export async function down(db: Kysely<any>): Promise<void> {
  await createExposureItems(db);
}
