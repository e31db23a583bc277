// The console's device listing and dashboard in SQL, the same statements on SQLite and PostgreSQL: filters, a keyset
// page (sort value + device id, never OFFSET), the count of matches, and the dashboard as one GROUP BY over small enums.
import { type Expression, type Kysely, type RawBuilder, type SelectQueryBuilder, type SqlBool, sql } from 'kysely';
import type { ComplianceState, DevicePolicyState, DeviceSortField, Platform, RiskLevel } from '../../../policy-schemas/src/index.js';
import {
  type ConnectedDevices,
  type DashboardQuery,
  type DeviceCounts,
  type DeviceFilters,
  type DeviceListRow,
  type DeviceQuery,
  type DeviceQueryPage,
  NUMERIC_SORT_FIELDS,
  type PolicySettingPage,
  type PolicySettingQuery,
} from './device-query.js';
import type { Database, DeviceTable } from './schema.js';
import { dbNow } from './sql-presence.js';
import { deviceFromRow } from './sql-rows.js';
import { isolateRows } from './stored-json.js';
import { isPostgres } from './transactions.js';

type Db = Kysely<Database>;
// biome-ignore lint/suspicious/noExplicitAny: a query joined with a raw derived table has no static column types.
type Loose = SelectQueryBuilder<any, any, object>;
type Filtered = SelectQueryBuilder<Database & { d: DeviceTable; dc: Database['deviceCompliance'] }, 'd' | 'dc', object>;

// Ranks the policy-state subquery computes (its maximum over the device's assigned policies is the worst state).
const POLICY_RANK: Readonly<Record<DevicePolicyState, number>> = { none: 0, notApplicable: 1, succeeded: 2, pending: 3, conflict: 4, error: 5 };
const POLICY_BY_RANK = Object.fromEntries(Object.entries(POLICY_RANK).map(([k, v]) => [v, k])) as Record<number, DevicePolicyState>;

const complianceState = sql<string>`coalesce(dc.state, 'unknown')`;
const riskLevel = sql<string>`coalesce(dc.risk_level, 'none')`;

// The worst state of one assigned policy on device `d`/`ip`: pending until the device reports its latest version.
const RANK_OF_REPORT = sql`case when ps.version = p.latest_version then
    case ps.state when 'error' then 5 when 'conflict' then 4 when 'pending' then 3 when 'succeeded' then 2 else 1 end
  else 3 end`;

/**
 * The device's worst policy state, for the rows of one page (a correlated subquery, evaluated per shown row). An
 * assigned policy = not deleted, included through one of the device's groups and excluded through none.
 */
const policyRank = sql<number>`(select coalesce(max(${RANK_OF_REPORT}), 0)
  from policies p left join policy_status ps on ps.device_id = d.device_id and ps.policy_id = p.policy_id
  where p.deleted_at is null
    and exists (select 1 from assignments a join group_members gm on gm.group_id = a.group_id
      where a.policy_id = p.policy_id and a.mode = 'include' and gm.device_id = d.device_id)
    and not exists (select 1 from assignments a join group_members gm on gm.group_id = a.group_id
      where a.policy_id = p.policy_id and a.mode = 'exclude' and gm.device_id = d.device_id))`;

/**
 * The same ranks for every device at once (a device with no assigned policy has no row: none), set-based so the
 * filter and the dashboard do not run the correlated form 10,000 times (a pair included through two groups appears
 * twice: no DISTINCT needed under max). sql-device-listing.test.ts checks both forms agree.
 */
const POLICY_RANKS = sql`(select ip.device_id, max(${RANK_OF_REPORT}) as policy_rank
  from (select gm.device_id, a.policy_id from group_members gm
      join assignments a on a.group_id = gm.group_id and a.mode = 'include') ip
    join policies p on p.policy_id = ip.policy_id and p.deleted_at is null
    left join policy_status ps on ps.device_id = ip.device_id and ps.policy_id = ip.policy_id
  where not exists (select 1 from assignments a join group_members gm on gm.group_id = a.group_id
    where a.policy_id = ip.policy_id and a.mode = 'exclude' and gm.device_id = ip.device_id)
  group by ip.device_id)`;

/**
 * The order `sort=complianceState` lists states in: by severity as evaluate.ts ranks a device's policies, except that
 * unknown (also: never evaluated) comes after every evaluated state, as before conflict and error existed.
 */
export const COMPLIANCE_LIST_ORDER = [
  'compliant',
  'inGracePeriod',
  'conflict',
  'noncompliant',
  'error',
  'unknown',
] as const satisfies readonly ComplianceState[];
const complianceRank = sql<number>`case coalesce(dc.state, 'unknown') ${sql.join(
  COMPLIANCE_LIST_ORDER.slice(0, -1).map((state, rank) => sql`when ${sql.lit(state)} then ${sql.lit(rank)}`),
  sql` `,
)} else ${sql.lit(COMPLIANCE_LIST_ORDER.length - 1)} end`;

/** Sort expressions; the indexes of migration 0011-device-listing are on exactly these. Ranks order enums by severity. */
const SORT_KEY: Readonly<Record<DeviceSortField, RawBuilder<string | number>>> = {
  hostname: sql`lower(d.hostname)`,
  lastSeenAt: sql`coalesce(d.last_seen_at, '')`,
  enrolledAt: sql`d.enrolled_at`,
  complianceState: complianceRank,
  riskLevel: sql`case coalesce(dc.risk_level, 'none') when 'none' then 0 when 'informational' then 1 when 'low' then 2 when 'medium' then 3 else 4 end`,
};

/** `term` as a LIKE pattern matching it literally anywhere (escape character `\`). */
export function likeLiteral(term: string): string {
  return `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** `term` lower-cased as a LIKE pattern matching it literally anywhere (compared with lower(column)). */
export function containsPattern(term: string): string {
  return likeLiteral(term.toLowerCase());
}

/** Whether d is connected: listed as here (a JSON array bound once, not one parameter per id) or on a live replica. */
function isConnected(db: Db, c: ConnectedDevices): RawBuilder<SqlBool> {
  const ids = JSON.stringify(c.here);
  const here = isPostgres(db)
    ? sql<SqlBool>`d.device_id in (select jsonb_array_elements_text(cast(${ids} as jsonb)))`
    : sql<SqlBool>`d.device_id in (select value from json_each(${ids}))`;
  if (!c.elsewhere) return here;
  return sql<SqlBool>`(${here} or exists (select 1 from push_presence pp join replicas r on r.replica_id = pp.replica_id
    where pp.device_id = d.device_id and pp.replica_id <> ${c.elsewhere.except} and r.seen_at >= ${dbNow(db, -c.elsewhere.aliveMs)}))`;
}

/** d is in one of the scope groups (none: false); undefined when the scope is every device. */
function inScope(db: Db, scopeGroupIds: readonly string[] | null | undefined): Expression<SqlBool> | undefined {
  if (!scopeGroupIds) return undefined;
  if (scopeGroupIds.length === 0) return sql<SqlBool>`1 = 0`;
  return sql<SqlBool>`d.device_id in (${db.selectFrom('groupMembers').select('deviceId').where('groupId', 'in', scopeGroupIds)})`;
}

/** devices d (with its compliance row dc) narrowed to the scope and filters. */
function filtered(db: Db, f: DeviceFilters): Filtered {
  let q = db.selectFrom('devices as d').leftJoin('deviceCompliance as dc', 'dc.deviceId', 'd.deviceId') as unknown as Filtered;
  const scope = inScope(db, f.scopeGroupIds);
  if (scope) q = q.where(scope);
  if (f.search) {
    const like = containsPattern(f.search);
    // Tags are stored as a JSON array; a tag has none of `"`, `,`, `[`, `]` (DeviceTag), so a term with one of them
    // could only match the JSON syntax, never a tag.
    const inTags = /[",[\]]/.test(f.search) ? sql<SqlBool>`1 = 0` : sql<SqlBool>`lower(d.tags) like ${like} escape '\\'`;
    q = q.where(sql<SqlBool>`(lower(d.hostname) like ${like} escape '\\' or lower(d.device_id) like ${like} escape '\\' or ${inTags})`);
  }
  if (f.platform) q = q.where('d.platform', '=', f.platform);
  if (f.complianceState) q = q.where(complianceState, '=', f.complianceState);
  if (f.riskLevel) q = q.where(riskLevel, '=', f.riskLevel);
  if (f.policyStatus) {
    const rank = POLICY_RANK[f.policyStatus];
    q = q.where(
      rank === 0
        ? sql<SqlBool>`d.device_id not in (select pr.device_id from ${POLICY_RANKS} pr)`
        : sql<SqlBool>`d.device_id in (select pr.device_id from ${POLICY_RANKS} pr where pr.policy_rank = ${rank})`,
    );
  }
  if (f.connected) {
    const connected = isConnected(db, f.connected.devices);
    q = q.where(f.connected.value ? connected : sql<SqlBool>`not ${connected}`);
  }
  return q;
}

/** ManagementStore.queryDevices: one page after `query.after`, its devices' groups, and the number of matches. */
export async function queryDevices(db: Db, query: DeviceQuery): Promise<DeviceQueryPage> {
  const key = { expr: SORT_KEY[query.sort], numeric: NUMERIC_SORT_FIELDS.has(query.sort) };
  const base = filtered(db, query);
  const { count } = (await base.select(sql<number | string>`count(*)`.as('count')).executeTakeFirstOrThrow()) as { count: number | string };
  let page = base;
  if (query.after) {
    const value = key.numeric ? sql`cast(${query.after.value} as integer)` : sql`cast(${query.after.value} as text)`;
    const beyond: Expression<SqlBool> =
      query.order === 'asc'
        ? sql<SqlBool>`(${key.expr}, d.device_id) > (${value}, ${query.after.deviceId})`
        : sql<SqlBool>`(${key.expr}, d.device_id) < (${value}, ${query.after.deviceId})`;
    page = page.where(beyond);
  }
  const rows = await page
    .selectAll('d')
    .select([complianceState.as('complianceState'), riskLevel.as('riskLevel'), policyRank.as('policyRank'), key.expr.as('sortKey')])
    .orderBy(key.expr, query.order)
    .orderBy('d.deviceId', query.order)
    .limit(query.limit + 1)
    .execute();
  const more = rows.length > query.limit;
  const shown = rows.slice(0, query.limit) as unknown as (DeviceTable & {
    complianceState: string;
    riskLevel: string;
    policyRank: number | string;
    sortKey: string | number;
  })[];
  const groups = await groupNames(
    db,
    shown.map((r) => r.deviceId),
  );
  const { items, problems } = isolateRows(
    shown,
    (row): DeviceListRow => ({
      ...deviceFromRow(row),
      groups: groups.get(row.deviceId) ?? [],
      complianceState: row.complianceState as ComplianceState,
      riskLevel: row.riskLevel as RiskLevel,
      policyStatus: POLICY_BY_RANK[Number(row.policyRank)] ?? 'none',
    }),
    (row) => ({ table: 'devices', id: row.deviceId }),
  );
  const last = shown.at(-1);
  const nextKey = more && last ? { value: key.numeric ? Number(last.sortKey) : String(last.sortKey), deviceId: last.deviceId } : null;
  return { devices: items, problems, total: Number(count), nextKey };
}

/** Group names of each device, sorted by name. */
async function groupNames(db: Db, deviceIds: readonly string[]): Promise<Map<string, string[]>> {
  const byDevice = new Map<string, string[]>();
  if (deviceIds.length === 0) return byDevice;
  const rows = await db
    .selectFrom('groupMembers as gm')
    .innerJoin('deviceGroups as g', 'g.groupId', 'gm.groupId')
    .select(['gm.deviceId', 'g.name'])
    .where('gm.deviceId', 'in', deviceIds)
    .orderBy('g.name')
    .execute();
  for (const m of rows) byDevice.set(m.deviceId, [...(byDevice.get(m.deviceId) ?? []), m.name]);
  return byDevice;
}

/**
 * ManagementStore.deviceDashboard: one GROUP BY over every dimension the dashboard shows (its rows are bounded by the
 * product of small enums, not by the number of devices), folded into counts here.
 */
export async function deviceDashboard(db: Db, query: DashboardQuery): Promise<DeviceCounts> {
  const bucket = sql<string>`case when d.last_seen_at is null then 'never' when d.last_seen_at >= ${query.hourAgo} then 'lastHour'
    when d.last_seen_at >= ${query.dayAgo} then 'lastDay' when d.last_seen_at >= ${query.weekAgo} then 'lastWeek' else 'older' end`;
  const connected = sql<number>`case when ${isConnected(db, query.connected)} then 1 else 0 end`;
  // Per device its dimensions, then GROUP BY their names (PostgreSQL would not match a parameterised expression).
  // The derived table is raw SQL, so kysely cannot type its columns: the join is typed loosely.
  const perDevice = (filtered(db, { scopeGroupIds: query.scopeGroupIds ?? null }) as unknown as Loose)
    .leftJoin(sql`${POLICY_RANKS}`.as('pr'), 'pr.deviceId', 'd.deviceId')
    .select([
      'd.revoked as revoked',
      'd.platform as platform',
      complianceState.as('complianceState'),
      riskLevel.as('riskLevel'),
      bucket.as('bucket'),
      sql<number>`coalesce(pr.policy_rank, 0)`.as('policyRank'),
      connected.as('connected'),
    ]);
  const dims = ['revoked', 'platform', 'complianceState', 'riskLevel', 'bucket', 'policyRank', 'connected'] as const;
  const rows = await db
    .selectFrom(perDevice.as('x'))
    .select([...dims.map((c) => sql.ref(`x.${c}`).as(c)), sql<number | string>`count(*)`.as('count')])
    .groupBy(dims.map((c) => sql.ref(`x.${c}`)))
    .execute();
  const counts = { total: 0, revoked: 0, connected: 0, complianceState: {}, riskLevel: {}, platform: {}, lastCheckIn: {}, policyStatus: {} };
  const add = (into: Record<string, number>, k: string, n: number): void => {
    into[k] = (into[k] ?? 0) + n;
  };
  for (const row of rows as unknown as {
    revoked: number;
    platform: string;
    complianceState: string;
    riskLevel: string;
    bucket: string;
    policyRank: number | string;
    connected: number | string;
    count: number | string;
  }[]) {
    const n = Number(row.count);
    counts.total += n;
    if (Number(row.connected) === 1) counts.connected += n;
    if (Number(row.revoked) === 1) {
      counts.revoked += n;
      continue;
    }
    add(counts.complianceState, row.complianceState, n);
    add(counts.riskLevel, row.riskLevel, n);
    add(counts.platform, row.platform, n);
    add(counts.lastCheckIn, row.bucket, n);
    add(counts.policyStatus, POLICY_BY_RANK[Number(row.policyRank)] ?? 'none', n);
  }
  return counts;
}

/**
 * ManagementStore.policySettingDevices: the devices the policy is assigned to (not revoked, in scope) whose state for
 * one setting is `state`, as policy-status.ts counts it: the setting row naming the policy once the device reports
 * the latest version, else pending. Keyset by device id.
 */
export async function policySettingDevices(db: Db, q: PolicySettingQuery): Promise<PolicySettingPage> {
  const assigned = sql<SqlBool>`d.device_id in (select gm.device_id from group_members gm join assignments a on a.group_id = gm.group_id
      where a.policy_id = ${q.policyId} and a.mode = 'include')
    and not exists (select 1 from group_members gm join assignments a on a.group_id = gm.group_id
      where a.policy_id = ${q.policyId} and a.mode = 'exclude' and gm.device_id = d.device_id)`;
  // One column of the device's status row for this setting that names the policy, once it reports the latest version.
  const reported = (column: 'state' | 'code') => sql`case when ps.version = ${q.latestVersion} then (select ${sql.ref(`ss.${column}`)} from setting_status ss
    where ss.device_id = d.device_id and ss.setting_id = ${q.settingId} and ss.policy_ids like ${likeLiteral(JSON.stringify(q.policyId))} escape '\\') end`;
  const state = sql<string>`coalesce(${reported('state')}, 'pending')`;
  let inner = db
    .selectFrom('devices as d')
    .leftJoin('policyStatus as ps', (j) => j.onRef('ps.deviceId', '=', 'd.deviceId').on('ps.policyId', '=', q.policyId))
    .select(['d.deviceId as deviceId', 'd.hostname as hostname', 'd.platform as platform', 'd.lastReportAt as lastReportAt', state.as('state')])
    .select(sql<string | null>`${reported('code')}`.as('code'))
    .where('d.revoked', '=', 0)
    .where(assigned);
  const scope = inScope(db, q.scopeGroupIds);
  if (scope) inner = inner.where(scope);
  const matching = db.selectFrom(inner.as('x')).where('x.state', '=', q.state);
  const { count } = (await matching.select(sql<number | string>`count(*)`.as('count')).executeTakeFirstOrThrow()) as { count: number | string };
  const rows = await (q.afterDeviceId === undefined ? matching : matching.where('x.deviceId', '>', q.afterDeviceId))
    .select(['x.deviceId', 'x.hostname', 'x.platform', 'x.lastReportAt', 'x.code'])
    .orderBy('x.deviceId')
    .limit(q.limit + 1)
    .execute();
  const devices = rows.slice(0, q.limit).map((r) => ({ ...r, platform: r.platform as Platform }));
  return { devices, total: Number(count), nextDeviceId: rows.length > q.limit ? (devices.at(-1)?.deviceId ?? null) : null };
}
