// Migration 0017 (issue 17 §1–4): response actions (one row per action with its signed envelope, status and outcome),
// their investigation packages stored in chunks (any replica serves them), and the devices' offboarded mark.
import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';
import { isPostgres } from './transactions.js';

/**
 * device_actions, action_packages, action_package_chunks, devices.offboarded_at. The partial unique index
 * device_actions_in_flight keeps one pending or inProgress action per device and family on both engines, so two
 * replicas creating at once cannot both insert (docs/actions.md "Action center (API)").
 */
export const responseActions: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('devices').addColumn('offboarded_at', 'text').execute();
    await db.schema
      .createTable('device_actions')
      .addColumn('action_id', 'text', (c) => c.primaryKey())
      .addColumn('device_id', 'text', (c) => c.notNull().references('devices.device_id'))
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('family', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('parameters', 'text', (c) => c.notNull())
      .addColumn('envelope', 'text', (c) => c.notNull())
      .addColumn('requestor_id', 'text')
      .addColumn('requestor', 'text', (c) => c.notNull())
      .addColumn('requestor_comment', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('delivered_at', 'text')
      .addColumn('started_at', 'text')
      .addColumn('completed_at', 'text')
      .addColumn('last_sequence', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('progress', 'integer')
      .addColumn('result', 'text')
      .addColumn('error', 'text')
      .addColumn('late_result', 'text')
      .addColumn('cancellation', 'text')
      .addColumn('cancel_envelope', 'text')
      .addColumn('cancel_pending', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .createIndex('device_actions_in_flight')
      .on('device_actions')
      .columns(['device_id', 'family'])
      .unique()
      .where(sql.ref('status'), 'in', ['pending', 'inProgress'])
      .execute();
    await db.schema.createIndex('device_actions_created').on('device_actions').columns(['created_at', 'action_id']).execute();
    await db.schema.createIndex('device_actions_device').on('device_actions').columns(['device_id', 'created_at']).execute();
    await db.schema.createIndex('device_actions_open').on('device_actions').columns(['status', 'expires_at']).execute();
    await db.schema
      .createTable('action_packages')
      .addColumn('action_id', 'text', (c) => c.primaryKey().references('device_actions.action_id'))
      .addColumn('device_id', 'text', (c) => c.notNull().references('devices.device_id'))
      .addColumn('size_bytes', 'integer', (c) => c.notNull())
      .addColumn('sha256', 'text', (c) => c.notNull())
      .addColumn('received_bytes', 'integer', (c) => c.notNull())
      .addColumn('complete', 'integer', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('action_package_chunks')
      .addColumn('action_id', 'text', (c) => c.notNull().references('action_packages.action_id'))
      .addColumn('device_id', 'text', (c) => c.notNull().references('devices.device_id'))
      .addColumn('offset', 'integer', (c) => c.notNull())
      .addColumn('data', isPostgres(db) ? 'bytea' : 'blob', (c) => c.notNull())
      .addPrimaryKeyConstraint('action_package_chunks_pk', ['action_id', 'offset'])
      .execute();
  },
};
