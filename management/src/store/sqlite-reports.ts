// Status reports in the SQL store: idempotent by reportId, stale reports kept as history only, status replaced per sync.
import type { Kysely } from 'kysely';
import { AttacheError } from '../../../common/errors.js';
import type { SettingEvent, StatusReport } from '../../../policy-schemas/src/index.js';
import type { Database } from './schema.js';
import { chunks, normaliseTime, policyStatusFromRow, settingStatusFromRow, settingStatusToRow } from './sqlite-rows.js';
import { EVENTS_PER_DEVICE, type ReportedStatus, type ReportOutcome, type StoredDeviceEvent } from './store.js';
import { isolateRows, parseStoredJson } from './stored-json.js';

// 10 columns per setting_status row; SQLite allows 32766 bound parameters per statement.
const INSERT_BATCH = 500;

/** Stores one report (ManagementStore.recordReport); runs inside the caller's transaction (a group commit's savepoint). */
export async function recordReport(trx: Kysely<Database>, report: StatusReport, receivedAt: string): Promise<ReportOutcome> {
  const known = await trx.selectFrom('reports').select('reportId').where('reportId', '=', report.reportId).executeTakeFirst();
  if (known) return { duplicate: true, stale: false };
  const device = await trx.selectFrom('devices').select('lastReportAt').where('deviceId', '=', report.deviceId).executeTakeFirst();
  if (!device) throw new AttacheError('DEVICE_UNKNOWN', `device ${report.deviceId} does not exist`);
  const generatedAt = normaliseTime(report.generatedAt);
  const stale = device.lastReportAt !== null && Date.parse(generatedAt) < Date.parse(device.lastReportAt);
  await trx
    .insertInto('reports')
    .values({
      reportId: report.reportId,
      deviceId: report.deviceId,
      generatedAt,
      receivedAt,
      trigger: report.trigger,
      durationMs: report.durationMs,
      stale: stale ? 1 : 0,
    })
    .execute();
  // Events are history: a stale report's events happened too, so they are kept.
  await storeEvents(trx, report, receivedAt);
  if (stale) return { duplicate: false, stale: true };
  // A report is the outcome of a whole sync: it replaces the device's status, so settings no longer managed disappear.
  await trx.deleteFrom('settingStatus').where('deviceId', '=', report.deviceId).execute();
  for (const batch of chunks(report.settings, INSERT_BATCH)) {
    await trx
      .insertInto('settingStatus')
      .values(batch.map((s) => settingStatusToRow(report.deviceId, s, generatedAt)))
      .onConflict((oc) => oc.columns(['deviceId', 'settingId']).doNothing())
      .execute();
  }
  await trx.deleteFrom('policyStatus').where('deviceId', '=', report.deviceId).execute();
  for (const batch of chunks(report.policies, INSERT_BATCH)) {
    await trx
      .insertInto('policyStatus')
      .values(batch.map((p) => ({ deviceId: report.deviceId, ...p, reportedAt: generatedAt })))
      .onConflict((oc) => oc.columns(['deviceId', 'policyId']).doNothing())
      .execute();
  }
  await trx
    .updateTable('devices')
    .set({ lastReportAt: generatedAt, agentVersion: report.agentVersion, lastSyncError: report.syncError ? JSON.stringify(report.syncError) : null })
    .where('deviceId', '=', report.deviceId)
    .execute();
  return { duplicate: false, stale: false };
}

/** The status a device last reported, as stored. */
export async function getReportedStatus(db: Kysely<Database>, deviceId: string): Promise<ReportedStatus> {
  const device = await db.selectFrom('devices').select(['lastReportAt', 'lastSyncError']).where('deviceId', '=', deviceId).executeTakeFirst();
  const policies = await db.selectFrom('policyStatus').selectAll().where('deviceId', '=', deviceId).orderBy('policyId').execute();
  const settings = await db.selectFrom('settingStatus').selectAll().where('deviceId', '=', deviceId).orderBy('settingId').execute();
  return {
    lastReportAt: device?.lastReportAt ?? null,
    lastSyncError: device?.lastSyncError
      ? parseStoredJson<{ code: string; message: string }>(device.lastSyncError, { table: 'devices', id: deviceId, column: 'last_sync_error' })
      : null,
    policies: policies.map(policyStatusFromRow),
    settings: settings.map(settingStatusFromRow),
  };
}

async function storeEvents(db: Kysely<Database>, report: StatusReport, receivedAt: string): Promise<void> {
  const events = report.events ?? [];
  if (events.length === 0) return;
  for (const batch of chunks(events, INSERT_BATCH)) {
    await db
      .insertInto('deviceEvents')
      .values(batch.map((e) => ({ deviceId: report.deviceId, reportId: report.reportId, receivedAt, event: JSON.stringify(e) })))
      .execute();
  }
  const keep = db.selectFrom('deviceEvents').select('eventId').where('deviceId', '=', report.deviceId).orderBy('eventId', 'desc').limit(EVENTS_PER_DEVICE);
  await db.deleteFrom('deviceEvents').where('deviceId', '=', report.deviceId).where('eventId', 'not in', keep).execute();
}

/** The device's events, newest first. */
export async function listDeviceEvents(db: Kysely<Database>, deviceId: string, limit: number): Promise<StoredDeviceEvent[]> {
  const rows = await db.selectFrom('deviceEvents').selectAll().where('deviceId', '=', deviceId).orderBy('eventId', 'desc').limit(limit).execute();
  const event = (r: (typeof rows)[number]) => parseStoredJson<SettingEvent>(r.event, { table: 'device_events', id: String(r.eventId), column: 'event' });
  return isolateRows(
    rows,
    (r) => ({ ...event(r), reportId: r.reportId, receivedAt: r.receivedAt }),
    (r) => ({ table: 'device_events', id: String(r.eventId) }),
  ).items;
}
