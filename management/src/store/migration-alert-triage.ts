// Migration 0016 (issue 17 §5): admin triage of device alerts (status, classification, assignee; one row per device and
// alert), the comments and history of each alert, and suppression rules (one device or the whole organization).
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import { autoId } from './migrations.js';

/** alert_triage, alert_comments, suppression_rules; device rows go with the device (DEVICE_TABLES in sql-removals.ts). */
export const alertTriage: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('alert_triage')
      .addColumn('device_id', 'text', (c) => c.notNull().references('devices.device_id'))
      .addColumn('alert_id', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('classification', 'text')
      .addColumn('determination', 'text')
      .addColumn('assigned_to', 'text')
      .addColumn('resolved_at', 'text')
      .addColumn('resolved_by', 'text')
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('updated_by', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('alert_triage_pk', ['device_id', 'alert_id'])
      .execute();
    await db.schema
      .createTable('alert_comments')
      .addColumn('comment_id', 'integer', autoId(db))
      .addColumn('device_id', 'text', (c) => c.notNull().references('devices.device_id'))
      .addColumn('alert_id', 'text', (c) => c.notNull())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('author', 'text', (c) => c.notNull())
      .addColumn('text', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('alert_comments_alert').on('alert_comments').columns(['device_id', 'alert_id', 'comment_id']).execute();
    await db.schema
      .createTable('suppression_rules')
      .addColumn('rule_id', 'text', (c) => c.primaryKey())
      .addColumn('scope', 'text', (c) => c.notNull())
      .addColumn('device_id', 'text', (c) => c.references('devices.device_id'))
      .addColumn('alert_id', 'text', (c) => c.notNull())
      .addColumn('comment', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text')
      .execute();
    await db.schema.createIndex('suppression_rules_device').on('suppression_rules').columns(['device_id', 'alert_id']).execute();
    await db.schema.createIndex('suppression_rules_alert').on('suppression_rules').columns(['alert_id']).execute();
    // The organization-wide rule's fan-out: every device holding the alert, in device order (keyset pages).
    await db.schema.createIndex('device_alerts_alert').on('device_alerts').columns(['alert_id', 'device_id']).execute();
  },
};
