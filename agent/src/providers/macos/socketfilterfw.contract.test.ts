// The provider contract for the macOS application firewall, run against the real provider code over an emulated
// socketfilterfw (both wordings the parsers know).
import { describeProviderContract } from '../testing/contract-suite.js';
import { SocketFilterFirewallProvider } from './socketfilterfw.js';
import { SocketFilterEmulator, type SocketFilterWording } from './testing/socketfilterfw-emulator.js';

for (const wording of ['current', 'legacy'] as const satisfies readonly SocketFilterWording[]) {
  describeProviderContract({
    name: `macos socketfilterfw (emulated, ${wording} wording)`,
    kind: 'firewall',
    platform: 'macos',
    create: async () => ({ provider: new SocketFilterFirewallProvider({ runner: new SocketFilterEmulator({ wording }).runner }) }),
  });
}
