// The admin CLI's response action commands against a real endpoint: create (by id and by hostname) ⇒ list ⇒ show ⇒
// cancel, a second action of the family refused naming the first, the endpoint's refusals (unknown device, a 400
// naming the field) reaching the user with their exit codes, and `action package` downloading a package a device
// uploaded with signed requests: the file is 0600 and byte-identical, verified against the header and the result.
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../../common/exit-codes.js';
import { hasUnsafeCharacters } from '../../../common/terminal-text.js';
import type { MachineAction, MachineActionList } from '../../../policy-schemas/src/index.js';
import { putChunk } from '../testing/action-device.js';
import type { TestDevice } from '../testing/https-client.js';
import { startTestEndpoint, type TestEndpoint } from '../testing/test-endpoint.js';
import { adminCliRunner } from './testing/cli-runner.js';

let t: TestEndpoint;
let out: string;
beforeAll(async () => {
  t = await startTestEndpoint();
  out = await mkdtemp(join(tmpdir(), 'action-cli-'));
});
afterAll(async () => {
  await t?.close();
  if (out) await rm(out, { recursive: true, force: true });
});

const { cli, json } = adminCliRunner(() => t.dir);

/** Uploads `bytes` as the package of `actionId` in chunks, signed as the device (the query is part of the signed path). */
async function uploadPackage(device: TestDevice, actionId: string, bytes: Buffer, chunk = 4096): Promise<void> {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  for (let offset = 0; offset < bytes.length; offset += chunk) {
    const part = bytes.subarray(offset, offset + chunk);
    const res = await putChunk(t.endpoint.url, t.ca, device, actionId, { offset, size: bytes.length, sha256 }, part);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  }
}

describe('attache-admin action', () => {
  it('creates by hostname, lists, shows and cancels; a second scan is refused naming the first', async () => {
    const device = await t.enrolledDevice({ facts: { hostname: 'cli-actions-1' } });
    const created = await json<MachineAction>(
      'action',
      'create',
      'runAntivirusScan',
      '--device',
      'cli-actions-1',
      '--scan-type',
      'full',
      '--comment',
      'INC-1\u001b[31m red',
    );
    expect(created).toMatchObject({
      type: 'runAntivirusScan',
      status: 'pending',
      deviceId: device.deviceId,
      parameters: { scanType: 'full' },
      requestorComment: 'INC-1\u001b[31m red',
      deliveredAt: null,
    });
    const second = await cli('action', 'create', 'runAntivirusScan', '--device', device.deviceId, '--comment', 'again');
    expect([second.code, second.err]).toEqual([EXIT.error, expect.stringContaining('ACTION_IN_PROGRESS')]);
    expect(second.err).toContain(created.id);

    const listed = await json<MachineActionList>('action', 'list', '--device', device.deviceId, '--type', 'runAntivirusScan', '--status', 'pending');
    expect(listed.actions.map((a) => a.id)).toEqual([created.id]);
    const table = await cli('action', 'list', '--device', 'cli-actions-1');
    expect(table.code).toBe(0);
    expect(table.out).toContain(created.id);
    expect(table.out).toContain('full scan');
    expect(hasUnsafeCharacters(table.out.replaceAll('\n', ''))).toBe(false);
    const shown = await cli('action', 'show', created.id);
    expect(shown.out).toMatch(/type: +runAntivirusScan \(full scan\)\n/);
    expect(shown.out).toMatch(/delivered: +not yet\n/);
    expect(shown.out).toContain('INC-1\\x1b[31m red');

    const cancelled = await json<MachineAction>('action', 'cancel', created.id, '--comment', 'wrong box');
    expect(cancelled).toMatchObject({ status: 'cancelled', cancellation: { comment: 'wrong box' } });
    expect((await cli('action', 'show', created.id)).out).toMatch(/cancelled: +\S+ by \S+: wrong box\n/);
    const again = await cli('action', 'cancel', created.id, '--comment', 'twice');
    expect([again.code, again.err]).toEqual([EXIT.error, expect.stringContaining('ACTION_NOT_CANCELLABLE')]);
    // The family is free again: a new scan is accepted.
    expect((await json<MachineAction>('action', 'create', 'runAntivirusScan', '--device', device.deviceId, '--comment', 'retry')).status).toBe('pending');
  });

  it("passes the endpoint's refusals on (an unknown device, a 400 naming the field) and refuses an ambiguous hostname", async () => {
    const unknown = await cli('action', 'create', 'release', '--device', randomUUID(), '--comment', 'x');
    expect([unknown.code, unknown.err]).toEqual([EXIT.error, expect.stringMatching(/^error NOT_FOUND: /)]);
    const noHost = await cli('action', 'create', 'release', '--device', 'no-such-host', '--comment', 'x');
    expect([noHost.code, noHost.err]).toEqual([EXIT.error, expect.stringContaining('--device: no device has the id or hostname "no-such-host"')]);
    const twins = [await t.enrolledDevice({ facts: { hostname: 'twin' } }), await t.enrolledDevice({ facts: { hostname: 'twin' } })];
    const ambiguous = await cli('action', 'create', 'release', '--device', 'twin', '--comment', 'x');
    expect([ambiguous.code, ambiguous.err]).toEqual([EXIT.usage, expect.stringContaining('--device: 2 devices have the hostname "twin"')]);
    for (const twin of twins) expect(ambiguous.err).toContain(twin.deviceId);
    const badCursor = await cli('--json', 'action', 'list', '--cursor', 'not-a-cursor');
    expect(badCursor.code).toBe(EXIT.dataErr);
    expect(JSON.parse(badCursor.err).error.message).toContain('cursor');
  });

  it('downloads a package the device uploaded, 0600 and verified; refuses before it is complete and for another type', async () => {
    const device = await t.enrolledDevice({ facts: { hostname: 'cli-actions-2' } });
    const collect = await json<MachineAction>('action', 'create', 'collectInvestigationPackage', '--device', device.deviceId, '--comment', 'evidence');
    const file = join(out, 'pkg.tar.gz');
    const early = await cli('action', 'package', collect.id, '--out', file);
    expect([early.code, early.err]).toEqual([EXIT.error, expect.stringContaining('PACKAGE_NOT_AVAILABLE')]);

    const bytes = Buffer.alloc(10_000, 7);
    await uploadPackage(device, collect.id, bytes);
    const saved = await json<{ file: string; sizeBytes: number; sha256: string }>('action', 'package', collect.id, '--out', file);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    expect(saved).toMatchObject({ file, sizeBytes: bytes.length, sha256 });
    expect(Buffer.compare(await readFile(file), bytes)).toBe(0);
    expect((await stat(file)).mode & 0o777).toBe(0o600);

    const scan = await json<MachineAction>('action', 'create', 'runAntivirusScan', '--device', device.deviceId, '--comment', 'x');
    const wrongType = await cli('action', 'package', scan.id, '--out', join(out, 'scan.tar.gz'));
    expect([wrongType.code, wrongType.err]).toEqual([EXIT.error, expect.stringContaining('only a collectInvestigationPackage action has a package')]);
  });
});
