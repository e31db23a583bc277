// `attache-management backup` of a running endpoint (SQLite), restored with plain tar on "another machine" (a fresh
// directory) as docs/deploy.md tells: the restored endpoint has the same CA pin, tenant, admin token and devices.
import { execFile } from 'node:child_process';
import { mkdir, readdir, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Endpoint, enrollSimulatedAgent, MANAGEMENT_COMMAND, removeDir, startEndpoint, tempDir } from './harness.js';

const exec = promisify(execFile);
let dir: string;
let original: Endpoint;
let deviceId: string;

/** The management CLI; never throws, so tests can assert on the exit code and the output. */
async function management(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const [program, ...programArgs] = MANAGEMENT_COMMAND as [string, ...string[]];
  try {
    const r = await exec(program, [...programArgs, ...args]);
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** What identifies an endpoint to its devices and admins: CA pin and tenant (from an onboarding package), devices. */
async function identityOf(endpoint: Endpoint) {
  const pkg = await endpoint.admin.ok('POST', '/v1/admin/onboarding-packages', { maxUses: 1, expiresInMinutes: 5 });
  const devices = (await endpoint.admin.ok('GET', '/v1/admin/devices')) as { devices?: { deviceId: string }[] } | { deviceId: string }[];
  const list = Array.isArray(devices) ? devices : (devices.devices ?? []);
  return { caPin: pkg.caPin as string, tenantId: pkg.tenantId as string, devices: list.map((d) => d.deviceId).sort() };
}

beforeAll(async () => {
  dir = await tempDir('backup');
  original = await startEndpoint(join(dir, 'original'));
  ({ deviceId } = await enrollSimulatedAgent(dir, original));
}, 60_000);

afterAll(async () => {
  await original?.stop();
  if (dir) await removeDir(dir);
});

describe('backup of a running endpoint and restore on a fresh machine', () => {
  let before: Awaited<ReturnType<typeof identityOf>>;
  const archive = () => join(dir, 'endpoint-backup.tar.gz');

  it('writes one 0600 archive while serve runs, listing every key and the database', async () => {
    before = await identityOf(original);
    expect(before.devices).toEqual([deviceId]);
    const r = await management('backup', '--data-dir', original.dataDir, '--out', archive());
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ event: 'backup written', database: { engine: 'sqlite', included: true } });
    expect(((await stat(archive())).mode & 0o777).toString(8)).toBe('600');
    const listing = (await exec('tar', ['-tzf', archive()])).stdout.split('\n').filter(Boolean).sort();
    expect(listing).toEqual(
      [
        'SHA256SUMS',
        'backup.json',
        'data/admin-password',
        'data/admin.json',
        'data/admin.token',
        'data/ca-key.pem',
        'data/ca.pem',
        'data/db.sqlite',
        'data/policy-signing-key.pem',
        'data/server-key.pem',
        'data/server.pem',
      ].sort(),
    );
    // The work dir beside the archive is gone; nothing but the archive was added there.
    expect((await readdir(dir)).filter((n) => n.startsWith('.endpoint-backup'))).toEqual([]);
  });

  it('refuses to overwrite an archive and names a directory that is not an endpoint data dir', async () => {
    const again = await management('backup', '--data-dir', original.dataDir, '--out', archive());
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists');
    const notData = await management('backup', '--data-dir', dir, '--out', join(dir, 'x.tar.gz'));
    expect(notData.code).toBe(78);
    expect(notData.stderr).toContain(`${dir} has no ca-key.pem: it is not a management endpoint's data dir`);
  });

  it('restores with tar and sha256sum -c; the restored endpoint has the same CA pin, tenant, admin token and devices', async () => {
    await original.stop();
    const unpacked = join(dir, 'new-machine', 'unpacked');
    await mkdir(unpacked, { recursive: true, mode: 0o700 });
    await exec('tar', ['-xzf', archive(), '-C', unpacked]);
    await exec('sha256sum', ['-c', '--quiet', 'SHA256SUMS'], { cwd: unpacked });
    const dataDir = join(dir, 'new-machine', 'attache-management');
    await rename(join(unpacked, 'data'), dataDir);
    const restored = await startEndpoint(dataDir);
    try {
      expect(await identityOf(restored)).toEqual(before);
      expect(await restored.admin.ok('GET', `/v1/admin/devices/${deviceId}`)).toMatchObject({ deviceId });
    } finally {
      await restored.stop();
    }
  });
});
