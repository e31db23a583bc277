// Status reports in the SQL store: idempotent by reportId, stale reports kept as history only, status replaced per sync.
import type { Kysely } from 'kysely';
import { AttacheError } from '../../../common/errors.js';
import type { SettingEvent, StatusReport } from '../../../policy-schemas/src/index.js';
import { columnsOf, prepareQuery } from './prepared-queries.js';
import type { Database, DeviceEventTable, PolicyStatusTable, ReportTable, SettingStatusTable } from './schema.js';
import { chunks, normaliseTime, policyStatusFromRow, settingStatusFromRow, settingStatusToRow } from './sql-rows.js';
import { EVENTS_PER_DEVICE, type ReportedConflict, type ReportedStatus, type ReportOutcome, type StoredDeviceEvent } from './store.js';
import { isolateRows, parseStoredJson } from './stored-json.js';
import { isPostgres } from './transactions.js';

// 10 columns per setting_status row; SQLite allows 32766 bound parameters per statement.
const INSERT_BATCH = 500;

// The columns a report can change (the key columns and reported_at aside).
const SETTING_COLUMNS = ['kind', 'state', 'policyIds', 'desired', 'observed', 'code', 'message'] as const satisfies readonly (keyof SettingStatusTable)[];
const POLICY_COLUMNS = ['version', 'name', 'kind', 'state'] as const satisfies readonly (keyof PolicyStatusTable)[];

// A report that changes at most this many rows of a table writes them one prepared upsert each, else in batches.
const ROW_BY_ROW = 8;

type Db = Kysely<Database>;
const knownReport = prepareQuery((db: Db, p: { reportId: string }) => db.selectFrom('reports').select('reportId').where('reportId', '=', p.reportId));
const deviceReportAt = prepareQuery((db: Db, p: { deviceId: string }) => db.selectFrom('devices').select('lastReportAt').where('deviceId', '=', p.deviceId));
// PostgreSQL: the device's row lock orders its reports across replicas (SQLite runs one transaction at a time anyway).
const lockedDeviceReportAt = prepareQuery((db: Db, p: { deviceId: string }) =>
  db.selectFrom('devices').select('lastReportAt').where('deviceId', '=', p.deviceId).forUpdate(),
);
const REPORT_COLUMNS = ['reportId', 'deviceId', 'generatedAt', 'receivedAt', 'trigger', 'durationMs', 'stale'] as const satisfies (keyof ReportTable)[];
// A report id already stored (by another replica since the check above) inserts nothing: the report is a duplicate.
const insertReport = prepareQuery((db: Db, p: ReportTable) =>
  db
    .insertInto('reports')
    .values(columnsOf(p, REPORT_COLUMNS))
    .onConflict((oc) => oc.column('reportId').doNothing()),
);
const insertEvent = prepareQuery((db: Db, p: Omit<DeviceEventTable, 'eventId'>) =>
  db.insertInto('deviceEvents').values(columnsOf(p, ['deviceId', 'reportId', 'receivedAt', 'event'])),
);
const oldestKeptEvent = prepareQuery((db: Db, p: { deviceId: string }) =>
  db
    .selectFrom('deviceEvents')
    .select('eventId')
    .where('deviceId', '=', p.deviceId)
    .orderBy('eventId', 'desc')
    .limit(1)
    .offset(EVENTS_PER_DEVICE - 1),
);
const trimEvents = prepareQuery((db: Db, p: { deviceId: string; before: number }) =>
  db.deleteFrom('deviceEvents').where('deviceId', '=', p.deviceId).where('eventId', '<', p.before),
);
const storedSettingRows = prepareQuery((db: Db, p: { deviceId: string }) => db.selectFrom('settingStatus').selectAll().where('deviceId', '=', p.deviceId));
const storedPolicyRows = prepareQuery((db: Db, p: { deviceId: string }) => db.selectFrom('policyStatus').selectAll().where('deviceId', '=', p.deviceId));
const upsertSetting = prepareQuery((db: Db, p: SettingStatusTable) =>
  upsertSettings(db, [columnsOf(p, ['deviceId', 'settingId', ...SETTING_COLUMNS, 'reportedAt'])]),
);
const upsertPolicy = prepareQuery((db: Db, p: PolicyStatusTable) =>
  upsertPolicies(db, [columnsOf(p, ['deviceId', 'policyId', ...POLICY_COLUMNS, 'reportedAt'])]),
);
// A report is a request of the device: it sets lastSeenAt too (never backwards), since a touch skips a row it holds.
const deviceReported = prepareQuery(
  (db: Db, p: { deviceId: string; lastReportAt: string; agentVersion: string; lastSyncError: string | null; receivedAt: string }) =>
    db
      .updateTable('devices')
      .set((eb) => ({
        lastReportAt: p.lastReportAt,
        agentVersion: p.agentVersion,
        lastSyncError: p.lastSyncError,
        lastSeenAt: eb
          .case()
          .when(eb.or([eb('lastSeenAt', 'is', null), eb('lastSeenAt', '<', p.receivedAt)]))
          .then(p.receivedAt)
          .else(eb.ref('lastSeenAt'))
          .end(),
      }))
      .where('deviceId', '=', p.deviceId),
);

function upsertSettings(db: Db, rows: SettingStatusTable[]) {
  return db
    .insertInto('settingStatus')
    .values(rows)
    .onConflict((oc) =>
      oc.columns(['deviceId', 'settingId']).doUpdateSet((eb) => ({
        kind: eb.ref('excluded.kind'),
        state: eb.ref('excluded.state'),
        policyIds: eb.ref('excluded.policyIds'),
        desired: eb.ref('excluded.desired'),
        observed: eb.ref('excluded.observed'),
        code: eb.ref('excluded.code'),
        message: eb.ref('excluded.message'),
        reportedAt: eb.ref('excluded.reportedAt'),
      })),
    );
}

function upsertPolicies(db: Db, rows: PolicyStatusTable[]) {
  return db
    .insertInto('policyStatus')
    .values(rows)
    .onConflict((oc) =>
      oc.columns(['deviceId', 'policyId']).doUpdateSet((eb) => ({
        version: eb.ref('excluded.version'),
        name: eb.ref('excluded.name'),
        kind: eb.ref('excluded.kind'),
        state: eb.ref('excluded.state'),
        reportedAt: eb.ref('excluded.reportedAt'),
      })),
    );
}

/**
 * What a report changes in one status table: rows whose `columns` differ from the stored row (or are new), and the
 * keys of stored rows the report no longer has. A report repeating a key keeps its first row, as the insert did.
 */
export function rowDiff<R extends object>(
  stored: readonly R[],
  next: readonly R[],
  key: (row: R) => string,
  columns: readonly (keyof R)[],
): { written: R[]; removed: string[] } {
  const before = new Map(stored.map((r) => [key(r), r]));
  const seen = new Set<string>();
  const written: R[] = [];
  for (const row of next) {
    const k = key(row);
    if (seen.has(k)) continue;
    seen.add(k);
    const old = before.get(k);
    if (old === undefined || columns.some((c) => old[c] !== row[c])) written.push(row);
  }
  return { written, removed: [...before.keys()].filter((k) => !seen.has(k)) };
}

/**
 * Stores one report (ManagementStore.recordReport); runs inside the caller's transaction (a group commit's savepoint).
 * Safe at READ COMMITTED on PostgreSQL (sql-device-writes.ts): the device's row is locked before anything is decided,
 * and each statement after the lock reads what the device's previous report committed.
 */
export async function recordReport(trx: Db, report: StatusReport, receivedAt: string): Promise<ReportOutcome> {
  const { deviceId } = report;
  if (await knownReport.first(trx, { reportId: report.reportId })) return { duplicate: true, stale: false };
  const device = await (isPostgres(trx) ? lockedDeviceReportAt : deviceReportAt).first(trx, { deviceId });
  if (!device) throw new AttacheError('DEVICE_UNKNOWN', `device ${deviceId} does not exist`);
  const generatedAt = normaliseTime(report.generatedAt);
  const stale = device.lastReportAt !== null && Date.parse(generatedAt) < Date.parse(device.lastReportAt);
  const { reportId, trigger, durationMs } = report;
  const inserted = await insertReport.run(trx, { reportId, deviceId, generatedAt, receivedAt, trigger, durationMs, stale: stale ? 1 : 0 });
  if (inserted.numAffectedRows === 0n) return { duplicate: true, stale: false };
  // Events are history: a stale report's events happened too, so they are kept.
  await storeEvents(trx, report, receivedAt);
  if (stale) return { duplicate: false, stale: true };
  // A report is the outcome of a whole sync: it replaces the device's status, so settings no longer managed disappear.
  // Written as a diff: a sync usually changes a setting or two, and rewriting every row was most of a report's cost.
  // Unchanged rows keep their reported_at (when they last changed); the device's last_report_at confirms them all.
  const settingRows = report.settings.map((s) => settingStatusToRow(deviceId, s, generatedAt));
  const settings = rowDiff(await storedSettingRows.all(trx, { deviceId }), settingRows, (r) => r.settingId, SETTING_COLUMNS);
  if (settings.removed.length > 0) {
    await trx.deleteFrom('settingStatus').where('deviceId', '=', deviceId).where('settingId', 'in', settings.removed).execute();
  }
  if (settings.written.length <= ROW_BY_ROW) for (const row of settings.written) await upsertSetting.run(trx, row);
  else for (const batch of chunks(settings.written, INSERT_BATCH)) await upsertSettings(trx, batch).execute();
  const policyRows = report.policies.map((p) => ({ deviceId, ...p, reportedAt: generatedAt }));
  const policies = rowDiff(await storedPolicyRows.all(trx, { deviceId }), policyRows, (r) => r.policyId, POLICY_COLUMNS);
  if (policies.removed.length > 0) {
    await trx.deleteFrom('policyStatus').where('deviceId', '=', deviceId).where('policyId', 'in', policies.removed).execute();
  }
  if (policies.written.length <= ROW_BY_ROW) for (const row of policies.written) await upsertPolicy.run(trx, row);
  else for (const batch of chunks(policies.written, INSERT_BATCH)) await upsertPolicies(trx, batch).execute();
  const lastSyncError = report.syncError ? JSON.stringify(report.syncError) : null;
  await deviceReported.run(trx, { deviceId, lastReportAt: generatedAt, agentVersion: report.agentVersion, lastSyncError, receivedAt });
  return { duplicate: false, stale: false };
}

/** The settings among `settingIds` the device last reported in conflict (primary key range; no JSON column parsed). */
export async function reportedConflicts(db: Kysely<Database>, deviceId: string, settingIds: readonly string[]): Promise<ReportedConflict[]> {
  if (settingIds.length === 0) return [];
  return db
    .selectFrom('settingStatus')
    .select(['settingId', 'code', 'message'])
    .where('deviceId', '=', deviceId)
    .where('settingId', 'in', [...settingIds])
    .where('state', '=', 'conflict')
    .orderBy('settingId')
    .execute();
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
    // Every row is confirmed by the device's last report (rows the report did not change keep when they changed).
    settings: settings.map((row) => ({ ...settingStatusFromRow(row), reportedAt: device?.lastReportAt ?? row.reportedAt })),
  };
}

async function storeEvents(db: Db, report: StatusReport, receivedAt: string): Promise<void> {
  const events = report.events ?? [];
  if (events.length === 0) return;
  const { deviceId, reportId } = report;
  for (const e of events) await insertEvent.run(db, { deviceId, reportId, receivedAt, event: JSON.stringify(e) });
  // Trim to the newest EVENTS_PER_DEVICE: one index seek to the oldest kept id, then a range delete (usually empty).
  const oldestKept = await oldestKeptEvent.first(db, { deviceId });
  if (oldestKept) await trimEvents.run(db, { deviceId, before: oldestKept.eventId });
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
