// The provider contract against the simulated host, every kind on every platform that has settings of it.
import { type Platform, POLICY_KINDS, SETTINGS } from '../../../policy-schemas/src/index.js';
import { SimulatedHost } from '../hosts/simulated-host.js';
import { createSimulatedProviders } from './simulated.js';
import { describeProviderContract } from './testing/contract-suite.js';

for (const platform of ['windows', 'macos', 'linux'] as const satisfies readonly Platform[]) {
  for (const kind of POLICY_KINDS) {
    if (!SETTINGS.some((s) => s.kind === kind && s.platforms.includes(platform))) continue;
    describeProviderContract({
      name: `simulated ${platform}`,
      kind,
      platform,
      create: async () => {
        const host = new SimulatedHost({ platform, hostname: `contract-${platform}` });
        const provider = createSimulatedProviders(host).find((p) => p.kind === kind);
        if (!provider) throw new Error(`no simulated ${kind} provider`);
        return { provider };
      },
    });
  }
}
