// Unit tests of the one-line action summaries the admin CLI and the console share: each type's parameters and result.
import { describe, expect, it } from 'vitest';
import { actionParametersSummary, actionResultSummary, actionStatusText, formatBytes } from './action-summary.js';

const SHA = 'ab'.repeat(32);

describe('action summaries', () => {
  it('reads each type’s parameters', () => {
    expect(actionParametersSummary('isolate', { mode: 'selective' })).toBe('selective isolation');
    expect(actionParametersSummary('runAntivirusScan', { scanType: 'quick' })).toBe('quick scan');
    expect(actionParametersSummary('collectInvestigationPackage', { maxBytes: 64 * 1024 * 1024 })).toBe('up to 64.0 MiB');
    expect(actionParametersSummary('stopAndQuarantineFile', { sha256: SHA })).toBe(`sha256 ${SHA}`);
    expect(actionParametersSummary('stopAndQuarantineFile', { sha256: SHA, path: '/opt/x' })).toBe(`sha256 ${SHA}, path /opt/x`);
    expect(actionParametersSummary('restoreFromQuarantine', { quarantineId: 'q-1' })).toBe('quarantine id q-1');
    expect(actionParametersSummary('release', {})).toBe('');
    expect(actionParametersSummary('offboard', {})).toBe('');
    const packages = [
      { name: 'openssl', source: 'dpkg', fixedVersion: '3.0.11-1~deb12u2' },
      { name: 'curl', source: 'dpkg', fixedVersion: null },
    ];
    expect(actionParametersSummary('updateSoftware', { packages })).toBe('openssl → 3.0.11-1~deb12u2, curl');
  });

  it('reads each type’s result', () => {
    const allowed = [{ host: 'mgmt.example', port: 8443, addresses: ['10.0.0.5'] }];
    expect(actionResultSummary('isolate', { mode: 'full', allowed })).toBe('full isolation; still reachable: mgmt.example:8443');
    expect(actionResultSummary('release', { wasIsolated: false, notice: 'nothing to undo' })).toBe('was not isolated; nothing to undo');
    expect(actionResultSummary('release', { wasIsolated: true })).toBe('released');
    const scan = { scanType: 'quick', engine: 'defender', durationMs: 1500, threatsFound: 2, threats: [] };
    expect(actionResultSummary('runAntivirusScan', scan)).toBe('quick scan by defender in 1.5 s: 2 threats found');
    expect(actionResultSummary('collectInvestigationPackage', { sizeBytes: 1536, sha256: SHA, entries: 1, truncated: true })).toBe(
      `package 1.5 KiB, 1 entry, sha256 ${SHA} (truncated to the size cap)`,
    );
    const items = [{ quarantineId: 'q-1', originalPath: '/tmp/evil', sizeBytes: 10, sha256: SHA }];
    expect(actionResultSummary('stopAndQuarantineFile', { sha256: SHA, killed: [{ pid: 42 }], items })).toBe('1 process stopped; quarantined: /tmp/evil → q-1');
    expect(actionResultSummary('stopAndQuarantineFile', { sha256: SHA, killed: [], items: [] })).toBe('0 processes stopped; quarantined: nothing');
    expect(actionResultSummary('restoreFromQuarantine', { quarantineId: 'q-1', restoredPath: '/tmp/evil' })).toBe('q-1 restored to /tmp/evil');
    expect(actionResultSummary('offboard', { restoredSettings: 12, failedSettings: 0 })).toBe('12 settings restored, 0 failed');
    expect(actionResultSummary('offboard', null)).toBe('');
    const updated = [
      { name: 'openssl', before: '3.0.11-1~deb12u1', after: '3.0.11-1~deb12u2', fixed: true },
      { name: 'curl', before: '7.88.1-10', after: '7.88.1-10', fixed: false },
    ];
    expect(actionResultSummary('updateSoftware', { manager: 'apt', packages: updated })).toBe(
      'apt: openssl 3.0.11-1~deb12u1 → 3.0.11-1~deb12u2, curl 7.88.1-10 → 7.88.1-10 (not fixed)',
    );
    expect(actionResultSummary('updateSoftware', { manager: 'manual', packages: [], instructions: 'Update Firefox from its menu' })).toBe(
      'manual: nothing updated; Update Firefox from its menu',
    );
  });

  it('formats sizes and the status with progress', () => {
    expect([formatBytes(0), formatBytes(1023), formatBytes(1024), formatBytes(5 * 1024 ** 3)]).toEqual(['0 B', '1023 B', '1.0 KiB', '5.0 GiB']);
    expect(actionStatusText({ status: 'inProgress', progress: 40 })).toBe('inProgress 40%');
    expect(actionStatusText({ status: 'inProgress', progress: null })).toBe('inProgress');
    expect(actionStatusText({ status: 'succeeded', progress: 100 })).toBe('succeeded');
    // The device's real outcome after a cancel (review 17b #9): an isolate that ran anyway must not read as just cancelled.
    expect(actionStatusText({ status: 'cancelled', progress: null, lateResult: { status: 'succeeded', at: '2026-12-05T10:00:00.000Z' } })).toBe(
      'cancelled (device: succeeded)',
    );
  });
});
