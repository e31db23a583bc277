// The provider contract for the Windows firewall and firewall rules providers, running the real provider code against
// an emulated NetSecurity module (firewall-emulator.ts) that answers the exact scripts the providers send.
import { describeProviderContract } from '../testing/contract-suite.js';
import { createWindowsFirewallProviders } from './firewall.js';
import { EmulatedWindowsFirewall } from './testing/firewall-emulator.js';

for (const kind of ['firewall', 'firewallRules'] as const) {
  describeProviderContract({
    name: 'windows NetSecurity (emulated)',
    kind,
    platform: 'windows',
    create: async () => {
      const fw = new EmulatedWindowsFirewall();
      const provider = createWindowsFirewallProviders({ runner: fw.runner }).find((p) => p.kind === kind);
      if (!provider) throw new Error(`no ${kind} provider`);
      const foreign = fw.foreignRules();
      return {
        provider,
        cleanup: async () => {
          // The contract run must leave every rule outside the agent's group exactly as it found it.
          if (fw.foreignRules() !== foreign) throw new Error('a rule outside the agent group changed');
        },
      };
    },
  });
}
