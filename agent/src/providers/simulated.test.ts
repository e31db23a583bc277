// The simulated providers under a simulated Group Policy (the fleet simulator's groupPolicyOverride fault): the GPO's
// value is in effect, the agent's write still lands, the override is named and clearing it brings the agent's value back.
import { describe, expect, it } from 'vitest';
import type { SettingValue } from '../../../policy-schemas/src/index.js';
import { settingStatuses } from '../core/outcome.js';
import { SimulatedHost } from '../hosts/simulated-host.js';
import { applyEffective } from '../sync/apply.js';
import { createSimulatedProviders } from './simulated.js';

const ID = 'defender.PUAProtection';
const GPO = { value: 0, source: "Group Policy 'Contoso AV'" };

function sync(host: SimulatedHost, value: SettingValue) {
  const effective = [{ settingId: ID, kind: 'antivirus' as const, policyIds: ['p'], outcome: 'enforce' as const, value }];
  return applyEffective(effective, createSimulatedProviders(host)).then((report) => settingStatuses(effective, report)[0]);
}

describe('simulated Group Policy override', () => {
  it('wins over the agent (conflict naming the GPO), and clearing it restores the agent value in effect', async () => {
    const host = new SimulatedHost({ platform: 'windows', hostname: 'gpo' });
    let woken = 0;
    host.watch(() => woken++);
    expect(host.setGroupPolicy(ID, GPO)).toBe(true);
    expect(woken).toBe(1);
    expect(await sync(host, 1)).toMatchObject({
      state: 'conflict',
      code: 'SETTING_OVERRIDDEN',
      observed: 0,
      message: "Group Policy 'Contoso AV' sets this setting and wins over this policy (in effect: 0)",
    });
    expect(host.read(ID)).toBe(0);
    // The same GPO again changes nothing (a fault that would not fire); the GPO's own value is no conflict.
    expect(host.setGroupPolicy(ID, GPO)).toBe(false);
    expect(await sync(host, 0)).toMatchObject({ state: 'succeeded' });
    expect(await sync(host, 1)).toMatchObject({ state: 'conflict' });
    expect(host.setGroupPolicy(ID, undefined)).toBe(true);
    expect(woken).toBe(2);
    expect(host.read(ID)).toBe(1); // the agent's write had landed underneath
    expect(await sync(host, 1)).toMatchObject({ state: 'succeeded', observed: 1 });
    expect(host.setGroupPolicy(ID, undefined)).toBe(false);
  });

  it('refuses a setting the platform does not have, and real-time protection health follows the value in effect', async () => {
    const linux = new SimulatedHost({ platform: 'linux', hostname: 'gpo' });
    expect(linux.setGroupPolicy(ID, GPO)).toBe(false);
    expect(linux.groupPolicyOf(ID)).toBeUndefined();
    const host = new SimulatedHost({ platform: 'windows', hostname: 'gpo' });
    const provider = createSimulatedProviders(host).find((p) => p.kind === 'antivirus');
    host.setGroupPolicy('defender.AllowRealtimeMonitoring', { value: 0, source: 'Group Policy' });
    await provider?.observe(['defender.AllowRealtimeMonitoring', ID]);
    expect([...(provider?.overrides?.() ?? [])]).toEqual([['defender.AllowRealtimeMonitoring', { source: 'Group Policy', effective: 0 }]]);
  });
});
