// Alert triage in the SQL store (migration 0016): triage rows upserted by (device, alert), append-only comments, and
// suppression rules; the device-alert index serves an organization-wide rule's fan-out page by page.
import type { Kysely } from 'kysely';
import { AttacheError } from '../../../common/errors.js';
import type { AlertComment, AlertTriage, SuppressionRule } from '../../../policy-schemas/src/index.js';
import type { AlertTriageTable, Database, SuppressionRuleTable } from './schema.js';
import { chunks } from './sql-rows.js';
import { inTransaction } from './transactions.js';
import { COMMENTS_SHOWN, type SuppressionRuleLimit } from './triage-store.js';

type Db = Kysely<Database>;

function triageFromRow(row: AlertTriageTable): AlertTriage {
  return {
    status: row.status as AlertTriage['status'],
    classification: row.classification as AlertTriage['classification'],
    determination: row.determination as AlertTriage['determination'],
    assignedTo: row.assignedTo,
    resolvedAt: row.resolvedAt,
    resolvedBy: row.resolvedBy,
    updatedAt: row.updatedAt,
    updatedBy: row.updatedBy,
  };
}

function ruleFromRow(row: SuppressionRuleTable): SuppressionRule {
  return {
    ruleId: row.ruleId,
    scope: row.scope as SuppressionRule['scope'],
    deviceId: row.deviceId,
    alertId: row.alertId,
    comment: row.comment,
    createdAt: row.createdAt,
    createdBy: row.createdBy,
    expiresAt: row.expiresAt,
  };
}

export async function getAlertTriage(db: Db, deviceId: string, alertId: string): Promise<AlertTriage | undefined> {
  const row = await db.selectFrom('alertTriage').selectAll().where('deviceId', '=', deviceId).where('alertId', '=', alertId).executeTakeFirst();
  return row ? triageFromRow(row) : undefined;
}

export async function listAlertTriage(db: Db, deviceId: string): Promise<Map<string, AlertTriage>> {
  const rows = await db.selectFrom('alertTriage').selectAll().where('deviceId', '=', deviceId).execute();
  return new Map(rows.map((r) => [r.alertId, triageFromRow(r)]));
}

export function saveAlertTriage(db: Db, deviceId: string, alertId: string, triage: AlertTriage | null, comments: readonly AlertComment[]): Promise<void> {
  return inTransaction(db, async (trx) => {
    const held = await trx.selectFrom('deviceAlerts').select('alertId').where('deviceId', '=', deviceId).where('alertId', '=', alertId).executeTakeFirst();
    if (!held) throw new AttacheError('NOT_FOUND', `device ${deviceId} has no alert ${alertId}`);
    if (triage) {
      const row: AlertTriageTable = { deviceId, alertId, ...triage };
      const { deviceId: _d, alertId: _a, ...update } = row;
      await trx
        .insertInto('alertTriage')
        .values(row)
        .onConflict((oc) => oc.columns(['deviceId', 'alertId']).doUpdateSet(update))
        .execute();
    }
    if (comments.length === 0) return;
    await trx
      .insertInto('alertComments')
      .values(comments.map((c) => ({ deviceId, alertId, ...c })))
      .execute();
    // Only the newest COMMENTS_SHOWN are ever read: older ones go, so one alert's comments cannot grow without bound.
    const oldestKept = await trx
      .selectFrom('alertComments')
      .select('commentId')
      .where('deviceId', '=', deviceId)
      .where('alertId', '=', alertId)
      .orderBy('commentId', 'desc')
      .offset(COMMENTS_SHOWN - 1)
      .limit(1)
      .executeTakeFirst();
    if (oldestKept) {
      await trx
        .deleteFrom('alertComments')
        .where('deviceId', '=', deviceId)
        .where('alertId', '=', alertId)
        .where('commentId', '<', oldestKept.commentId)
        .execute();
    }
  });
}

export async function listAlertComments(db: Db, deviceId: string, alertId: string, limit: number): Promise<AlertComment[]> {
  const rows = await db
    .selectFrom('alertComments')
    .select(['at', 'author', 'text'])
    .where('deviceId', '=', deviceId)
    .where('alertId', '=', alertId)
    .orderBy('commentId', 'desc')
    .limit(limit)
    .execute();
  return rows.reverse();
}

// In force at `now`: as suppressionApplies (normal-form ISO times compare as text).
function inForce(rule: Pick<SuppressionRule, 'expiresAt'>, now: string): boolean {
  return rule.expiresAt === null || rule.expiresAt > now;
}

/**
 * CONFLICT when `rule`, in force, would be one too many in its scope (the device's own rules, or the organization's):
 * counted inside the write's transaction, so two concurrent writes (or replicas) cannot both pass the cap.
 */
async function checkRuleLimit(trx: Db, rule: SuppressionRule, limit: SuppressionRuleLimit): Promise<void> {
  if (!inForce(rule, limit.now)) return;
  const scoped = trx.selectFrom('suppressionRules').select(['ruleId', 'expiresAt']).where('ruleId', '!=', rule.ruleId);
  const rows = await (rule.deviceId === null ? scoped.where('scope', '=', 'organization') : scoped.where('deviceId', '=', rule.deviceId)).execute();
  const count = rows.filter((r) => inForce(r, limit.now)).length;
  if (count >= limit.max) {
    const where = rule.deviceId === null ? 'the organization' : `device ${rule.deviceId}`;
    throw new AttacheError('CONFLICT', `${where} already has ${count} suppression rules in force (at most ${limit.max}); delete one first`);
  }
}

export function createSuppressionRule(db: Db, rule: SuppressionRule, limit?: SuppressionRuleLimit): Promise<void> {
  return inTransaction(db, async (trx) => {
    if (rule.deviceId !== null) {
      const device = await trx.selectFrom('devices').select('deviceId').where('deviceId', '=', rule.deviceId).executeTakeFirst();
      if (!device) throw new AttacheError('NOT_FOUND', `device ${rule.deviceId} does not exist`);
    }
    const known = await trx.selectFrom('suppressionRules').select('ruleId').where('ruleId', '=', rule.ruleId).executeTakeFirst();
    if (known) throw new AttacheError('CONFLICT', `suppression rule ${rule.ruleId} already exists`);
    if (limit) await checkRuleLimit(trx, rule, limit);
    await trx.insertInto('suppressionRules').values(rule).execute();
  });
}

export async function listSuppressionRules(db: Db): Promise<SuppressionRule[]> {
  const rows = await db.selectFrom('suppressionRules').selectAll().orderBy('createdAt', 'desc').orderBy('ruleId').execute();
  return rows.map(ruleFromRow);
}

export async function getSuppressionRule(db: Db, ruleId: string): Promise<SuppressionRule | undefined> {
  const row = await db.selectFrom('suppressionRules').selectAll().where('ruleId', '=', ruleId).executeTakeFirst();
  return row ? ruleFromRow(row) : undefined;
}

export function updateSuppressionRule(db: Db, rule: SuppressionRule, limit?: SuppressionRuleLimit): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    const stored = await trx
      .selectFrom('suppressionRules')
      .select(['ruleId', 'expiresAt', 'scope', 'deviceId'])
      .where('ruleId', '=', rule.ruleId)
      .executeTakeFirst();
    if (!stored) return false;
    // Only a rule that comes back into force adds one to its scope (a change to a rule in force adds none).
    if (limit && !inForce(stored, limit.now))
      await checkRuleLimit(trx, { ...rule, scope: stored.scope as SuppressionRule['scope'], deviceId: stored.deviceId }, limit);
    await trx.updateTable('suppressionRules').set({ comment: rule.comment, expiresAt: rule.expiresAt }).where('ruleId', '=', rule.ruleId).execute();
    return true;
  });
}

export function deleteSuppressionRule(db: Db, ruleId: string): Promise<SuppressionRule | undefined> {
  return inTransaction(db, async (trx) => {
    const row = await trx.selectFrom('suppressionRules').selectAll().where('ruleId', '=', ruleId).executeTakeFirst();
    if (!row) return undefined;
    await trx.deleteFrom('suppressionRules').where('ruleId', '=', ruleId).execute();
    return ruleFromRow(row);
  });
}

export async function suppressionRulesForDevice(db: Db, deviceId: string): Promise<SuppressionRule[]> {
  const rows = await db
    .selectFrom('suppressionRules')
    .selectAll()
    .where((eb) => eb.or([eb('deviceId', '=', deviceId), eb('scope', '=', 'organization')]))
    .orderBy('ruleId')
    .execute();
  return rows.map(ruleFromRow);
}

export async function suppressionRulesForDevices(db: Db, deviceIds: readonly string[]): Promise<Map<string, SuppressionRule[]>> {
  const organization = (await db.selectFrom('suppressionRules').selectAll().where('scope', '=', 'organization').orderBy('ruleId').execute()).map(ruleFromRow);
  const out = new Map(deviceIds.map((id) => [id, [...organization]]));
  for (const batch of chunks(deviceIds, 500)) {
    const rows = await db.selectFrom('suppressionRules').selectAll().where('deviceId', 'in', batch).orderBy('ruleId').execute();
    for (const row of rows) out.get(row.deviceId as string)?.push(ruleFromRow(row));
  }
  return out;
}

export async function deviceIdsWithAlert(db: Db, alertId: string, after: string | null, limit: number): Promise<string[]> {
  let query = db.selectFrom('deviceAlerts').select('deviceId').where('alertId', '=', alertId);
  if (after !== null) query = query.where('deviceId', '>', after);
  const rows = await query.orderBy('deviceId').limit(limit).execute();
  return rows.map((r) => r.deviceId);
}
