// The provider contract for every Windows Defender kind, run against the real provider code over an emulated Defender
// host (defender-emulator.ts answers the constant scripts from in-memory MpPreference and registry state).
import { describeProviderContract } from '../testing/contract-suite.js';
import { DEFENDER_KINDS } from './defender-mapping.js';
import { WindowsDefenderProvider } from './defender-provider.js';
import { DefenderEmulator } from './testing/defender-emulator.js';

for (const kind of DEFENDER_KINDS) {
  describeProviderContract({
    name: 'windows defender (emulated PowerShell)',
    kind,
    platform: 'windows',
    create: async () => {
      const host = new DefenderEmulator();
      return { provider: new WindowsDefenderProvider(kind, { runner: host.runner }) };
    },
  });
}
