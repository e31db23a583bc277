// Vulnerability management over the real endpoint (issue 18): an OSV file and an NVD page imported as raw bytes, a
// Debian 12 device uploads old openssl/libssl3 → exposure, findings and a recommendation; a re-import withdrawing an
// id removes its findings; a malformed file stores nothing; hostile names come back as data; scoped admins and limits.
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { validate } from '../../../common/validation.js';
import {
  AdvisoryImportResult,
  DeviceSoftware,
  DeviceVulnerabilities,
  RecommendationDetail,
  RecommendationList,
  SoftwareUploadAck,
  VulnerabilityDashboard,
} from '../../../policy-schemas/src/index.js';
import { buildZip } from '../advisories/testing/zip-writer.js';
import { recommendationId } from '../service/vulnerabilities/matching/recommendations.js';
import { DEBIAN_ITEMS, debianUpload, inventoryOf, NVD_FILE, OSV_FILE, OSV_WITHDRAWN, SEVEN_ZIP } from '../service/vulnerabilities/testing/service-fixtures.js';
import { adminAccount } from '../testing/admin-accounts.js';
import { errorCode, httpsRequest, type TestResponse } from '../testing/https-client.js';
import { startTestEndpoint, type TestEndpoint } from '../testing/test-endpoint.js';

let t: TestEndpoint;
beforeAll(async () => {
  t = await startTestEndpoint();
});
afterAll(async () => {
  await t?.close();
});

const DEBIAN = { platform: 'linux' as const, osVersion: '12', hostname: 'deb-01' };

function importFile(bytes: Buffer, name: string, contentType = 'application/json'): Promise<TestResponse> {
  return httpsRequest(t.endpoint.url, t.ca, 'POST', `/v1/admin/vulnerabilities/advisories?name=${encodeURIComponent(name)}`, {
    headers: { authorization: `Bearer ${t.admin.token}`, 'content-type': contentType },
    body: bytes,
  });
}

describe('import → upload → exposure over HTTP', () => {
  it('imports OSV (a zip) and NVD, matches an uploaded Debian 12 inventory, and shows exposure, findings and the recommendation', async () => {
    const zip = buildZip([
      { name: 'DSA-5532-1.json', data: Buffer.from(JSON.stringify(JSON.parse(OSV_FILE.toString())[0])) },
      { name: 'DSA-5587-1.json', data: Buffer.from(JSON.stringify(JSON.parse(OSV_FILE.toString())[1])) },
    ]);
    const osv = await importFile(zip, 'all.zip', 'application/zip');
    expect(osv.status, osv.text).toBe(200);
    expect(validate(AdvisoryImportResult, osv.body, 'result')).toMatchObject({ format: 'osv', read: 2, stored: 2, skippedCount: 0 });
    const policiesOf = await t.enrolledDevice();
    await policiesOf.get('/v1/device/policies');
    const cached = t.endpoint.context.sets.size;
    const nvd = await importFile(NVD_FILE, 'nvdcve-2.0-2024.json');
    // An import changes no policy set: the cached sets are kept.
    expect(t.endpoint.context.sets.size).toBe(cached);
    expect(cached).toBeGreaterThan(0);
    expect(nvd.body).toMatchObject({ format: 'nvd', stored: 1 });

    const device = await t.enrolledDevice({ facts: DEBIAN });
    const up = await device.post('/v1/device/software', debianUpload(device.deviceId));
    expect(up.status, up.text).toBe(200);
    expect(validate(SoftwareUploadAck, up.body, 'ack')).toMatchObject({ stored: true });
    expect((await device.post('/v1/device/software', debianUpload(device.deviceId))).body).toMatchObject({ stored: false });

    const vulns = validate(DeviceVulnerabilities, await t.admin.ok('GET', `/devices/${device.deviceId}/vulnerabilities`), 'vulns');
    expect(vulns.exposure).toMatchObject({ level: 'high', score: 80, findings: 3 });
    expect(vulns.findings.map((f) => `${f.advisoryId} ${f.software.name}`)).toEqual(['DSA-5587-1 curl', 'DSA-5532-1 libssl3', 'DSA-5532-1 openssl']);
    const software = validate(DeviceSoftware, await t.admin.ok('GET', `/devices/${device.deviceId}/software`), 'software');
    expect(software.inventory?.items).toHaveLength(DEBIAN_ITEMS.length);

    const recs = validate(RecommendationList, await t.admin.ok('GET', '/vulnerabilities/recommendations?ecosystem=Debian:12&search=openssl'), 'recs');
    expect(recs.items.map((r) => r.title)).toEqual(['Update openssl to 3.0.11-1~deb12u2 or later']);
    const detail = validate(RecommendationDetail, await t.admin.ok('GET', `/vulnerabilities/recommendations/${recs.items[0]?.recommendationId}`), 'detail');
    expect(detail.devices.map((d) => d.deviceId)).toContain(device.deviceId);
    const dashboard = validate(VulnerabilityDashboard, await t.admin.ok('GET', '/vulnerabilities'), 'dashboard');
    expect(dashboard).toMatchObject({ advisoriesStored: 3 });
    expect(dashboard.byLevel.high).toBeGreaterThanOrEqual(1);
    expect(await t.admin.ok('GET', '/vulnerabilities/advisories/CVE-2024-11477')).toMatchObject({ source: 'nvd', cveIds: ['CVE-2024-11477'] });

    // A re-import of a newer file withdrawing DSA-5532-1 removes its findings and recomputes the device.
    const withdrawn = await importFile(OSV_WITHDRAWN, 'debian-newer.json');
    expect(withdrawn.body).toMatchObject({ withdrawn: ['DSA-5532-1'], removed: 1 });
    const after = (await t.admin.ok('GET', `/devices/${device.deviceId}/vulnerabilities`)) as DeviceVulnerabilities;
    expect(after.findings.map((f) => f.advisoryId)).toEqual(['DSA-5587-1']);
    const gone = await t.admin.call('GET', `/vulnerabilities/recommendations/${recommendationId('Debian:12', 'openssl')}`);
    expect([gone.status, errorCode(gone)]).toEqual([404, 'RECOMMENDATION_NOT_FOUND']);
    const entries = (
      await t.admin.ok<{ entries: { action: string; outcome: string; target: { type: string; id: string | null } }[] }>(
        'GET',
        '/audit?action=vulnerabilities.import',
      )
    ).entries;
    expect(entries.length).toBeGreaterThanOrEqual(3);
    // Each entry names the imported file (the ?name= of the request).
    expect(entries.map((e) => e.target.id)).toEqual(expect.arrayContaining(['all.zip', 'nvdcve-2.0-2024.json', 'debian-newer.json']));
  });

  it('refuses a malformed file storing nothing, and an upload naming another device', async () => {
    const before = (await t.admin.ok<VulnerabilityDashboard>('GET', '/vulnerabilities')).advisoriesStored;
    const bad = await importFile(Buffer.from('[{"id": "X-1", "modified": "2024-01-01T00:00:00Z", "affected": [{"package": 7}]}]'), 'bad.json');
    expect([bad.status, errorCode(bad)]).toEqual([422, 'ADVISORY_INVALID']);
    expect(bad.text).toContain('X-1');
    expect((await t.admin.ok<VulnerabilityDashboard>('GET', '/vulnerabilities')).advisoriesStored).toBe(before);
    const unknownParam = await httpsRequest(t.endpoint.url, t.ca, 'POST', '/v1/admin/vulnerabilities/advisories?name=x.json&format=osv', {
      headers: { authorization: `Bearer ${t.admin.token}`, 'content-type': 'application/json' },
      body: OSV_FILE,
    });
    expect([unknownParam.status, errorCode(unknownParam)]).toEqual([400, 'QUERY_INVALID']);
    const query = await t.admin.call('GET', '/vulnerabilities/devices?level=severe');
    expect([query.status, errorCode(query)]).toEqual([400, 'QUERY_INVALID']);

    const a = await t.enrolledDevice({ facts: DEBIAN });
    const b = await t.enrolledDevice({ facts: DEBIAN });
    const foreign = await a.post('/v1/device/software', debianUpload(b.deviceId));
    expect([foreign.status, errorCode(foreign)]).toEqual([400, 'SCHEMA_INVALID']);
  });

  it('stores hostile package names and publishers and returns them as data; a Windows 7-Zip is matched by CPE', async () => {
    const device = await t.enrolledDevice();
    const hostile = {
      name: '<script>alert(1)</script>',
      version: '1.0',
      vendor: '\u001b[31mEvil\u001b[0m "Corp"',
      source: 'windowsRegistry' as const,
      scheme: 'dotted' as const,
    };
    const inventory = inventoryOf([SEVEN_ZIP, hostile], { name: 'Windows 11 Pro', version: '10.0.22631' }, new Date(t.now()).toISOString());
    expect((await device.post('/v1/device/software', { deviceId: device.deviceId, inventory })).status).toBe(200);
    const software = (await t.admin.ok('GET', `/devices/${device.deviceId}/software`)) as DeviceSoftware;
    expect(software.inventory?.items).toContainEqual(hostile);
    const vulns = (await t.admin.ok('GET', `/devices/${device.deviceId}/vulnerabilities`)) as DeviceVulnerabilities;
    expect(vulns.findings.map((f) => [f.advisoryId, f.software.name, f.fixedVersion])).toEqual([['CVE-2024-11477', '7-Zip 23.01 (x64)', '24.07']]);
  });

  it('scoped admins read their own devices only and never the fleet views; a read-only operator cannot import', async () => {
    const inScope = await t.enrolledDevice({ facts: DEBIAN });
    const outside = await t.enrolledDevice({ facts: DEBIAN });
    const group = await t.admin.ok<{ groupId: string }>('POST', '/groups', { name: 'scoped-vulns' });
    await t.admin.ok('POST', `/groups/${group.groupId}/members`, { deviceId: inScope.deviceId });
    const scoped = await adminAccount(t, 'helpDeskOperator', [group.groupId]);
    expect((await scoped.api.call('GET', `/devices/${inScope.deviceId}/software`)).status).toBe(200);
    const out = await scoped.api.call('GET', `/devices/${outside.deviceId}/vulnerabilities`);
    expect([out.status, errorCode(out)]).toEqual([404, 'NOT_FOUND']);
    const fleet = await scoped.api.call('GET', '/vulnerabilities/recommendations');
    expect([fleet.status, errorCode(fleet)]).toEqual([403, 'ADMIN_FORBIDDEN']);
    const reader = await adminAccount(t, 'readOnlyOperator');
    const imported = await reader.api.call('POST', '/vulnerabilities/advisories?name=x.json', undefined, OSV_FILE);
    expect([imported.status, errorCode(imported)]).toEqual([403, 'ADMIN_FORBIDDEN']);
  });

  it('counts open security tasks on the recommendation, and a fixed upload completes the task (recompute listeners)', async () => {
    await importFile(OSV_FILE, 'debian.json');
    const device = await t.enrolledDevice({ facts: { ...DEBIAN, hostname: 'deb-task' } });
    await device.post('/v1/device/software', debianUpload(device.deviceId));
    const curl = recommendationId('Debian:12', 'curl');
    const task = await t.admin.ok<{ taskId: string }>('POST', '/security-tasks', { recommendationId: curl, deviceIds: [device.deviceId] });
    const rec = await t.admin.ok<RecommendationDetail>('GET', `/vulnerabilities/recommendations/${curl}`);
    expect(rec.recommendation.openTasks).toBe(1);
    const fixed = DEBIAN_ITEMS.map((i) => (i.name === 'curl' ? { ...i, version: '7.88.1-10+deb12u5' } : i));
    expect((await device.post('/v1/device/software', debianUpload(device.deviceId, fixed, '2025-03-02T00:00:00.000Z'))).body).toMatchObject({ stored: true });
    const detail = await t.admin.ok<{ task: { status: string; completion: string | null; fixedDeviceCount: number } }>('GET', `/security-tasks/${task.taskId}`);
    expect(detail.task).toMatchObject({ status: 'completed', completion: 'automatic', fixedDeviceCount: 1 });
  });

  it('runs one advisory import at a time: a second, sent while the first is still being read, is refused 503 ENDPOINT_BUSY', async () => {
    // The first import announces 4 MiB and sends 64 KiB: it holds the endpoint's import slot while its body is read.
    const first = request(new URL('/v1/admin/vulnerabilities/advisories?name=slow.json', t.endpoint.url), {
      method: 'POST',
      ca: t.ca,
      agent: false,
      headers: { authorization: `Bearer ${t.admin.token}`, 'content-type': 'application/json', 'content-length': String(4 << 20) },
    });
    first.on('error', () => undefined);
    first.write(Buffer.alloc(64 * 1024, 0x20));
    try {
      const busy = await vi.waitFor(
        async () => {
          const res = await importFile(OSV_FILE, 'second.json');
          expect(res.status, res.text).toBe(503);
          return res;
        },
        { timeout: 10_000, interval: 50 },
      );
      expect(errorCode(busy)).toBe('ENDPOINT_BUSY');
      expect(busy.text).toContain('another advisory import');
      expect(Number(busy.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    } finally {
      first.destroy();
    }
    // The slot comes back when the first request's connection closes.
    await vi.waitFor(async () => expect((await importFile(OSV_FILE, 'third.json')).status).toBe(200), { timeout: 10_000, interval: 100 });
  });

  it('takes an upload larger than the 1 MiB default body limit', async () => {
    const device = await t.enrolledDevice({ facts: DEBIAN });
    const items = Array.from({ length: 9000 }, (_, k) => ({
      name: `lib-package-${String(k).padStart(5, '0')}`,
      version: `1.${k}.0-1+deb12u1`,
      architecture: 'amd64',
      source: 'dpkg' as const,
      scheme: 'dpkg' as const,
      vendor: 'Debian Maintainers <maintainers@example.org>',
    }));
    const upload = debianUpload(device.deviceId, items);
    expect(JSON.stringify(upload).length).toBeGreaterThan(1024 * 1024);
    const res = await device.post('/v1/device/software', upload);
    expect(res.status, res.text.slice(0, 300)).toBe(200);
    expect(((await t.admin.ok('GET', `/devices/${device.deviceId}/software`)) as DeviceSoftware).inventory?.items).toHaveLength(9000);
  });
});
