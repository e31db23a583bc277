// The query string of GET /v1/admin/devices as the console and the CLI send it, checked and turned into the store's
// question; and the opaque keyset cursor (base64url JSON of the sort, order and last row's key). Pure.
import { AttacheError } from '../../../common/errors.js';
import {
  COMPLIANCE_STATES,
  DEVICE_POLICY_STATES,
  DEVICE_SORT_FIELDS,
  DeviceListQuery,
  type DevicePolicyState,
  type DeviceSortField,
  PLATFORMS,
  RISK_LEVELS,
} from '../../../policy-schemas/src/index.js';
import { type DeviceKey, type DeviceQuery, NUMERIC_SORT_FIELDS } from '../store/device-query.js';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 500;
const MAX_SEARCH = 200;

/** The listing a query asks for, before the scope and the connected devices are known. */
export type DeviceListRequest = Omit<DeviceQuery, 'connected' | 'scopeGroupIds'> & { readonly connected?: boolean };

// The parameters the published query schema lists (policy-schemas console-api.ts): one list for both.
const PARAMS = Object.keys(DeviceListQuery.properties);

export function queryInvalid(message: string): AttacheError {
  return new AttacheError('QUERY_INVALID', message);
}

/** QUERY_INVALID naming the first parameter of `query` that is not one of `known`. */
export function refuseUnknown(query: Readonly<Record<string, unknown>>, known: readonly string[]): void {
  const unknown = Object.keys(query).find((n) => !known.includes(n));
  if (unknown !== undefined) throw queryInvalid(`unknown query parameter ${JSON.stringify(unknown.slice(0, 64))}; known: ${known.join(', ')}`);
}

/** The single string value of a query parameter, undefined when absent; QUERY_INVALID when repeated. */
export function single(query: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw queryInvalid(`query parameter ${name} must be given once`);
  return value;
}

/** `value` when it is one of `allowed`; QUERY_INVALID naming the parameter and the allowed values otherwise. */
export function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw queryInvalid(`query parameter ${name} must be one of ${allowed.join(', ')}; got ${JSON.stringify(value.slice(0, 64))}`);
}

/** A page size: an integer 1…`max`, `defaultSize` when absent (the device list's bounds unless a listing names its own). */
export function pageSize(
  value: string | undefined,
  bounds: { readonly defaultSize: number; readonly max: number } = { defaultSize: DEFAULT_PAGE_SIZE, max: MAX_PAGE_SIZE },
): number {
  if (value === undefined) return bounds.defaultSize;
  const n = /^\d{1,6}$/.test(value) ? Number(value) : Number.NaN;
  if (!(n >= 1 && n <= bounds.max))
    throw queryInvalid(`query parameter limit must be an integer from 1 to ${bounds.max}; got ${JSON.stringify(value.slice(0, 64))}`);
  return n;
}

/**
 * The listing asked for by `query` (fastify's parsed query string), or undefined when it has no parameter at all (the
 * answer then keeps its original shape: every device, no paging). QUERY_INVALID names the parameter that is wrong.
 */
export function parseDeviceListQuery(query: Readonly<Record<string, unknown>>): DeviceListRequest | undefined {
  const names = Object.keys(query);
  if (names.length === 0) return undefined;
  refuseUnknown(query, PARAMS);
  const search = single(query, 'search')?.trim();
  if (search !== undefined && search.length > MAX_SEARCH) throw queryInvalid(`query parameter search must be at most ${MAX_SEARCH} characters`);
  const sort = oneOf('sort', single(query, 'sort'), DEVICE_SORT_FIELDS) ?? 'hostname';
  const order = oneOf('order', single(query, 'order'), ['asc', 'desc'] as const) ?? 'asc';
  const connected = oneOf('connected', single(query, 'connected'), ['true', 'false'] as const);
  const cursor = single(query, 'cursor');
  const optional = {
    search: search || undefined,
    platform: oneOf('platform', single(query, 'platform'), PLATFORMS),
    complianceState: oneOf('complianceState', single(query, 'complianceState'), COMPLIANCE_STATES),
    riskLevel: oneOf('riskLevel', single(query, 'riskLevel'), RISK_LEVELS),
    policyStatus: oneOf<DevicePolicyState>('policyStatus', single(query, 'policyStatus'), DEVICE_POLICY_STATES),
    connected: connected === undefined ? undefined : connected === 'true',
    after: cursor === undefined || cursor === '' ? undefined : decodeDeviceCursor(cursor, sort, order),
  };
  const request: DeviceListRequest = { sort, order, limit: pageSize(single(query, 'limit')) };
  for (const [k, v] of Object.entries(optional)) if (v !== undefined) Object.assign(request, { [k]: v });
  return request;
}

interface CursorBody {
  readonly s: DeviceSortField;
  readonly o: 'asc' | 'desc';
  readonly k: string | number;
  readonly i: string;
}

/** The cursor of the page after `key` (for the same sort and order). */
export function encodeDeviceCursor(sort: DeviceSortField, order: 'asc' | 'desc', key: DeviceKey): string {
  const body: CursorBody = { s: sort, o: order, k: key.value, i: key.deviceId };
  return Buffer.from(JSON.stringify(body)).toString('base64url');
}

/** The key a cursor carries; QUERY_INVALID when it was not issued by encodeDeviceCursor or for another sort/order. */
export function decodeDeviceCursor(cursor: string, sort: DeviceSortField, order: 'asc' | 'desc'): DeviceKey {
  const bad = (why: string) => queryInvalid(`query parameter cursor ${why}; pass the nextCursor of the previous page unchanged`);
  if (cursor.length > 1024 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw bad('is not a cursor this endpoint issued');
  let body: Partial<CursorBody>;
  try {
    body = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<CursorBody>;
  } catch {
    throw bad('is not a cursor this endpoint issued');
  }
  const numeric = NUMERIC_SORT_FIELDS.has(sort);
  const keyOk = numeric ? Number.isInteger(body?.k) : typeof body?.k === 'string' && body.k.length <= 512;
  if (typeof body !== 'object' || body === null || !keyOk || typeof body.i !== 'string' || body.i.length > 128) {
    throw bad('is not a cursor this endpoint issued');
  }
  if (body.s !== sort || body.o !== order) throw bad(`was issued for sort=${String(body.s)} order=${String(body.o)}, not sort=${sort} order=${order}`);
  return { value: body.k as string | number, deviceId: body.i };
}
