// The provider contract for the macOS Defender for Endpoint providers: the com.microsoft.wdav property list in a
// memory file store and the emulated `mdatp health` reading it (this machine cannot run macOS).
import { ScriptedCommandRunner } from '../../system/command-runner.js';
import { MemoryFileStore } from '../../system/file-store.js';
import { ManagedConfigFile } from '../mdatp/managed-config.js';
import { EmulatedMdatp } from '../mdatp/testing/emulated-mdatp.js';
import { describeProviderContract } from '../testing/contract-suite.js';
import { createMacosMdatpProviders, MACOS_WDAV_MANAGED_PATH, PLIST_CODEC } from './wdav-providers.js';

for (const kind of ['antivirus', 'antivirusExclusions', 'edr', 'securityExperience'] as const) {
  describeProviderContract({
    name: 'macos mdatp (com.microsoft.wdav managed preferences)',
    kind,
    platform: 'macos',
    create: async () => {
      const files = new MemoryFileStore();
      const config = new ManagedConfigFile({ path: MACOS_WDAV_MANAGED_PATH, codec: PLIST_CODEC, write: {}, dirMode: 0o755 }, files);
      const mdatp = new EmulatedMdatp({ platform: 'macos', config });
      const runner = new ScriptedCommandRunner(mdatp.respond);
      const provider = createMacosMdatpProviders({ runner, files, sleep: async () => undefined }, { owner: null }).find((p) => p.kind === kind);
      if (!provider) throw new Error(`no ${kind} provider`);
      return { provider };
    },
  });
}
