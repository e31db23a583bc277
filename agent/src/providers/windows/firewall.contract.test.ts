// The provider contract for the Windows firewall and firewall rules providers, running the real provider code against
// an emulated firewall (MDM bridge + NetSecurity stores, firewall-emulator.ts) that answers the exact scripts sent.
import { describeProviderContract } from '../testing/contract-suite.js';
import { createWindowsFirewallProviders } from './firewall.js';
import { EmulatedWindowsFirewall } from './testing/firewall-emulator.js';

for (const kind of ['firewall', 'firewallRules'] as const) {
  describeProviderContract({
    name: 'windows MDM bridge (emulated)',
    kind,
    platform: 'windows',
    create: async () => {
      const fw = new EmulatedWindowsFirewall();
      const provider = createWindowsFirewallProviders({ runner: fw.runner }).find((p) => p.kind === kind);
      if (!provider) throw new Error(`no ${kind} provider`);
      await provider.prepare?.();
      const foreign = fw.foreignRules();
      return {
        provider,
        cleanup: async () => {
          // The contract run must leave every rule of another manager (MDM, local, GPO) exactly as it found it.
          if (fw.foreignRules() !== foreign) throw new Error('a rule of another manager changed');
        },
      };
    },
  });
}
