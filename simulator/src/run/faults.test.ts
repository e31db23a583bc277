import { describe, expect, it } from 'vitest';
import type { FaultStep, HostSpec } from '../fleet/protocol.js';
import { type FaultRun, faultTargets, finishFaults } from './faults.js';

const spec = (index: number, platform: HostSpec['platform']): HostSpec => ({ index, platform, hostname: `h${index}`, packageKey: '[]' });
// 20 Windows hosts, 10 Linux hosts.
const hosts = [...Array.from({ length: 20 }, (_, i) => spec(i, 'windows')), ...Array.from({ length: 10 }, (_, i) => spec(20 + i, 'linux'))];

describe('fault targets', () => {
  it('aims at exactly round(share × eligible) or `count` hosts, among those of the platform', () => {
    const partition: FaultStep = { action: 'partition', share: 0.1, durationSeconds: 1 };
    expect(faultTargets(partition, 3, 7, hosts).hosts).toHaveLength(3);
    expect(faultTargets({ ...partition, platform: 'windows' }, 3, 7, hosts).hosts).toHaveLength(2);
    const linux = faultTargets({ action: 'crashHosts', count: 4, platform: 'linux', downSeconds: 1 }, 1, 7, hosts).hosts;
    expect(linux).toHaveLength(4);
    for (const h of linux) expect(h).toBeGreaterThanOrEqual(20);
    expect(faultTargets(partition, 3, 7, hosts)).toEqual(faultTargets(partition, 3, 7, hosts));
  });

  it('aims failWrites and drift only at hosts whose platform has the setting', () => {
    // defender.CloudExtendedTimeout is a Windows setting: 50 % of the 20 Windows hosts, never a Linux one.
    const t = faultTargets({ action: 'failWrites', rates: { 'defender.CloudExtendedTimeout': 0.5 } }, 0, 1, hosts);
    expect(t.bySetting?.['defender.CloudExtendedTimeout']).toHaveLength(10);
    expect(t.hosts.every((h) => h < 20)).toBe(true);
    const counted = faultTargets({ action: 'failWrites', counts: { 'defender.CloudExtendedTimeout': 3 } }, 0, 1, hosts);
    expect(counted.hosts).toHaveLength(3);
    const drift = faultTargets({ action: 'drift', count: 25, setting: 'defender.AllowRealtimeMonitoring', value: 0 }, 2, 1, hosts);
    expect(drift.hosts.length).toBeLessThanOrEqual(20);
    const gpo = faultTargets({ action: 'groupPolicyOverride', share: 0.1, setting: 'defender.PUAProtection', value: 0 }, 3, 1, hosts);
    expect(gpo.hosts).toHaveLength(2); // 10 % of the 20 Windows hosts
    expect(gpo.hosts.every((h) => h < 20)).toBe(true);
  });
});

describe('never-fired faults', () => {
  const run = (step: number, targeted: number[], extra: Partial<FaultRun> = {}): FaultRun => ({
    step,
    action: 'drift',
    at: 1,
    targeted,
    mayNotFire: false,
    ...extra,
  });
  const devices = new Map([
    [1, 'dev-1'],
    [2, 'dev-2'],
  ]);

  it('lists the hosts each fault touched and fails the run for one that touched none', () => {
    const { faults, problems } = finishFaults(
      [run(0, [1, 2]), run(1, [1, 2], { action: 'failWrites', note: 'timeout' }), run(2, []), run(3, [], { action: 'restartEndpoint', endpoint: true })],
      new Map([[0, [2]]]),
      devices,
    );
    expect(faults.map((f) => [f.step, f.fired, f.hosts, f.deviceIds])).toEqual([
      [0, true, [2], ['dev-2']],
      [1, false, [], []],
      [2, false, [], []],
      [3, true, [], []],
    ]);
    expect(problems).toEqual([
      'timeline[1] (failWrites: timeout): the fault never fired (aimed at 2 hosts, it changed nothing on them); add "mayNotFire": true if that is expected',
      'timeline[2] (drift): the fault never fired (it was aimed at no host); add "mayNotFire": true if that is expected',
    ]);
    expect(faults[1]?.problem).toBe(problems[0]);
  });

  it('lets a step that says mayNotFire touch nothing', () => {
    const { faults, problems } = finishFaults([run(0, [1], { mayNotFire: true })], new Map(), devices);
    expect(problems).toEqual([]);
    expect(faults[0]).toMatchObject({ fired: false, mayNotFire: true });
    expect(faults[0]?.problem).toBeUndefined();
  });
});
