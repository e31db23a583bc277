// Unit tests of `attache-admin action`: request bodies from flags (defaults left to the endpoint, options of another
// type, missing and malformed values refused naming the option), usage errors through the whole CLI before any
// request (exit 64, the USAGE_INVALID envelope under --json), and the human views with hostile device strings.
import { describe, expect, it } from 'vitest';
import { AttacheError } from '../../../common/errors.js';
import { EXIT } from '../../../common/exit-codes.js';
import { hasUnsafeCharacters } from '../../../common/terminal-text.js';
import type { MachineAction } from '../../../policy-schemas/src/index.js';
import { actionRequestFromFlags } from './action-commands.js';
import { actionDetails, actionsTable } from './action-views.js';
import { runAdminCli } from './cli.js';

const SHA = 'ab'.repeat(32);

function usageError(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(AttacheError);
    expect((err as AttacheError).code).toBe('USAGE_INVALID');
    return (err as AttacheError).message;
  }
  throw new Error('expected a usage error');
}

describe('actionRequestFromFlags', () => {
  it('builds each type’s body and leaves the defaults to the endpoint', () => {
    expect(actionRequestFromFlags('isolate', { device: 'd', comment: 'c' })).toEqual({ comment: 'c' });
    expect(actionRequestFromFlags('isolate', { device: 'd', comment: 'c', isolationType: 'selective' })).toEqual({ comment: 'c', isolationType: 'selective' });
    expect(actionRequestFromFlags('runAntivirusScan', { device: 'd', comment: 'c', scanType: 'full' })).toEqual({ comment: 'c', scanType: 'full' });
    expect(actionRequestFromFlags('stopAndQuarantineFile', { device: 'd', comment: 'c', sha256: SHA.toUpperCase(), path: '/usr/bin/x' })).toEqual({
      comment: 'c',
      sha256: SHA,
      path: '/usr/bin/x',
    });
    expect(actionRequestFromFlags('restoreFromQuarantine', { device: 'd', comment: 'c', quarantineId: 'q-1' })).toEqual({ comment: 'c', quarantineId: 'q-1' });
    expect(actionRequestFromFlags('offboard', { device: 'd', comment: 'leaving' })).toEqual({ comment: 'leaving' });
  });

  it('refuses an option of another type, a missing required option and a bad value, naming the option', () => {
    expect(usageError(() => actionRequestFromFlags('isolate', { device: 'd', comment: 'c', scanType: 'full' }))).toBe(
      '--scan-type applies only to runAntivirusScan, not to isolate',
    );
    expect(usageError(() => actionRequestFromFlags('stopAndQuarantineFile', { device: 'd', comment: 'c' }))).toBe('stopAndQuarantineFile needs --sha256');
    expect(usageError(() => actionRequestFromFlags('restoreFromQuarantine', { device: 'd', comment: 'c' }))).toBe(
      'restoreFromQuarantine needs --quarantine-id',
    );
    expect(usageError(() => actionRequestFromFlags('stopAndQuarantineFile', { device: 'd', comment: 'c', sha256: 'abc' }))).toMatch(/^--sha256 /);
    expect(usageError(() => actionRequestFromFlags('stopAndQuarantineFile', { device: 'd', comment: 'c', sha256: SHA, path: 'relative/x' }))).toMatch(
      /^--path /,
    );
    expect(usageError(() => actionRequestFromFlags('restoreFromQuarantine', { device: 'd', comment: 'c', quarantineId: '../x' }))).toMatch(/^--quarantine-id /);
    expect(usageError(() => actionRequestFromFlags('release', { device: 'd', comment: '' }))).toMatch(/^--comment /);
    expect(usageError(() => actionRequestFromFlags('release', { device: 'd', comment: 'x'.repeat(1001) }))).toMatch(/^--comment /);
  });

  it('builds updateSoftware packages from repeated --package name[=fixedVersion], refusing them elsewhere', () => {
    expect(
      actionRequestFromFlags('updateSoftware', { device: 'd', comment: 'c', package: ['openssl=3.0.15-1~deb12u1', 'curl', 'Mozilla Firefox=128.0'] }),
    ).toEqual({
      comment: 'c',
      packages: [{ name: 'openssl', fixedVersion: '3.0.15-1~deb12u1' }, { name: 'curl' }, { name: 'Mozilla Firefox', fixedVersion: '128.0' }],
    });
    expect(usageError(() => actionRequestFromFlags('updateSoftware', { device: 'd', comment: 'c' }))).toMatch(/^updateSoftware needs --package/);
    expect(usageError(() => actionRequestFromFlags('updateSoftware', { device: 'd', comment: 'c', package: ['=1.0'] }))).toMatch(/^--package "=1.0"/);
    expect(usageError(() => actionRequestFromFlags('isolate', { device: 'd', comment: 'c', package: ['curl'] }))).toBe(
      '--package applies only to updateSoftware, not to isolate',
    );
  });
});

async function run(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await runAdminCli(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s) }, {});
  return { code, out, err };
}

describe('attache-admin action: usage errors before any request', () => {
  it('exits 64 naming the option, the argument or the missing option', async () => {
    const wrong = await run('action', 'create', 'isolate', '--device', 'pc-1', '--comment', 'c', '--sha256', SHA);
    expect([wrong.code, wrong.err]).toEqual([EXIT.usage, 'error USAGE_INVALID: --sha256 applies only to stopAndQuarantineFile, not to isolate\n']);
    const type = await run('action', 'create', 'reboot', '--device', 'pc-1', '--comment', 'c');
    expect(type.code).toBe(EXIT.usage);
    expect(type.err).toMatch(/'reboot' is invalid for argument 'type'. Allowed choices are isolate, release/);
    const noComment = await run('action', 'create', 'release', '--device', 'pc-1');
    expect([noComment.code, noComment.err.includes('--comment')]).toEqual([EXIT.usage, true]);
    const scan = await run('action', 'create', 'runAntivirusScan', '--device', 'pc-1', '--comment', 'c', '--scan-type', 'deep');
    expect([scan.code, scan.err.includes('--scan-type')]).toEqual([EXIT.usage, true]);
    const status = await run('action', 'list', '--status', 'done');
    expect([status.code, status.err.includes('--status')]).toEqual([EXIT.usage, true]);
    const noOut = await run('action', 'package', '0b5e0c36-52a5-4c71-9d6c-6a7d2b0f4e11');
    expect([noOut.code, noOut.err.includes('--out')]).toEqual([EXIT.usage, true]);
  });

  it('prints the USAGE_INVALID envelope under --json', async () => {
    const res = await run('--json', 'action', 'create', 'stopAndQuarantineFile', '--device', 'pc-1', '--comment', 'c');
    expect(res.code).toBe(EXIT.usage);
    expect(JSON.parse(res.err)).toEqual({ error: { code: 'USAGE_INVALID', message: 'stopAndQuarantineFile needs --sha256', details: [] } });
  });
});

const ACTION: MachineAction = {
  id: '0b5e0c36-52a5-4c71-9d6c-6a7d2b0f4e11',
  type: 'runAntivirusScan',
  deviceId: '11111111-1111-4111-8111-111111111111',
  deviceName: 'pc\u001b[2J-1',
  parameters: { scanType: 'full' },
  status: 'succeeded',
  requestor: { adminId: null, username: 'alice' },
  requestorComment: 'suspicious\nforged row',
  createdAt: '2026-12-05T10:00:00.000Z',
  updatedAt: '2026-12-05T10:05:00.000Z',
  expiresAt: '2026-12-08T10:00:00.000Z',
  deliveredAt: '2026-12-05T10:00:01.000Z',
  startedAt: '2026-12-05T10:00:02.000Z',
  completedAt: '2026-12-05T10:05:00.000Z',
  progress: 100,
  result: { scanType: 'full', engine: 'mdatp', durationMs: 298_000, threatsFound: 1, threats: [{ name: 'EICAR\u202e', path: '/tmp/eicar' }] },
  error: null,
  cancellation: null,
};

describe('action views', () => {
  it("shows Defender's fields and the scan's result per threat, device strings escaped", () => {
    const text = actionDetails(ACTION);
    expect(text).toContain('runAntivirusScan (full scan)');
    expect(text).toContain('pc\\x1b[2J-1 (11111111-1111-4111-8111-111111111111)');
    expect(text).toMatch(/comment: +suspicious\\nforged row\n/);
    expect(text).toMatch(/delivered: +2026-12-05T10:00:01.000Z\n/);
    expect(text).toMatch(/result: +full scan by mdatp in 298.0 s: 1 threat found\n/);
    expect(text).toContain('EICAR\\u202e  /tmp/eicar');
    expect(hasUnsafeCharacters(text.replaceAll('\n', ''))).toBe(false);
  });

  it('shows a cancellation, a late outcome, an error and a package in progress', () => {
    const text = actionDetails({
      ...ACTION,
      type: 'collectInvestigationPackage',
      parameters: { maxBytes: 64 * 1024 * 1024 },
      status: 'cancelled',
      progress: 40,
      result: null,
      error: { code: 'ACTION_INTERRUPTED', message: 'the agent restarted' },
      cancellation: { requestor: { adminId: null, username: 'bob' }, comment: 'wrong box', at: '2026-12-05T10:01:00.000Z' },
      lateResult: { status: 'succeeded', at: '2026-12-05T10:02:00.000Z', result: { sizeBytes: 2048, sha256: SHA, entries: 9, truncated: false } },
      package: { receivedBytes: 1024, sizeBytes: 2048, available: false },
    });
    expect(text).toContain('collectInvestigationPackage (up to 64.0 MiB)');
    expect(text).toMatch(/status: +cancelled \(device: succeeded\)\n/);
    expect(text).toMatch(/error: +ACTION_INTERRUPTED: the agent restarted\n/);
    expect(text).toMatch(/cancelled: +2026-12-05T10:01:00.000Z by bob: wrong box\n/);
    expect(text).toContain(`late outcome: succeeded at 2026-12-05T10:02:00.000Z: package 2.0 KiB, 9 entries, sha256 ${SHA}`);
    expect(text).toMatch(/package: +1.0 KiB received of 2.0 KiB, not complete\n/);
  });

  it('lists the action center with progress and the next page', () => {
    const running = { ...ACTION, status: 'inProgress' as const, progress: 40, result: null };
    const text = actionsTable([running], 'c2');
    expect(text.split('\n')[0]).toMatch(/^ACTION +CREATED +DEVICE +TYPE +PARAMETERS +STATUS +REQUESTOR +COMMENT$/);
    expect(text).toContain('inProgress 40%');
    expect(text).toContain('suspicious\\nforged row');
    // The device's late outcome shows in the list too (review 17b #9).
    const late = { ...ACTION, status: 'cancelled' as const, lateResult: { status: 'succeeded' as const, at: '2026-12-05T10:02:00.000Z' } };
    expect(actionsTable([late], null)).toContain('cancelled (device: succeeded)');
    expect(text.endsWith('more: --cursor c2\n')).toBe(true);
    expect(actionsTable([], null)).toBe('(none)\n');
  });
});
