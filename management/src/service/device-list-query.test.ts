// The device list's query parsing and cursor: defaults, no query = old answer, errors naming the parameter.
import { describe, expect, it } from 'vitest';
import { validate } from '../../../common/validation.js';
import { DeviceListQuery } from '../../../policy-schemas/src/index.js';
import { decodeDeviceCursor, encodeDeviceCursor, parseDeviceListQuery } from './device-list-query.js';

const codeAndMessage = (f: () => unknown): string => {
  try {
    f();
  } catch (err) {
    return `${(err as { code: string }).code}: ${(err as Error).message}`;
  }
  return 'no error';
};

describe('parseDeviceListQuery', () => {
  it('gives undefined without parameters and defaults otherwise', () => {
    expect(parseDeviceListQuery({})).toBeUndefined();
    expect(parseDeviceListQuery({ limit: '5' })).toEqual({ sort: 'hostname', order: 'asc', limit: 5 });
    expect(parseDeviceListQuery({ search: '  ', connected: 'false', riskLevel: 'high' })).toEqual({
      sort: 'hostname',
      order: 'asc',
      limit: 100,
      connected: false,
      riskLevel: 'high',
    });
  });

  it('accepts exactly what the published query schema describes', () => {
    const query = {
      search: 'ws',
      platform: 'linux',
      complianceState: 'unknown',
      riskLevel: 'low',
      policyStatus: 'none',
      connected: 'true',
      sort: 'lastSeenAt',
      order: 'desc',
      limit: '500',
    };
    expect(parseDeviceListQuery(validate(DeviceListQuery, query, 'query'))).toMatchObject({ sort: 'lastSeenAt', order: 'desc', limit: 500, connected: true });
    expect(codeAndMessage(() => validate(DeviceListQuery, { colour: 'red' }, 'query'))).toMatch(/^SCHEMA_INVALID/);
    expect(codeAndMessage(() => parseDeviceListQuery({ colour: 'red' }))).toMatch(/^QUERY_INVALID: unknown query parameter "colour"; known: search, platform/);
  });

  it('names the parameter that is wrong', () => {
    expect(codeAndMessage(() => parseDeviceListQuery({ sort: 'name' }))).toMatch(/^QUERY_INVALID: query parameter sort must be one of hostname, lastSeenAt/);
    expect(codeAndMessage(() => parseDeviceListQuery({ limit: '1e2' }))).toMatch(/query parameter limit must be an integer from 1 to 500/);
    expect(codeAndMessage(() => parseDeviceListQuery({ search: 'x'.repeat(201) }))).toMatch(/query parameter search/);
    expect(codeAndMessage(() => parseDeviceListQuery({ policyStatus: ['error', 'pending'] }))).toMatch(/policyStatus must be given once/);
  });
});

describe('device cursor', () => {
  it('round-trips for the same sort and order only, and refuses tampering', () => {
    const cursor = encodeDeviceCursor('riskLevel', 'desc', { value: 3, deviceId: 'd1' });
    expect(decodeDeviceCursor(cursor, 'riskLevel', 'desc')).toEqual({ value: 3, deviceId: 'd1' });
    expect(codeAndMessage(() => decodeDeviceCursor(cursor, 'riskLevel', 'asc'))).toMatch(/issued for sort=riskLevel order=desc/);
    const textKey = Buffer.from(JSON.stringify({ s: 'riskLevel', o: 'desc', k: 'high', i: 'd1' })).toString('base64url');
    expect(codeAndMessage(() => decodeDeviceCursor(textKey, 'riskLevel', 'desc'))).toMatch(/cursor is not a cursor this endpoint issued/);
    expect(codeAndMessage(() => decodeDeviceCursor('e30', 'hostname', 'asc'))).toMatch(/cursor is not a cursor/);
  });
});
