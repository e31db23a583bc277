// Migrations that add where a policy came from (issue 16): the Intune policy an import produced a configuration or a
// compliance policy from, stored as JSON PolicySource. Kept apart from migrations.ts, which lists them in order.
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * 0014: where a policy came from, as JSON (PolicySource), so a re-import updates it instead of adding a duplicate and
 * the admin sees the Intune name, id and description. NULL: authored here.
 */
export const policySource: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('policies').addColumn('source', 'text').execute();
  },
};

/**
 * 0015: the same for compliance policies: the Intune compliance policy an import made one from (JSON PolicySource),
 * which re-imports match on (earlier imports carried the Intune id only in a description prefix). NULL: authored here.
 */
export const compliancePolicySource: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('compliance_policies').addColumn('source', 'text').execute();
  },
};
