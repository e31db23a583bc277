// Upgrade from the pre-MDM firewall agent (review 16c A3): it wrote profile and global values to the local store
// (Set-NetFirewallProfile/-Setting -PolicyStore PersistentStore) and kept baseline.json without a write scheme. The first
// sync after the upgrade resets exactly the values it wrote — once, through the real sync path — so stop managing later
// lets Windows' or the admin's local value apply, not the old agent's.
import { describe, expect, it } from 'vitest';
import type { Baseline } from '../../core/baseline.js';
import type { EffectiveSetting } from '../../core/effective.js';
import { silentLogger } from '../../logging.js';
import type { AgentHost } from '../../platform/index.js';
import { StateStore } from '../../state/state-store.js';
import { enforce } from '../../sync/enforce.js';
import { MemoryFileStore } from '../../system/file-store.js';
import { createWindowsFirewallProviders } from './firewall.js';
import { EmulatedWindowsFirewall } from './testing/firewall-emulator.js';

const AT = '2026-12-05T10:00:00.000Z';
const LOG = 'firewall.domainProfile.LogMaxFileSize';
const NOTIFY = 'firewall.publicProfile.DisableInboundNotifications';
const OUTBOUND = 'firewall.domainProfile.DefaultOutboundAction';
const PRIVATE_LOG = 'firewall.privateProfile.LogMaxFileSize';

/** The old agent's end state: what it wrote to the local store and its baseline.json (no `scheme`). */
async function oldAgentDevice() {
  const fw = new EmulatedWindowsFirewall();
  const local = fw.local.profiles as Record<string, Record<string, string>>;
  Object.assign(local.Domain ?? {}, { LogMaxSizeKilobytes: '65536', DefaultOutboundAction: 'Allow' });
  Object.assign(local.Public ?? {}, { NotifyOnListen: 'False' });
  Object.assign(local.Private ?? {}, { LogMaxSizeKilobytes: '8192' }); // an admin changed it after the old agent
  const baseline: Baseline = {
    [LOG]: { kind: 'firewall', original: 4096, applied: 65536, recordedAt: AT },
    [NOTIFY]: { kind: 'firewall', original: false, applied: true, recordedAt: AT },
    [OUTBOUND]: { kind: 'firewall', original: 0, applied: 0, recordedAt: AT }, // already there: not its doing
    [PRIVATE_LOG]: { kind: 'firewall', original: 4096, applied: 32768, recordedAt: AT },
  };
  const store = new StateStore('/state', { posixPermissions: false, files: new MemoryFileStore() });
  await store.writeBaseline(baseline);
  const host = { platform: 'windows', providers: createWindowsFirewallProviders({ runner: fw.runner }) } as unknown as AgentHost;
  return { fw, local, store, deps: { store, host, logger: silentLogger() } };
}

const logPolicy: EffectiveSetting[] = [{ settingId: LOG, kind: 'firewall', policyIds: ['p'], outcome: 'enforce', value: 65536 }];

describe('first sync after upgrading from the local-store firewall agent', () => {
  it('resets what the old agent wrote, leaves what it did not, and writes the still-managed value to the MDM store', async () => {
    const { fw, local, store, deps } = await oldAgentDevice();
    const { evidence } = await enforce(logPolicy, deps, { at: AT, restore: true });
    expect(evidence.failed.size).toBe(0);
    expect(local.Domain?.LogMaxSizeKilobytes).toBe('4096'); // Windows' own value again
    expect(local.Public?.NotifyOnListen).toBe('NotConfigured');
    expect(local.Domain?.DefaultOutboundAction).toBe('Allow');
    expect(local.Private?.LogMaxSizeKilobytes).toBe('8192');
    // Written to the MDM store although the effective value already matched the policy.
    expect(fw.mdm.get('DomainProfile')).toMatchObject({ LogMaxFileSize: 65536 });
    expect(Object.values(await store.readBaseline()).map((e) => e.scheme)).toEqual([2]);
  });

  it('stop managing afterwards brings back Windows’ value, not the old agent’s', async () => {
    const { fw, deps } = await oldAgentDevice();
    await enforce(logPolicy, deps, { at: AT, restore: true });
    await enforce([], deps, { at: AT, restore: true });
    expect(fw.mdm.get('DomainProfile')?.LogMaxFileSize ?? null).toBeNull();
    expect(fw.activeProfile('Domain').LogMaxSizeKilobytes).toBe('4096');
  });

  it('runs once: a value set locally again afterwards stays', async () => {
    const { local, deps } = await oldAgentDevice();
    await enforce(logPolicy, deps, { at: AT, restore: true });
    if (local.Domain) local.Domain.LogMaxSizeKilobytes = '65536';
    await enforce(logPolicy, deps, { at: AT, restore: true });
    expect(local.Domain?.LogMaxSizeKilobytes).toBe('65536');
  });
});
