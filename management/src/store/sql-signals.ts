// Device signals in the SQL store: alert reports (idempotent by reportId, stale ones kept as history only), alerts
// upserted by alertId, and the latest health and inventory (an older upload never replaces a newer one).
import type { Kysely } from 'kysely';
import { AttacheError } from '../../../common/errors.js';
import type { Alert, AlertAction, AlertReport, DeviceHealth, DeviceInventory, RiskLevel } from '../../../policy-schemas/src/index.js';
import { type AlertReportOutcome, type DeviceSignals, RESOLVED_ALERTS_PER_DEVICE, type StoredAlert } from './compliance-store.js';
import type { Database, DeviceAlertTable } from './schema.js';
import { chunks, normaliseTime } from './sql-rows.js';
import { isolateRows, parseStoredJson } from './stored-json.js';

type Db = Kysely<Database>;

// 14 columns per device_alerts row; SQLite allows 32766 bound parameters per statement.
const INSERT_BATCH = 500;
const SEVERITY_ORDER: Readonly<Record<string, number>> = { high: 0, medium: 1, low: 2, informational: 3 };

function alertRow(deviceId: string, alert: Alert, reportId: string, receivedAt: string): DeviceAlertTable {
  return {
    deviceId,
    alertId: alert.alertId,
    category: alert.category,
    severity: alert.severity,
    title: alert.title,
    evidence: JSON.stringify(alert.evidence),
    firstSeen: normaliseTime(alert.firstSeen),
    lastSeen: normaliseTime(alert.lastSeen),
    status: alert.status,
    resolvedAt: alert.resolvedAt === undefined ? null : normaliseTime(alert.resolvedAt),
    action: alert.action === undefined ? null : JSON.stringify(alert.action),
    reportId,
    receivedAt,
  };
}

function alertFromRow(row: DeviceAlertTable): StoredAlert {
  return {
    alertId: row.alertId,
    category: row.category as Alert['category'],
    severity: row.severity as Alert['severity'],
    title: row.title,
    evidence: parseStoredJson<Alert['evidence']>(row.evidence, { table: 'device_alerts', id: `${row.deviceId}/${row.alertId}`, column: 'evidence' }),
    firstSeen: row.firstSeen,
    lastSeen: row.lastSeen,
    status: row.status as Alert['status'],
    ...(row.resolvedAt === null ? {} : { resolvedAt: row.resolvedAt }),
    ...(row.action === null
      ? {}
      : { action: parseStoredJson<AlertAction>(row.action, { table: 'device_alerts', id: `${row.deviceId}/${row.alertId}`, column: 'action' }) }),
    receivedAt: row.receivedAt,
  };
}

/** Creates the device's signals row if it has none (every signal write upserts into it). */
async function ensureSignalsRow(db: Db, deviceId: string): Promise<void> {
  await db
    .insertInto('deviceSignals')
    .values({
      deviceId,
      health: null,
      healthCollectedAt: null,
      healthReceivedAt: null,
      inventory: null,
      inventoryCollectedAt: null,
      inventoryReceivedAt: null,
      lastAlertReportAt: null,
      lastAlertReceivedAt: null,
      agentRiskLevel: null,
    })
    .onConflict((oc) => oc.column('deviceId').doNothing())
    .execute();
}

async function requireDevice(db: Db, deviceId: string): Promise<void> {
  const device = await db.selectFrom('devices').select('deviceId').where('deviceId', '=', deviceId).executeTakeFirst();
  if (!device) throw new AttacheError('DEVICE_UNKNOWN', `device ${deviceId} does not exist`);
}

/** ComplianceStore.recordAlertReport; runs inside the caller's transaction (a group commit's savepoint). */
export async function recordAlertReport(trx: Db, report: AlertReport, receivedAt: string): Promise<AlertReportOutcome> {
  const known = await trx.selectFrom('alertReports').select('reportId').where('reportId', '=', report.reportId).executeTakeFirst();
  if (known) return { duplicate: true, stale: false };
  await requireDevice(trx, report.deviceId);
  await ensureSignalsRow(trx, report.deviceId);
  const signals = await trx.selectFrom('deviceSignals').select('lastAlertReportAt').where('deviceId', '=', report.deviceId).executeTakeFirstOrThrow();
  const generatedAt = normaliseTime(report.generatedAt);
  const stale = signals.lastAlertReportAt !== null && Date.parse(generatedAt) < Date.parse(signals.lastAlertReportAt);
  await trx
    .insertInto('alertReports')
    .values({
      reportId: report.reportId,
      deviceId: report.deviceId,
      generatedAt,
      receivedAt,
      agentRiskLevel: report.riskLevel,
      alertCount: report.alerts.length,
      stale: stale ? 1 : 0,
    })
    .execute();
  if (stale) return { duplicate: false, stale: true };
  for (const batch of chunks(report.alerts, INSERT_BATCH)) {
    const rows = batch.map((a) => alertRow(report.deviceId, a, report.reportId, receivedAt));
    await trx
      .insertInto('deviceAlerts')
      .values(rows)
      .onConflict((oc) =>
        oc.columns(['deviceId', 'alertId']).doUpdateSet((eb) => ({
          category: eb.ref('excluded.category'),
          severity: eb.ref('excluded.severity'),
          title: eb.ref('excluded.title'),
          evidence: eb.ref('excluded.evidence'),
          firstSeen: eb.ref('excluded.firstSeen'),
          lastSeen: eb.ref('excluded.lastSeen'),
          status: eb.ref('excluded.status'),
          resolvedAt: eb.ref('excluded.resolvedAt'),
          action: eb.ref('excluded.action'),
          reportId: eb.ref('excluded.reportId'),
          receivedAt: eb.ref('excluded.receivedAt'),
        })),
      )
      .execute();
  }
  await trx
    .updateTable('deviceSignals')
    .set({ lastAlertReportAt: generatedAt, lastAlertReceivedAt: receivedAt, agentRiskLevel: report.riskLevel })
    .where('deviceId', '=', report.deviceId)
    .execute();
  await trimResolved(trx, report.deviceId);
  return { duplicate: false, stale: false };
}

// Resolved alerts are history: keep the newest RESOLVED_ALERTS_PER_DEVICE. Active alerts are never dropped.
async function trimResolved(db: Db, deviceId: string): Promise<void> {
  const keep = db
    .selectFrom('deviceAlerts')
    .select('alertId')
    .where('deviceId', '=', deviceId)
    .where('status', '=', 'resolved')
    .orderBy('lastSeen', 'desc')
    .orderBy('alertId')
    .limit(RESOLVED_ALERTS_PER_DEVICE);
  await db.deleteFrom('deviceAlerts').where('deviceId', '=', deviceId).where('status', '=', 'resolved').where('alertId', 'not in', keep).execute();
}

/** ComplianceStore.listAlerts: active first (highest severity, then newest), then resolved, newest first. */
export async function listAlerts(db: Db, deviceId: string): Promise<StoredAlert[]> {
  const rows = await db.selectFrom('deviceAlerts').selectAll().where('deviceId', '=', deviceId).execute();
  const rank = (r: DeviceAlertTable) => (r.status === 'active' ? 0 : 1);
  rows.sort(
    (a, b) =>
      rank(a) - rank(b) ||
      (rank(a) === 0 ? (SEVERITY_ORDER[a.severity] ?? 9) - (SEVERITY_ORDER[b.severity] ?? 9) : 0) ||
      b.lastSeen.localeCompare(a.lastSeen) ||
      a.alertId.localeCompare(b.alertId),
  );
  return isolateRows(rows, alertFromRow, (r) => ({ table: 'device_alerts', id: `${r.deviceId}/${r.alertId}` })).items;
}

/** ComplianceStore.recordHealth; runs inside the caller's transaction. */
export async function recordHealth(trx: Db, deviceId: string, health: DeviceHealth, receivedAt: string): Promise<boolean> {
  await requireDevice(trx, deviceId);
  await ensureSignalsRow(trx, deviceId);
  const collectedAt = normaliseTime(health.collectedAt);
  const result = await trx
    .updateTable('deviceSignals')
    .set({ health: JSON.stringify(health), healthCollectedAt: collectedAt, healthReceivedAt: receivedAt })
    .where('deviceId', '=', deviceId)
    .where((eb) => eb.or([eb('healthCollectedAt', 'is', null), eb('healthCollectedAt', '<=', collectedAt)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** ComplianceStore.recordInventory; runs inside the caller's transaction. */
export async function recordInventory(trx: Db, deviceId: string, inventory: DeviceInventory, receivedAt: string): Promise<boolean> {
  await requireDevice(trx, deviceId);
  await ensureSignalsRow(trx, deviceId);
  const collectedAt = normaliseTime(inventory.collectedAt);
  const result = await trx
    .updateTable('deviceSignals')
    .set({ inventory: JSON.stringify(inventory), inventoryCollectedAt: collectedAt, inventoryReceivedAt: receivedAt })
    .where('deviceId', '=', deviceId)
    .where((eb) => eb.or([eb('inventoryCollectedAt', 'is', null), eb('inventoryCollectedAt', '<=', collectedAt)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** ComplianceStore.getSignals (all null for a device that sent none). */
export async function getSignals(db: Db, deviceId: string): Promise<DeviceSignals> {
  const row = await db.selectFrom('deviceSignals').selectAll().where('deviceId', '=', deviceId).executeTakeFirst();
  return {
    health:
      row?.health && row.healthReceivedAt
        ? { value: parseStoredJson<DeviceHealth>(row.health, { table: 'device_signals', id: deviceId, column: 'health' }), receivedAt: row.healthReceivedAt }
        : null,
    inventory:
      row?.inventory && row.inventoryReceivedAt
        ? {
            value: parseStoredJson<DeviceInventory>(row.inventory, { table: 'device_signals', id: deviceId, column: 'inventory' }),
            receivedAt: row.inventoryReceivedAt,
          }
        : null,
    lastAlertReportAt: row?.lastAlertReportAt ?? null,
    lastAlertReceivedAt: row?.lastAlertReceivedAt ?? null,
    agentRiskLevel: (row?.agentRiskLevel ?? null) as RiskLevel | null,
  };
}
