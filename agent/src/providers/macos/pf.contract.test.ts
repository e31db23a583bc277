// The provider contract for macOS firewall rules, run against the real provider code over an emulated pfctl.
import { describeProviderContract } from '../testing/contract-suite.js';
import { PF_SETTING_ID, PfRulesProvider } from './pf.js';
import { PfctlEmulator } from './testing/pf-emulator.js';

describeProviderContract({
  name: 'macos pf anchor (emulated pfctl)',
  kind: 'firewallRules',
  platform: 'macos',
  settingIds: [PF_SETTING_ID],
  create: async () => ({ provider: new PfRulesProvider({ runner: new PfctlEmulator().runner }) }),
});
