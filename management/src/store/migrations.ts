// Schema migrations of the SQL store, in code (the endpoint is bundled to one file, so no migration folder to read).
// Append new migrations; never change what one that has shipped does on SQLite. Names sort in the order they must run.
// One definition for both dialects: kysely's schema builder writes each engine's DDL (autoId is the one difference).
import { type ColumnDefinitionBuilder, type Kysely, sql } from 'kysely';
import { type Migration, type MigrationProvider, Migrator } from 'kysely/migration';
import { alertTriage } from './migration-alert-triage.js';
import { responseActions } from './migration-response-actions.js';
import { securityTasks } from './migration-security-tasks.js';
import { vulnerabilities } from './migration-vulnerabilities.js';
import type { Database } from './schema.js';
import { compliancePolicySource, policySource } from './source-migrations.js';
import { isPostgres } from './transactions.js';

/** An auto-numbered integer key: SQLite's AUTOINCREMENT (the DDL shipped), a PostgreSQL identity column. */
export function autoId(db: Kysely<unknown>): (c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder {
  return isPostgres(db) ? (c) => c.primaryKey().generatedByDefaultAsIdentity() : (c) => c.primaryKey().autoIncrement();
}

const initial: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('meta')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('enrollment_tokens')
      .addColumn('token_hash', 'text', (c) => c.primaryKey())
      .addColumn('description', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('max_uses', 'integer', (c) => c.notNull())
      .addColumn('uses', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('revoked', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .createTable('devices')
      .addColumn('device_id', 'text', (c) => c.primaryKey())
      .addColumn('public_key', 'text', (c) => c.notNull())
      .addColumn('hostname', 'text', (c) => c.notNull())
      .addColumn('platform', 'text', (c) => c.notNull())
      .addColumn('os_version', 'text', (c) => c.notNull())
      .addColumn('arch', 'text', (c) => c.notNull())
      .addColumn('agent_version', 'text', (c) => c.notNull())
      .addColumn('enrolled_at', 'text', (c) => c.notNull())
      .addColumn('last_seen_at', 'text')
      .addColumn('revoked', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('last_report_at', 'text')
      .addColumn('enrollment_token_hash', 'text', (c) => c.notNull().references('enrollment_tokens.token_hash'))
      .execute();
    await db.schema
      .createTable('device_groups')
      .addColumn('group_id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull().unique())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('group_members')
      .addColumn('group_id', 'text', (c) => c.notNull().references('device_groups.group_id').onDelete('cascade'))
      .addColumn('device_id', 'text', (c) => c.notNull().references('devices.device_id').onDelete('cascade'))
      .addColumn('added_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('group_members_pk', ['group_id', 'device_id'])
      .execute();
    await db.schema.createIndex('group_members_device').on('group_members').column('device_id').execute();
    await db.schema
      .createTable('policies')
      .addColumn('policy_id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('latest_version', 'integer', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('policy_versions')
      .addColumn('policy_id', 'text', (c) => c.notNull().references('policies.policy_id'))
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('key_id', 'text', (c) => c.notNull())
      .addColumn('signature', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('policy_versions_pk', ['policy_id', 'version'])
      .execute();
    await db.schema
      .createTable('assignments')
      .addColumn('assignment_id', 'text', (c) => c.primaryKey())
      .addColumn('policy_id', 'text', (c) => c.notNull().references('policies.policy_id'))
      .addColumn('group_id', 'text', (c) => c.notNull().references('device_groups.group_id'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addUniqueConstraint('assignments_policy_group', ['policy_id', 'group_id'])
      .execute();
    await db.schema.createIndex('assignments_group').on('assignments').column('group_id').execute();
    await db.schema
      .createTable('reports')
      .addColumn('report_id', 'text', (c) => c.primaryKey())
      .addColumn('device_id', 'text', (c) => c.notNull().references('devices.device_id'))
      .addColumn('generated_at', 'text', (c) => c.notNull())
      .addColumn('received_at', 'text', (c) => c.notNull())
      .addColumn('trigger', 'text', (c) => c.notNull())
      .addColumn('duration_ms', 'integer', (c) => c.notNull())
      .addColumn('stale', 'integer', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('reports_device').on('reports').columns(['device_id', 'generated_at']).execute();
    await db.schema
      .createTable('setting_status')
      .addColumn('device_id', 'text', (c) => c.notNull().references('devices.device_id'))
      .addColumn('setting_id', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('policy_ids', 'text', (c) => c.notNull())
      .addColumn('desired', 'text')
      .addColumn('observed', 'text')
      .addColumn('code', 'text')
      .addColumn('message', 'text')
      .addColumn('reported_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('setting_status_pk', ['device_id', 'setting_id'])
      .execute();
    await db.schema
      .createTable('policy_status')
      .addColumn('device_id', 'text', (c) => c.notNull().references('devices.device_id'))
      .addColumn('policy_id', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('reported_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('policy_status_pk', ['device_id', 'policy_id'])
      .execute();
  },
};

/** Remembers why a device's last sync could not use fresh policy (endpoint unreachable, policy rejected). */
const lastSyncError: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('devices').addColumn('last_sync_error', 'text').execute();
  },
};

/**
 * Intune-like targeting and event history: device tags (also on enrollment tokens, given at enrollment), dynamic
 * groups (a JSON rule; NULL = static), include/exclude assignments, soft-deleted policies (versions stay for history)
 * and the bounded per-device event log.
 */
const targetingAndEvents: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .alterTable('devices')
      .addColumn('tags', 'text', (c) => c.notNull().defaultTo('[]'))
      .execute();
    await db.schema
      .alterTable('enrollment_tokens')
      .addColumn('tags', 'text', (c) => c.notNull().defaultTo('[]'))
      .execute();
    await db.schema.alterTable('device_groups').addColumn('rule', 'text').execute();
    await db.schema
      .alterTable('assignments')
      .addColumn('mode', 'text', (c) => c.notNull().defaultTo('include'))
      .execute();
    await db.schema.alterTable('policies').addColumn('deleted_at', 'text').execute();
    await db.schema
      .createTable('device_events')
      .addColumn('event_id', 'integer', autoId(db))
      .addColumn('device_id', 'text', (c) => c.notNull().references('devices.device_id'))
      .addColumn('report_id', 'text', (c) => c.notNull())
      .addColumn('received_at', 'text', (c) => c.notNull())
      .addColumn('event', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('device_events_device').on('device_events').columns(['device_id', 'event_id']).execute();
  },
};

/**
 * The device's OS edition (workstation | server) for Intune's Windows vs Windows Server targeting. Nullable: devices
 * enrolled before, and agents that do not state it, keep NULL, which rules read as workstation.
 */
const deviceOsType: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('devices').addColumn('os_type', 'text').execute();
  },
};

/**
 * Device signals and compliance (issue 5): alerts per device (upserted by alert id) with the alert-report history that
 * makes reports idempotent, the latest health and inventory, compliance policies and their group assignments, each
 * device's evaluated compliance state (with the time it must next be re-evaluated) and its state transitions, and the
 * hashes of access-service tokens.
 */
const signalsAndCompliance: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('alert_reports')
      .addColumn('report_id', 'text', (c) => c.primaryKey())
      .addColumn('device_id', 'text', (c) => c.notNull().references('devices.device_id'))
      .addColumn('generated_at', 'text', (c) => c.notNull())
      .addColumn('received_at', 'text', (c) => c.notNull())
      .addColumn('agent_risk_level', 'text', (c) => c.notNull())
      .addColumn('alert_count', 'integer', (c) => c.notNull())
      .addColumn('stale', 'integer', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('alert_reports_device').on('alert_reports').columns(['device_id', 'generated_at']).execute();
    await db.schema
      .createTable('device_alerts')
      .addColumn('device_id', 'text', (c) => c.notNull().references('devices.device_id'))
      .addColumn('alert_id', 'text', (c) => c.notNull())
      .addColumn('category', 'text', (c) => c.notNull())
      .addColumn('severity', 'text', (c) => c.notNull())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('evidence', 'text', (c) => c.notNull())
      .addColumn('first_seen', 'text', (c) => c.notNull())
      .addColumn('last_seen', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('resolved_at', 'text')
      .addColumn('action', 'text')
      .addColumn('report_id', 'text', (c) => c.notNull())
      .addColumn('received_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('device_alerts_pk', ['device_id', 'alert_id'])
      .execute();
    await db.schema.createIndex('device_alerts_status').on('device_alerts').columns(['device_id', 'status']).execute();
    await db.schema
      .createTable('device_signals')
      .addColumn('device_id', 'text', (c) => c.primaryKey().references('devices.device_id'))
      .addColumn('health', 'text')
      .addColumn('health_collected_at', 'text')
      .addColumn('health_received_at', 'text')
      .addColumn('inventory', 'text')
      .addColumn('inventory_collected_at', 'text')
      .addColumn('inventory_received_at', 'text')
      .addColumn('last_alert_report_at', 'text')
      .addColumn('last_alert_received_at', 'text')
      .addColumn('agent_risk_level', 'text')
      .execute();
    await db.schema
      .createTable('compliance_policies')
      .addColumn('compliance_policy_id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('description', 'text')
      .addColumn('settings', 'text', (c) => c.notNull())
      .addColumn('grace_period_hours', 'integer', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('deleted_at', 'text')
      .execute();
    await db.schema
      .createTable('compliance_assignments')
      .addColumn('assignment_id', 'text', (c) => c.primaryKey())
      .addColumn('compliance_policy_id', 'text', (c) => c.notNull().references('compliance_policies.compliance_policy_id'))
      .addColumn('group_id', 'text', (c) => c.notNull().references('device_groups.group_id'))
      .addColumn('mode', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addUniqueConstraint('compliance_assignments_policy_group', ['compliance_policy_id', 'group_id'])
      .execute();
    await db.schema.createIndex('compliance_assignments_group').on('compliance_assignments').column('group_id').execute();
    await db.schema
      .createTable('device_compliance')
      .addColumn('device_id', 'text', (c) => c.primaryKey().references('devices.device_id'))
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('risk_level', 'text', (c) => c.notNull())
      .addColumn('reasons', 'text', (c) => c.notNull())
      .addColumn('policies', 'text', (c) => c.notNull())
      .addColumn('evaluated_at', 'text', (c) => c.notNull())
      .addColumn('evidence_at', 'text')
      .addColumn('next_evaluation_at', 'text')
      .execute();
    await db.schema.createIndex('device_compliance_next').on('device_compliance').column('next_evaluation_at').execute();
    await db.schema
      .createTable('compliance_transitions')
      .addColumn('transition_id', 'integer', autoId(db))
      .addColumn('device_id', 'text', (c) => c.notNull().references('devices.device_id'))
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('from_state', 'text')
      .addColumn('to_state', 'text', (c) => c.notNull())
      .addColumn('reasons', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('compliance_transitions_device').on('compliance_transitions').columns(['device_id', 'transition_id']).execute();
    await db.schema
      .createTable('access_tokens')
      .addColumn('token_id', 'text', (c) => c.primaryKey())
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('description', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('revoked_at', 'text')
      .execute();
  },
};

/**
 * Each device's policy-set version (issue 12): grows by one whenever the device's assigned set (policy ids and
 * versions, digested) changes; the endpoint signs it into the set's manifest, the agent refuses older ones.
 */
const devicePolicySets: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('device_policy_sets')
      .addColumn('device_id', 'text', (c) => c.primaryKey().references('devices.device_id'))
      .addColumn('set_version', 'integer', (c) => c.notNull())
      .addColumn('digest', 'text', (c) => c.notNull())
      .addColumn('issued_at', 'text', (c) => c.notNull())
      .execute();
  },
};

/**
 * Used nonces of signed device requests (issue 12): the store, not process memory, is the authority, so a captured
 * request is refused after a restart and by every replica on the same database. The primary key makes "use a nonce"
 * one insert that fails for a replay; expired rows are swept in batches by expires_at (epoch ms, hence bigint).
 */
const requestNonces: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('request_nonces')
      .addColumn('device_id', 'text', (c) => c.notNull())
      .addColumn('nonce', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('request_nonces_pk', ['device_id', 'nonce'])
      .execute();
    await db.schema.createIndex('request_nonces_expiry').on('request_nonces').column('expires_at').execute();
  },
};

/**
 * Key rotation (issue 12): a pending admin request to rotate a device's key, the device keys retired by rotation (kept
 * for audit: fingerprint and when), and the chain of policy-signing key announcements (each signed by the key before).
 */
const keyRotation: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('devices').addColumn('key_rotation_requested_at', 'text').execute();
    await db.schema
      .createTable('device_key_history')
      .addColumn('device_id', 'text', (c) => c.notNull().references('devices.device_id'))
      .addColumn('key_id', 'text', (c) => c.notNull())
      .addColumn('public_key', 'text', (c) => c.notNull())
      .addColumn('retired_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('device_key_history_pk', ['device_id', 'key_id'])
      .execute();
    await db.schema
      .createTable('signing_key_announcements')
      .addColumn('new_key_id', 'text', (c) => c.primaryKey())
      .addColumn('announced_at', 'text', (c) => c.notNull())
      .addColumn('valid_from', 'text', (c) => c.notNull())
      .addColumn('announcement', 'text', (c) => c.notNull())
      .addColumn('activated_at', 'text')
      .execute();
  },
};

/** The key material replicas on one PostgreSQL database share, encrypted (pki/key-vault.ts). */
const endpointSecrets: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('endpoint_secrets')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('envelope', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
  },
};

/** Which replica holds which device's push socket, and which replicas are alive (service/presence.ts). */
const pushPresence: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('replicas')
      .addColumn('replica_id', 'text', (c) => c.primaryKey())
      .addColumn('started_at', 'text', (c) => c.notNull())
      .addColumn('seen_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('push_presence')
      .addColumn('device_id', 'text', (c) => c.primaryKey())
      .addColumn('replica_id', 'text', (c) => c.notNull())
      .addColumn('since', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('push_presence_replica').on('push_presence').column('replica_id').execute();
  },
};

/** Named admin accounts, their personal API tokens and console sessions (issue 15, store/admin-store.ts). */
const admins: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('admins')
      .addColumn('admin_id', 'text', (c) => c.primaryKey())
      .addColumn('username', 'text', (c) => c.notNull())
      .addColumn('username_key', 'text', (c) => c.notNull().unique())
      .addColumn('display_name', 'text', (c) => c.notNull())
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('scope_group_ids', 'text')
      .addColumn('password_hash', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('failed_logins', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('locked_until', 'text')
      .execute();
    await db.schema
      .createTable('admin_api_tokens')
      .addColumn('token_id', 'text', (c) => c.primaryKey())
      .addColumn('admin_id', 'text', (c) => c.notNull().references('admins.admin_id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('revoked_at', 'text')
      .addColumn('last_used_at', 'text')
      .execute();
    await db.schema.createIndex('admin_api_tokens_admin').on('admin_api_tokens').column('admin_id').execute();
    await db.schema
      .createTable('admin_sessions')
      .addColumn('session_hash', 'text', (c) => c.primaryKey())
      .addColumn('admin_id', 'text', (c) => c.notNull().references('admins.admin_id').onDelete('cascade'))
      .addColumn('csrf_token', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('absolute_expires_at', 'text', (c) => c.notNull())
      .addColumn('source_address', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('admin_sessions_admin').on('admin_sessions').column('admin_id').execute();
  },
};

/** The admin audit log (sql-audit.ts): append-only, each row hashing the one before; indexes for the API's filters. */
const auditLog: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('audit_log')
      .addColumn('seq', 'integer', (c) => c.primaryKey())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('actor_id', 'text')
      .addColumn('actor_username', 'text')
      .addColumn('actor_role', 'text')
      .addColumn('source_address', 'text')
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('target_type', 'text')
      .addColumn('target_id', 'text')
      .addColumn('outcome', 'text', (c) => c.notNull())
      .addColumn('error_code', 'text')
      .addColumn('before', 'text')
      .addColumn('after', 'text')
      .addColumn('prev_hash', 'text', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('audit_log_at').on('audit_log').column('at').execute();
    await db.schema.createIndex('audit_log_action').on('audit_log').column('action').execute();
    await db.schema.createIndex('audit_log_target').on('audit_log').columns(['target_type', 'target_id']).execute();
  },
};

/**
 * Indexes of the console's device listing (sql-device-listing.ts): one per sort key with the device id as tie-breaker
 * (the keyset), on exactly the sort expressions, and assignments by policy for the policy-state subquery.
 */
const deviceListing: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.createIndex('devices_hostname_key').on('devices').expression(sql`lower(hostname), device_id`).execute();
    await db.schema.createIndex('devices_last_seen_key').on('devices').expression(sql`coalesce(last_seen_at, ''), device_id`).execute();
    await db.schema.createIndex('devices_enrolled_key').on('devices').columns(['enrolled_at', 'device_id']).execute();
    await db.schema.createIndex('assignments_policy').on('assignments').columns(['policy_id', 'mode', 'group_id']).execute();
  },
};

/** Every migration, by name. */
export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001-initial': initial,
  '0002-last-sync-error': lastSyncError,
  '0003-targeting-events': targetingAndEvents,
  '0004-device-os-type': deviceOsType,
  '0005-signals-compliance': signalsAndCompliance,
  '0006-device-policy-sets': devicePolicySets,
  '0007-request-nonces': requestNonces,
  '0008-key-rotation': keyRotation,
  '0009-endpoint-secrets': endpointSecrets,
  '0010-push-presence': pushPresence,
  '0011-admins': admins,
  '0012-audit': auditLog,
  '0013-device-listing': deviceListing,
  '0014-policy-source': policySource,
  '0015-compliance-policy-source': compliancePolicySource,
  '0016-alert-triage': alertTriage,
  '0017-response-actions': responseActions,
  '0018-vulnerabilities': vulnerabilities,
  '0019-security-tasks': securityTasks,
};

/** Feeds MIGRATIONS to kysely's Migrator. */
export const inCodeMigrations: MigrationProvider = {
  getMigrations: async () => ({ ...MIGRATIONS }),
};

/** Migrates `db` to the latest schema (several processes at once are safe: kysely's Migrator takes a lock). */
export async function migrateToLatest(db: Kysely<Database>): Promise<void> {
  const { error } = await new Migrator({ db: db as unknown as Kysely<unknown>, provider: inCodeMigrations }).migrateToLatest();
  if (error) throw new Error(`database migration failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}

/** Names of the migrations this build knows that `db` has not run (empty when the schema is current). */
export async function pendingMigrations(db: Kysely<Database>): Promise<string[]> {
  const migrations = await new Migrator({ db: db as unknown as Kysely<unknown>, provider: inCodeMigrations }).getMigrations();
  return migrations.filter((m) => m.executedAt === undefined).map((m) => m.name);
}
