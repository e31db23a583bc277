// Migration 0018 (issue 18): imported advisories and their lookup keys, the distinct installed packages devices share,
// each device's software as a compact list of package ids, findings per package and per device, and device exposure.
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import { autoId } from './migrations.js';
import { isPostgres } from './transactions.js';

/**
 * advisories (+ advisory_keys, advisory_imports), software_packages (+ software_package_keys, package_findings),
 * device_software, device_findings, device_exposure. JSON values are TEXT; device_software.package_ids is a BLOB
 * (SQLite) / bytea (PostgreSQL) of little-endian uint32 ids (store/sql-vulnerability-software.ts).
 */
export const vulnerabilities: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    const real = isPostgres(db) ? 'double precision' : 'real';
    await db.schema
      .createTable('advisories')
      .addColumn('advisory_id', 'text', (c) => c.primaryKey())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('modified', 'text', (c) => c.notNull())
      .addColumn('published', 'text')
      .addColumn('severity', 'text', (c) => c.notNull())
      .addColumn('cvss_score', real)
      .addColumn('cvss_vector', 'text')
      .addColumn('summary', 'text', (c) => c.notNull())
      .addColumn('keys', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('imported_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('advisory_keys')
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('advisory_id', 'text', (c) => c.notNull().references('advisories.advisory_id'))
      .addPrimaryKeyConstraint('advisory_keys_pk', ['key', 'advisory_id'])
      .execute();
    await db.schema.createIndex('advisory_keys_advisory').on('advisory_keys').column('advisory_id').execute();
    await db.schema
      .createTable('advisory_imports')
      .addColumn('import_id', 'integer', autoId(db))
      .addColumn('imported_at', 'text', (c) => c.notNull())
      .addColumn('stored', 'integer', (c) => c.notNull())
      .addColumn('unchanged', 'integer', (c) => c.notNull())
      .addColumn('removed', 'integer', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('advisory_imports_at').on('advisory_imports').column('imported_at').execute();
    await db.schema
      .createTable('software_packages')
      .addColumn('package_id', 'integer', autoId(db))
      .addColumn('identity_hash', 'text', (c) => c.notNull().unique())
      .addColumn('ecosystem', 'text', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('scheme', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('version', 'text', (c) => c.notNull())
      .addColumn('vendor', 'text')
      .addColumn('architecture', 'text')
      .addColumn('install_path', 'text')
      .addColumn('matched_name', 'text', (c) => c.notNull())
      .addColumn('matched_version', 'text', (c) => c.notNull())
      .addColumn('keys', 'text', (c) => c.notNull())
      .addColumn('evaluated_at', 'text')
      .execute();
    await db.schema.createIndex('software_packages_matched').on('software_packages').columns(['ecosystem', 'matched_name']).execute();
    await db.schema
      .createTable('software_package_keys')
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('package_id', 'integer', (c) => c.notNull().references('software_packages.package_id'))
      .addPrimaryKeyConstraint('software_package_keys_pk', ['key', 'package_id'])
      .execute();
    await db.schema
      .createTable('package_findings')
      .addColumn('package_id', 'integer', (c) => c.notNull().references('software_packages.package_id'))
      .addColumn('advisory_id', 'text', (c) => c.notNull())
      .addColumn('fixed_version', 'text')
      .addColumn('affected_range', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('package_findings_pk', ['package_id', 'advisory_id'])
      .execute();
    await db.schema.createIndex('package_findings_advisory').on('package_findings').column('advisory_id').execute();
    await db.schema
      .createTable('device_software')
      .addColumn('device_id', 'text', (c) => c.primaryKey().references('devices.device_id'))
      .addColumn('os', 'text', (c) => c.notNull())
      .addColumn('collected_at', 'text', (c) => c.notNull())
      .addColumn('received_at', 'text', (c) => c.notNull())
      .addColumn('digest', 'text', (c) => c.notNull())
      .addColumn('truncated', 'integer', (c) => c.notNull())
      .addColumn('item_count', 'integer', (c) => c.notNull())
      .addColumn('package_ids', isPostgres(db) ? 'bytea' : 'blob', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('device_findings')
      .addColumn('device_id', 'text', (c) => c.notNull().references('devices.device_id'))
      .addColumn('package_id', 'integer', (c) => c.notNull())
      .addColumn('advisory_id', 'text', (c) => c.notNull())
      .addColumn('recommendation_id', 'text', (c) => c.notNull())
      .addColumn('severity', 'text', (c) => c.notNull())
      .addColumn('cvss_score', real)
      .addColumn('fixed_version', 'text')
      .addPrimaryKeyConstraint('device_findings_pk', ['device_id', 'package_id', 'advisory_id'])
      .execute();
    await db.schema.createIndex('device_findings_recommendation').on('device_findings').columns(['recommendation_id', 'device_id']).execute();
    await db.schema.createIndex('device_findings_advisory').on('device_findings').columns(['advisory_id', 'device_id']).execute();
    await db.schema
      .createTable('device_exposure')
      .addColumn('device_id', 'text', (c) => c.primaryKey().references('devices.device_id'))
      .addColumn('level', 'text', (c) => c.notNull())
      .addColumn('score', 'integer', (c) => c.notNull())
      .addColumn('findings', 'integer', (c) => c.notNull())
      .addColumn('advisories', 'integer', (c) => c.notNull())
      .addColumn('by_severity', 'text', (c) => c.notNull())
      .addColumn('vulnerable_software', 'integer', (c) => c.notNull())
      .addColumn('software_items', 'integer', (c) => c.notNull())
      .addColumn('software_truncated', 'integer', (c) => c.notNull())
      .addColumn('software_collected_at', 'text')
      .addColumn('computed_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('device_exposure_score').on('device_exposure').columns(['score desc', 'device_id']).execute();
    await db.schema.createIndex('device_exposure_level').on('device_exposure').columns(['level', 'score desc', 'device_id']).execute();
  },
};
