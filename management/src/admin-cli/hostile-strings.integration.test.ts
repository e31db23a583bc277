// Hostile strings from devices and admins (issue 12, terminal injection): refused at the API when they arrive, and
// rendered visibly escaped by every human view of the admin CLI when a stored row already carries one.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasUnsafeCharacters } from '../../../common/terminal-text.js';
import { errorCode, TEST_FACTS, TestDevice } from '../testing/https-client.js';
import { startTestEndpoint, type TestEndpoint } from '../testing/test-endpoint.js';
import { adminCliRunner } from './testing/cli-runner.js';

/** Clears the screen, homes the cursor and forges a table row; then a right-to-left override. */
const ATTACK = 'evil\x1b[2J\x1b[H\nFAKE-DEVICE-ROW  windows  0.1.0  yes\u202Eexe.gpj';
const ESCAPED = 'evil\\x1b[2J\\x1b[H\\nFAKE-DEVICE-ROW  windows  0.1.0  yes\\u202eexe.gpj';

let t: TestEndpoint;
beforeAll(async () => {
  t = await startTestEndpoint();
});
afterAll(async () => {
  await t.close();
});
const { cli } = adminCliRunner(() => t.dir);

/** Writes straight into the endpoint's database, as a store written by an older version or by hand would hold it. */
function tamper(sql: string, ...params: unknown[]): void {
  const db = new Database(join(t.dir, 'db.sqlite'));
  try {
    db.prepare(sql).run(...params);
  } finally {
    db.close();
  }
}

function expectSafe(out: string): void {
  // Line feeds between rows are the only control characters left.
  expect(hasUnsafeCharacters(out.replaceAll('\n', ''))).toBe(false);
  expect(out.split('\n').some((line) => line.startsWith('FAKE-DEVICE-ROW'))).toBe(false);
}

describe('hostile strings at the API', () => {
  it('refuses the attack hostname at enrollment, naming the field', async () => {
    const device = new TestDevice(t.endpoint.url, t.ca, { ...TEST_FACTS, hostname: ATTACK });
    const res = await device.enroll((await t.onboarding()).enrollmentToken);
    expect(res.status).toBe(400);
    expect(errorCode(res)).toBe('SCHEMA_INVALID');
    expect(JSON.stringify(res.body)).toContain('/device/hostname must be a hostname');
  });

  it('accepts real Windows, macOS and Linux hostnames', async () => {
    for (const hostname of ['DESKTOP-4F2K9QZ', 'Johns-MacBook-Pro.local', 'web-01.prod.example.com', 'xn--mller-pc-65a']) {
      const device = new TestDevice(t.endpoint.url, t.ca, { ...TEST_FACTS, hostname });
      expect((await device.enroll((await t.onboarding()).enrollmentToken)).status).toBe(201);
    }
  });

  it('refuses control and bidi characters in policy and group names', async () => {
    const policy = await t.admin.call('POST', '/policies', { name: ATTACK, kind: 'antivirus', settings: {} });
    expect(policy.status).toBe(400);
    expect(JSON.stringify(policy.body)).toContain('/name must not contain control, bidi or invisible format characters');
    const rtl = await t.admin.call('POST', '/policies', { name: 'Baseline\u202Eevil', kind: 'antivirus', settings: {} });
    expect(rtl.status).toBe(400);
    const group = await t.admin.call('POST', '/groups', { name: 'Laptops\u202E' });
    expect(group.status).toBe(400);
    expect(JSON.stringify(group.body)).toContain('/name');
  });
});

describe('stored hostile strings in the admin CLI', () => {
  it('renders a stored hostname and policy name escaped in every human view', async () => {
    const device = await t.enrolledDevice();
    const { policy } = await t.assignedPolicy([device]);
    tamper('UPDATE devices SET hostname = ? WHERE device_id = ?', ATTACK, device.deviceId);
    tamper("UPDATE policy_versions SET payload = json_set(payload, '$.name', ?) WHERE policy_id = ?", ATTACK, policy.policyId);

    const list = await cli('device', 'list');
    expect(list.code).toBe(0);
    expect(list.out).toContain(ESCAPED);
    expectSafe(list.out);
    const show = await cli('device', 'show', device.deviceId);
    expect(show.out).toContain(ESCAPED);
    expectSafe(show.out);
    const policies = await cli('policy', 'list');
    expect(policies.out).toContain(ESCAPED);
    expectSafe(policies.out);
    const shown = await cli('policy', 'show', policy.policyId);
    expect(shown.out).toContain(ESCAPED);
    expectSafe(shown.out);
    for (const args of [
      ['device', 'status', device.deviceId],
      ['policy', 'status', policy.policyId],
    ]) {
      const res = await cli(...args);
      expect(res.code).toBe(0);
      expectSafe(res.out);
    }
  });

  it('keeps --json exact: the same string, escaped only as JSON', async () => {
    const res = await cli('--json', 'device', 'list');
    const devices = (JSON.parse(res.out) as { devices: { hostname: string }[] }).devices;
    expect(devices.map((d) => d.hostname)).toContain(ATTACK);
    expect(res.out).not.toContain('\x1b');
  });
});

describe('corrupt stored rows in the admin CLI', () => {
  it('policy list names a policy whose stored version cannot be read, and what to do, in text and JSON', async () => {
    const created = await t.admin.ok<{ policyId: string }>('POST', '/policies', {
      name: 'Will break',
      kind: 'antivirus',
      settings: { 'defender.AllowRealtimeMonitoring': 1 },
    });
    tamper('UPDATE policy_versions SET payload = ? WHERE policy_id = ?', '{"truncated": ', created.policyId);
    const text = await cli('policy', 'list');
    expect(text.code, text.err).toBe(0);
    expect(text.out).toContain('could not be read and is left out (repair with a new version, or delete)');
    expect(text.out).toContain(`policy_versions ${created.policyId}@1`);
    const json = JSON.parse((await cli('--json', 'policy', 'list')).out);
    expect(json.problems).toEqual([expect.objectContaining({ table: 'policy_versions', id: `${created.policyId}@1`, code: 'STORE_CORRUPT' })]);
    await t.admin.ok('DELETE', `/policies/${created.policyId}`);
  });
});
