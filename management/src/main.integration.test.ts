// Integration test of the `serve` CLI as a real process: the one JSON "listening" line, admin.json, a working admin
// API, exit 0 on SIGTERM, and a second start that reuses the CA, tenant and admin token; the compliance setting for
// devices without a compliance policy, and the re-evaluation of every device (with stored transitions) at start-up;
// `--database` / ATTACHE_DATABASE_URL on a scratch PostgreSQL, and exit 69 when that database cannot be reached.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKekFile } from './pki/kek-command.js';
import { type ScratchPostgres, startScratchPostgres } from './store/scratch-postgres.js';
import { errorCode, httpsRequest, TestDevice } from './testing/https-client.js';
import { serve, stop } from './testing/serve-process.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'attache-serve-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('attache-management serve', () => {
  it('prints one listening line, writes admin.json, serves the admin API and exits 0 on SIGTERM; restarts reuse identity', async () => {
    const first = await serve(dir);
    expect(first.line).toEqual({ event: 'listening', url: expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+$/), dataDir: dir });
    const admin = JSON.parse(await readFile(join(dir, 'admin.json'), 'utf8'));
    expect(admin).toEqual({ url: first.line.url, caFile: join(dir, 'ca.pem'), tokenFile: join(dir, 'admin.token') });
    expect((await stat(join(dir, 'admin.json'))).mode & 0o777).toBe(0o600);
    const ca = await readFile(admin.caFile, 'utf8');
    const token = (await readFile(admin.tokenFile, 'utf8')).trim();
    const ok = await httpsRequest(first.line.url, ca, 'GET', '/v1/admin/devices', { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    const pkg = await httpsRequest(first.line.url, ca, 'POST', '/v1/admin/onboarding-packages', {
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    const tenantId = (pkg.body as { tenantId: string }).tenantId;
    expect(await stop(first.child)).toBe(0);
    expect(first.extraStdout()).toBe('');

    const second = await serve(dir);
    expect(await readFile(join(dir, 'ca.pem'), 'utf8')).toBe(ca);
    expect((await readFile(join(dir, 'admin.token'), 'utf8')).trim()).toBe(token);
    const again = await httpsRequest(second.line.url, ca, 'POST', '/v1/admin/onboarding-packages', {
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect((again.body as { tenantId: string }).tenantId).toBe(tenantId);
    const denied = await httpsRequest(second.line.url, ca, 'GET', '/v1/admin/devices', { headers: { authorization: 'Bearer wrong' } });
    expect(errorCode(denied)).toBe('ADMIN_UNAUTHORIZED');
    expect(await stop(second.child)).toBe(0);
  });

  it('marks devices without a compliance policy as --unassigned-compliance says, and re-evaluates every device at start', async () => {
    const data = join(dir, 'compliance');
    const first = await serve(data, ['--unassigned-compliance', 'noncompliant', '--compliance-check-seconds', '5']);
    const ca = await readFile(join(data, 'ca.pem'), 'utf8');
    const token = (await readFile(join(data, 'admin.token'), 'utf8')).trim();
    const auth = { authorization: `Bearer ${token}` };
    const pkg = await httpsRequest(first.line.url, ca, 'POST', '/v1/admin/onboarding-packages', {
      headers: { ...auth, 'content-type': 'application/json' },
      body: '{}',
    });
    const device = new TestDevice(first.line.url, ca);
    expect((await device.enroll((pkg.body as { enrollmentToken: string }).enrollmentToken)).status).toBe(201);
    const decision = async (url: string) =>
      (await httpsRequest(url, ca, 'GET', `/v1/access/devices/${device.deviceId}`, { headers: auth })).body as { decision: string; complianceState: string };
    expect(await decision(first.line.url)).toMatchObject({ decision: 'block', complianceState: 'noncompliant' });
    expect(await stop(first.child)).toBe(0);

    const second = await serve(data);
    expect(await decision(second.line.url)).toMatchObject({ decision: 'allow', complianceState: 'compliant' });
    const view = await httpsRequest(second.line.url, ca, 'GET', `/v1/admin/devices/${device.deviceId}/compliance`, { headers: auth });
    expect((view.body as { transitions: { from: string | null; to: string }[] }).transitions.map((x) => [x.from, x.to])).toEqual([
      ['noncompliant', 'compliant'],
      [null, 'noncompliant'],
    ]);
    expect(await stop(second.child)).toBe(0);
    const bad = await serve(data, ['--unassigned-compliance', 'maybe']).catch((err: Error) => err.message);
    expect(bad).toMatch(/exited with 64/); // usage (common/exit-codes.ts)
  });
});

describe('attache-management serve --database (PostgreSQL)', () => {
  let cluster: ScratchPostgres | undefined;
  beforeAll(async () => {
    cluster = await startScratchPostgres();
  });
  afterAll(() => cluster?.stop());

  it('keeps devices, policies and reports in PostgreSQL across restarts, from the flag or ATTACHE_DATABASE_URL; no SQLite file', async () => {
    const url = await (cluster as ScratchPostgres).createDatabase();
    const data = join(dir, 'pg');
    const kek = join(dir, 'kek');
    await generateKekFile(kek);
    const missing = await serve(join(dir, 'pg-no-kek'), ['--database', url]).then(
      () => 'started',
      (err: Error) => err.message,
    );
    expect(missing).toMatch(/exited with 78/);
    expect(missing).toContain('--key-encryption-key-file');
    const first = await serve(data, ['--database', url, '--key-encryption-key-file', kek]);
    const ca = await readFile(join(data, 'ca.pem'), 'utf8');
    const auth = { authorization: `Bearer ${(await readFile(join(data, 'admin.token'), 'utf8')).trim()}` };
    const json = { ...auth, 'content-type': 'application/json' };
    const pkg = await httpsRequest(first.line.url, ca, 'POST', '/v1/admin/onboarding-packages', { headers: json, body: '{}' });
    const device = new TestDevice(first.line.url, ca);
    expect((await device.enroll((pkg.body as { enrollmentToken: string }).enrollmentToken)).status).toBe(201);
    const policy = await readFile(resolve('examples/policies/windows-antivirus-baseline.json'), 'utf8');
    const created = await httpsRequest(first.line.url, ca, 'POST', '/v1/admin/policies', { headers: json, body: policy });
    expect(created.status).toBe(201);
    const policyId = (created.body as { policyId: string }).policyId;
    const group = await httpsRequest(first.line.url, ca, 'POST', '/v1/admin/groups', { headers: json, body: JSON.stringify({ name: 'Pilot' }) });
    const groupId = (group.body as { groupId: string }).groupId;
    const member = await httpsRequest(first.line.url, ca, 'POST', `/v1/admin/groups/${groupId}/members`, {
      headers: json,
      body: JSON.stringify({ deviceId: device.deviceId }),
    });
    expect(member.status, JSON.stringify(member.body)).toBeLessThan(300);
    const assigned = await httpsRequest(first.line.url, ca, 'POST', '/v1/admin/assignments', { headers: json, body: JSON.stringify({ policyId, groupId }) });
    expect(assigned.status, JSON.stringify(assigned.body)).toBe(201);
    const served = await device.get('/v1/device/policies');
    expect(served.status).toBe(200);
    expect((served.body as { policies: { payload: { policyId: string } }[] }).policies.map((p) => p.payload.policyId)).toEqual([policyId]);
    expect(await stop(first.child)).toBe(0);

    const second = await serve(data, [], { ...process.env, ATTACHE_DATABASE_URL: url, ATTACHE_KEY_ENCRYPTION_KEY_FILE: kek });
    const listed = await httpsRequest(second.line.url, ca, 'GET', `/v1/admin/devices/${device.deviceId}`, { headers: auth });
    expect(listed.body).toMatchObject({ deviceId: device.deviceId, platform: 'windows' });
    const again = await httpsRequest(second.line.url, ca, 'GET', `/v1/admin/policies/${policyId}`, { headers: auth });
    expect(again.status).toBe(200);
    expect(await stop(second.child)).toBe(0);
    await expect(stat(join(data, 'db.sqlite'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses to start when the database cannot be reached: exit 69, DATABASE_UNAVAILABLE naming the host, never the password', async () => {
    // The cluster's port with a database that does not exist, and a port nothing listens on.
    const port = (cluster as ScratchPostgres).port;
    for (const url of [`postgres://postgres:s3cret@127.0.0.1:${port}/no_such_db`, 'postgres://attache:s3cret@127.0.0.1:1/attache']) {
      const failed = await serve(join(dir, 'pg-down'), ['--database', url, '--key-encryption-key-file', join(dir, 'kek')]).then(
        () => 'started',
        (err: Error) => err.message,
      );
      expect(failed).toMatch(/exited with 69/);
      expect(failed).toContain('DATABASE_UNAVAILABLE');
      expect(failed).toContain('127.0.0.1');
      expect(failed).not.toContain('s3cret');
    }
  });
});
