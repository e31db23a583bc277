import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../agent/src/logging.js';
import type { SyncOutcome } from '../../../policy-schemas/src/index.js';
import { FaultInjector } from './fault-injector.js';
import { type HostSink, SimHost } from './sim-host.js';

const sink: HostSink = { count: () => undefined, error: () => undefined, ack: () => undefined };
const behaviour = { checkinSeconds: 60, jitterPercent: 0, connections: 'afterSync' as const, signals: false, seed: 1 };

function fleet(): SimHost[] {
  return [0, 1, 2].map(
    (index) =>
      new SimHost({ index, platform: index === 2 ? 'linux' : 'windows', hostname: `h${index}`, packageKey: '[]' }, behaviour, {
        sink,
        logger: silentLogger(),
        packageDir: tmpdir(),
      }),
  );
}

describe('fault injector', () => {
  it('counts a failWrites host only when one of its writes really failed', () => {
    const hosts = fleet();
    const faults = new FaultInjector(hosts);
    const id = 'defender.CloudExtendedTimeout';
    const armed = faults.apply({ action: 'failWrites', counts: { [id]: 2 } }, 4, { hosts: [0, 1], bySetting: { [id]: [0, 1] } });
    expect(armed).toEqual([0, 1]);
    expect(faults.faultHits()).toEqual({});
    // The agent of host 1 applies the setting: the write fails, and the fault has fired there only.
    expect(() => hosts[1]?.device.write(id, 30)).toThrow(/simulated write failure/);
    expect(faults.faultHits()).toEqual({ 4: [1] });
    // A later step with 0 hosts clears it: writes succeed again and count nothing.
    faults.apply({ action: 'failWrites', counts: { [id]: 0 } }, 5, { hosts: [], bySetting: { [id]: [] } });
    hosts[0]?.device.write(id, 30);
    expect(faults.faultHits()).toEqual({ 4: [1] });
  });

  it('arms failActions per type (replacing an earlier step of the type) and counts a host when an action really failed', () => {
    const hosts = fleet();
    const faults = new FaultInjector(hosts);
    expect(faults.apply({ action: 'failActions', type: 'runAntivirusScan', count: 2, code: 'SCAN_FAILED' }, 3, { hosts: [0, 1] })).toEqual([0, 1]);
    expect(hosts[0]?.device.faults.failActions.get('runAntivirusScan')).toEqual({ code: 'SCAN_FAILED' });
    expect(faults.faultHits()).toEqual({});
    hosts[1]?.device.faults.onActionFailed?.('runAntivirusScan');
    hosts[1]?.device.faults.onActionFailed?.('isolate'); // not armed for isolate: no hit
    expect(faults.faultHits()).toEqual({ 3: [1] });
    // A later step of the type replaces it: a hang on host 2 only.
    expect(faults.apply({ action: 'failActions', type: 'runAntivirusScan', count: 1, hang: true }, 4, { hosts: [2] })).toEqual([2]);
    expect(hosts[0]?.device.faults.failActions.has('runAntivirusScan')).toBe(false);
    expect(hosts[2]?.device.faults.failActions.get('runAntivirusScan')).toEqual({ hang: true });
    hosts[2]?.device.faults.onActionFailed?.('runAntivirusScan');
    expect(faults.faultHits()).toEqual({ 3: [1], 4: [2] });
  });

  it('does not count a drift to the value already there, nor clearing threats of a clean host', () => {
    const hosts = fleet();
    const faults = new FaultInjector(hosts);
    const id = 'defender.AllowRealtimeMonitoring';
    const current = hosts[0]?.device.read(id);
    expect(faults.apply({ action: 'drift', count: 2, setting: id, value: current ?? 1 }, 0, { hosts: [0, 1] })).toEqual([]);
    expect(faults.apply({ action: 'drift', count: 2, setting: id, value: current === 0 ? 1 : 0 }, 1, { hosts: [0, 1] })).toEqual([0, 1]);
    expect(faults.apply({ action: 'clearThreats', count: 3 }, 2, { hosts: [0, 1, 2] })).toEqual([]);
    expect(faults.apply({ action: 'injectThreat', count: 1 }, 3, { hosts: [2] })).toEqual([2]);
    expect(faults.apply({ action: 'crashHosts', count: 1, downSeconds: 1 }, 6, { hosts: [0] })).toEqual([]); // not running
    expect(faults.faultHits()).toEqual({ 1: [0, 1], 3: [2] });
  });

  it('groupPolicyOverride imposes the GPO value with its source, counts only a change, and null clears it', () => {
    const hosts = fleet();
    const faults = new FaultInjector(hosts);
    const id = 'defender.PUAProtection';
    hosts[0]?.device.write(id, 1); // the agent's value
    expect(faults.apply({ action: 'groupPolicyOverride', count: 2, setting: id, value: 0 }, 0, { hosts: [0, 1] })).toEqual([0, 1]);
    expect(hosts[0]?.device.read(id)).toBe(0);
    expect(hosts[0]?.device.groupPolicyOf(id)).toEqual({ value: 0, source: "Group Policy 'Simulated GPO'" });
    // The same GPO again changes nothing; a named source replaces it; the Linux host has no such setting.
    expect(faults.apply({ action: 'groupPolicyOverride', count: 2, setting: id, value: 0 }, 1, { hosts: [0, 1] })).toEqual([]);
    expect(faults.apply({ action: 'groupPolicyOverride', count: 1, setting: id, value: 0, source: "Group Policy 'Contoso'" }, 2, { hosts: [1] })).toEqual([1]);
    expect(faults.apply({ action: 'groupPolicyOverride', count: 1, setting: id, value: 2 }, 3, { hosts: [2] })).toEqual([]);
    expect(faults.apply({ action: 'groupPolicyOverride', count: 3, setting: id, value: null }, 4, { hosts: [0, 1, 2] })).toEqual([0, 1]);
    expect(hosts[0]?.device.read(id)).toBe(1); // the agent's value is in effect again
    expect(faults.faultHits()).toEqual({ 0: [0, 1], 2: [1], 4: [0, 1] });
  });

  it('reports per-setting end states and the failing hosts with their last error', () => {
    const hosts = fleet();
    const faults = new FaultInjector(hosts);
    const outcome = (state: 'succeeded' | 'error'): SyncOutcome =>
      ({
        formatVersion: 1,
        startedAt: '2025-01-01T00:00:00.000Z',
        finishedAt: '2025-01-01T00:00:01.000Z',
        trigger: 'push',
        source: 'endpoint',
        policies: [],
        settings: [
          {
            settingId: 'defender.CloudExtendedTimeout',
            kind: 'antivirus',
            policyIds: ['p1'],
            state,
            ...(state === 'error' ? { code: 'SETTING_APPLY_FAILED', message: 'denied' } : {}),
          },
        ],
      }) as SyncOutcome;
    // What the agents' last syncs ended with (normally set by the sync engine).
    Object.defineProperty(hosts[0], 'lastSync', { value: outcome('succeeded') });
    Object.defineProperty(hosts[1], 'lastSync', { value: outcome('error') });
    const end = faults.endState(['defender.CloudExtendedTimeout'], new Map([[1, Date.parse('2025-01-01T00:00:02Z')]]));
    expect(end.settingStates).toEqual({ 'defender.CloudExtendedTimeout': { succeeded: 1, error: 1, unreported: 1 } });
    expect(end.failing).toEqual([
      {
        host: 1,
        platform: 'windows',
        lastError: { code: 'SETTING_APPLY_FAILED', message: 'defender.CloudExtendedTimeout: denied' },
        lastReportAt: Date.parse('2025-01-01T00:00:02Z'),
      },
    ]);
  });
});
