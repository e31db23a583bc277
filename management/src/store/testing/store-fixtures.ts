// Test support for the store's tests: a device's facts and key, a signed policy version (its signature is not checked
// by the store), a device enrolled through a single-use token, and a compliance policy assigned to devices, at a given time.

import { randomUUID } from 'node:crypto';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { Migrator } from 'kysely/migration';
import { AttacheError } from '../../../../common/errors.js';
import type { ComplianceSettings, DeviceFacts, SignedPolicy, StatusReport } from '../../../../policy-schemas/src/index.js';
import { inCodeMigrations } from '../migrations.js';
import type { ManagementStore } from '../store.js';

export const TEST_FACTS: DeviceFacts = { hostname: 'ws-042', platform: 'windows', osVersion: '10.0.22631', arch: 'x64', agentVersion: '0.1.0' };
export const TEST_PUBLIC_KEY = Buffer.alloc(32, 7).toString('base64');

/** Version `version` of policy `policyId`, created at `createdAt`. */
export function storedPolicy(policyId: string, version: number, createdAt: string): SignedPolicy {
  return {
    payload: { policyId, version, tenantId: policyId, name: 'p', kind: 'antivirus', settings: {}, createdAt },
    keyId: '0'.repeat(32),
    signature: `${'A'.repeat(86)}==`,
  };
}

/** A status report of one succeeded setting, generated at `generatedAt`. */
export function oneSettingReport(deviceId: string, generatedAt: string, reportId: string = randomUUID()): StatusReport {
  return {
    reportId,
    deviceId,
    generatedAt,
    agentVersion: '0.1.1',
    trigger: 'push',
    durationMs: 5,
    policies: [],
    settings: [{ settingId: 'defender.AllowRealtimeMonitoring', kind: 'antivirus', state: 'succeeded', policyIds: [], desired: 1, observed: 1 }],
  };
}

/** A new device enrolled at `now` (its token valid for a day), with the token's `tags`; returns its id. */
export async function enrolledDevice(store: ManagementStore, now: string, tags: string[] = []): Promise<string> {
  const tokenHash = randomUUID();
  const expiresAt = new Date(Date.parse(now) + 86_400_000).toISOString();
  await store.createEnrollmentToken({ tokenHash, createdAt: now, expiresAt, maxUses: 1, tags });
  return (await store.enrollDevice({ tokenHash, now, deviceId: randomUUID(), publicKey: TEST_PUBLIC_KEY, facts: TEST_FACTS })).deviceId;
}

/**
 * A SQLite file at an older schema (migrated up to `migration` only) holding one token `t0` and one device `d0` with
 * `platform` and `osVersion`, as an endpoint of that version left it: for the tests of the migrations after it.
 */
export async function oldSqliteWithDevice(file: string, migration: string, device: { platform: string; osVersion: string }, at: string): Promise<void> {
  const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new BetterSqlite3(file) }) });
  const { error } = await new Migrator({ db, provider: inCodeMigrations }).migrateTo(migration);
  await db.destroy();
  if (error) throw error;
  const old = new BetterSqlite3(file);
  try {
    old.prepare("INSERT INTO enrollment_tokens (token_hash, created_at, expires_at, max_uses) VALUES ('t0', ?, ?, 1)").run(at, at);
    old
      .prepare(
        "INSERT INTO devices (device_id, public_key, hostname, platform, os_version, arch, agent_version, enrolled_at, enrollment_token_hash) VALUES ('d0', ?, 'srv', ?, ?, 'x64', '0.1.0', ?, 't0')",
      )
      .run(TEST_PUBLIC_KEY, device.platform, device.osVersion, at);
  } finally {
    old.close();
  }
}

/** A new group of `deviceIds` with a new compliance policy of `settings` (no grace period) assigned to it, at `at`. */
export async function assignCompliancePolicy(store: ManagementStore, deviceIds: readonly string[], settings: ComplianceSettings, at: string): Promise<void> {
  const group = await store.createGroup({ groupId: randomUUID(), name: randomUUID(), createdAt: at });
  for (const id of deviceIds) await store.addGroupMember(group.groupId, id, at);
  const policy = { compliancePolicyId: randomUUID(), name: 'P', settings, gracePeriodHours: 0, version: 1, createdAt: at, updatedAt: at };
  await store.createCompliancePolicy(policy);
  const assignment = {
    assignmentId: randomUUID(),
    compliancePolicyId: policy.compliancePolicyId,
    groupId: group.groupId,
    mode: 'include' as const,
    createdAt: at,
  };
  await store.createComplianceAssignment(assignment);
}

/** The AttacheError code a store call fails with, or NO_ERROR. */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof AttacheError) return err.code;
    throw err;
  }
  return 'NO_ERROR';
}
