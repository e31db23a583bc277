// Tests of the security task rules: allowed and refused status changes, the fixed rule with each comparator (dpkg
// epochs and tildes, dotted), the no-fix rule, and the mitigation per ecosystem.
import { describe, expect, it } from 'vitest';
import type { TaskStatus } from '../../../../policy-schemas/src/index.js';
import { checkText, checkTransition, deviceFix, mitigationTypeOf } from './task-rules.js';

const codeOf = (run: () => void) => {
  try {
    run();
    return 'none';
  } catch (err) {
    return (err as { code: string }).code;
  }
};

describe('checkTransition', () => {
  const admin = (from: TaskStatus, to: TaskStatus, extra: { note?: string; remediate?: boolean } = {}) =>
    codeOf(() => checkTransition(from, to, { ...extra, by: 'admin' }));
  it('allows the life of a task and refuses the rest by naming both statuses', () => {
    expect(admin('pending', 'active')).toBe('none');
    expect(admin('pending', 'rejected', { note: 'not ours' })).toBe('none');
    expect(admin('active', 'completed')).toBe('none');
    expect(admin('active', 'rejected', { note: 'accepted risk' })).toBe('none');
    expect(admin('rejected', 'pending')).toBe('none');
    expect(admin('completed', 'pending')).toBe('TASK_TRANSITION_INVALID');
    expect(admin('rejected', 'active')).toBe('TASK_TRANSITION_INVALID');
    expect(admin('pending', 'pending')).toBe('TASK_TRANSITION_INVALID');
    expect(() => checkTransition('rejected', 'completed', { by: 'admin' })).toThrow('a rejected security task cannot become completed: it can become pending');
  });
  it('completes a pending task only automatically', () => {
    expect(admin('pending', 'completed')).toBe('TASK_TRANSITION_INVALID');
    expect(codeOf(() => checkTransition('pending', 'completed', { by: 'system' }))).toBe('none');
  });
  it('needs a note to reject, and remediate only with active (an active task may remediate again)', () => {
    expect(admin('pending', 'rejected', { note: '  ' })).toBe('TASK_TRANSITION_INVALID');
    expect(admin('active', 'completed', { remediate: true })).toBe('TASK_INVALID');
    expect(admin('active', 'active', { remediate: true })).toBe('none');
    expect(admin('active', 'active')).toBe('TASK_TRANSITION_INVALID');
  });
});

describe('deviceFix', () => {
  const dpkg = (v: string) => ({ scheme: 'dpkg' as const, matchedVersion: v });
  it('is fixed when no package of the software is below appVersion (dpkg order: ~ before release, epochs first)', () => {
    expect(deviceFix('3.0.15-1~deb12u1', { packages: [dpkg('3.0.11-1~deb12u2')], findingRemains: true })).toEqual({
      fixed: false,
      installedVersion: '3.0.11-1~deb12u2',
    });
    expect(deviceFix('3.0.15-1~deb12u1', { packages: [dpkg('3.0.15-1~deb12u1')], findingRemains: true }).fixed).toBe(true);
    expect(deviceFix('3.0.15-1', { packages: [dpkg('3.0.15-1~deb12u1')], findingRemains: false }).fixed).toBe(false);
    expect(deviceFix('2.0', { packages: [dpkg('1:1.0')], findingRemains: false }).fixed).toBe(true);
  });
  it('names the lowest installed version and needs every package fixed', () => {
    const packages = [dpkg('3.0.15-1~deb12u1'), dpkg('3.0.11-1~deb12u2')];
    expect(deviceFix('3.0.15-1~deb12u1', { packages, findingRemains: true })).toEqual({ fixed: false, installedVersion: '3.0.11-1~deb12u2' });
  });
  it('is fixed when the software is gone, not when the device never uploaded software', () => {
    expect(deviceFix('1.0', { packages: [], findingRemains: false })).toEqual({ fixed: true, installedVersion: null });
    expect(deviceFix('1.0', { packages: undefined, findingRemains: false }).fixed).toBe(false);
  });
  it("is not fixed when the device has no package of the task's ecosystem any more (an OS upgrade: no evidence)", () => {
    // Debian 12 → 13: the task's Debian:12 packages are gone with the release, nothing says openssl was updated.
    expect(deviceFix('1.0', { packages: [], findingRemains: false, inEcosystem: false })).toEqual({ fixed: false, installedVersion: null });
    expect(deviceFix(null, { packages: [], findingRemains: false, inEcosystem: false }).fixed).toBe(false);
    expect(deviceFix('1.0', { packages: [], findingRemains: false, inEcosystem: true }).fixed).toBe(true);
  });
  it('without a published fix: fixed once no finding of the recommendation remains', () => {
    const packages = [{ scheme: 'dotted' as const, matchedVersion: '23.01' }];
    expect(deviceFix(null, { packages, findingRemains: true }).fixed).toBe(false);
    expect(deviceFix(null, { packages, findingRemains: false }).fixed).toBe(true);
  });
  it('never takes an unparsable version as fixed', () => {
    expect(deviceFix('24.0', { packages: [{ scheme: 'dotted', matchedVersion: 'not a version!' }], findingRemains: false }).fixed).toBe(false);
  });
});

describe('mitigationTypeOf and checkText', () => {
  it('is manual only for macOS', () => {
    expect(['Debian:12', 'windows', 'Red Hat:enterprise_linux:9', 'macos'].map(mitigationTypeOf)).toEqual(['update', 'update', 'update', 'manual']);
  });
  it('refuses NUL in admin text, naming the field', () => {
    expect(() => checkText({ creatorNotes: 'ok', note: 'a\u0000b' })).toThrow('note: must not contain NUL characters');
  });
});
