// The slow-apply wrapper keeps the whole provider contract: a Group Policy override still reaches the sync as conflict.
import { describe, expect, it } from 'vitest';
import { SimulatedHost } from '../../../agent/src/hosts/simulated-host.js';
import { createSimulatedProviders } from '../../../agent/src/providers/simulated.js';
import { withApplyDelay } from './slow-providers.js';

describe('withApplyDelay', () => {
  it('passes overrides() through with observe and apply', async () => {
    const host = new SimulatedHost({ platform: 'windows', hostname: 'slow' });
    const av = withApplyDelay(createSimulatedProviders(host), () => 0).find((p) => p.kind === 'antivirus');
    const id = 'defender.PUAProtection';
    host.setGroupPolicy(id, { value: 0, source: "Group Policy 'Simulated GPO'" });
    expect(await av?.apply([{ settingId: id, kind: 'antivirus', from: 0, to: 1 }])).toEqual([{ settingId: id, ok: true }]);
    expect((await av?.observe([id]))?.get(id)).toBe(0);
    expect([...(av?.overrides?.() ?? [])]).toEqual([[id, { source: "Group Policy 'Simulated GPO'", effective: 0 }]]);
  });
});
