// The real providers of each OS, and what the OS lets the agent watch for drift. Only platform/ imports this file.
import { watch } from 'node:fs';
import { version } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { type Platform, POLICY_KINDS } from '../../../policy-schemas/src/index.js';
import { ISOLATION_FILE } from '../actions/isolation/intent-store.js';
import { INDICATORS_FILE, IndicatorStoreProvider } from '../providers/indicators/indicator-store.js';
import { createLinuxMdatpProviders, LINUX_MDATP_MANAGED_PATH } from '../providers/linux/mdatp-providers.js';
import { createLinuxFirewallProvider } from '../providers/linux/nftables-provider.js';
import { createMacosFirewallProviders } from '../providers/macos/firewall.js';
import { FilePfTokenStore } from '../providers/macos/pf.js';
import { createMacosMdatpProviders, MACOS_WDAV_MANAGED_PATH } from '../providers/macos/wdav-providers.js';
import type { SettingsProvider } from '../providers/provider.js';
import { UnavailableProvider } from '../providers/unavailable.js';
import { createWindowsDefenderProviders } from '../providers/windows/defender-provider.js';
import { createWindowsFirewallProviders } from '../providers/windows/firewall.js';
import { type CommandRunner, NodeCommandRunner } from '../system/command-runner.js';
import { type FileStore, NodeFileStore } from '../system/file-store.js';
import { nativeOsType } from './os-type.js';

export interface NativeDeps {
  readonly runner: CommandRunner;
  readonly files: FileStore;
}

/**
 * One provider per policy kind for the OS. A kind the OS has no mechanism for (ASR on Linux, the Linux firewall on
 * Windows) gets a provider that reports every setting notApplicable with the reason, never a silent success.
 */
export function nativeProviders(
  platform: Platform,
  stateDir: string,
  deps: NativeDeps = { runner: new NodeCommandRunner(), files: new NodeFileStore() },
): SettingsProvider[] {
  const { runner, files } = deps;
  const indicators = new IndicatorStoreProvider({ path: join(stateDir, INDICATORS_FILE) }, { files });
  const real: SettingsProvider[] = [indicators];
  switch (platform) {
    case 'linux':
      real.push(
        createLinuxFirewallProvider({ runner }, { notation: { files, path: join(stateDir, 'nftables-notation.json') } }),
        ...createLinuxMdatpProviders({ runner, files }),
      );
      break;
    case 'macos':
      real.push(
        ...createMacosMdatpProviders({ runner, files }),
        ...createMacosFirewallProviders({ runner, pfTokens: new FilePfTokenStore(files, join(stateDir, 'pf-token')) }),
      );
      break;
    case 'windows':
      real.push(
        ...createWindowsDefenderProviders({ runner, osType: nativeOsType('windows', version()) ?? 'workstation' }),
        ...createWindowsFirewallProviders({ runner, isolated: async () => (await files.read(join(stateDir, ISOLATION_FILE))) !== undefined }),
      );
      break;
  }
  const byKind = new Map(real.map((p) => [p.kind, p]));
  return POLICY_KINDS.map((kind) => byKind.get(kind) ?? new UnavailableProvider(kind, `${kind} policies have no mechanism on ${platform}`));
}

/** Files the OS lets us watch for changes to managed settings (Windows registry notifications need native code). */
export function watchedFiles(platform: Platform): readonly string[] {
  switch (platform) {
    case 'linux':
      return [LINUX_MDATP_MANAGED_PATH];
    case 'macos':
      return [MACOS_WDAV_MANAGED_PATH];
    case 'windows':
      return [];
  }
}

/** Watches the directories of `paths` (files are replaced by rename) and calls onChange for events on them. */
export function watchFiles(paths: readonly string[], onChange: () => void): () => void {
  const closers: (() => void)[] = [];
  for (const path of paths) {
    try {
      const watcher = watch(dirname(path), { persistent: false }, (_event, file) => {
        if (file === null || file === basename(path)) onChange();
      });
      watcher.on('error', () => watcher.close());
      closers.push(() => watcher.close());
    } catch {
      // The directory does not exist (product not installed): nothing to watch; the periodic drift check still runs.
    }
  }
  return () => {
    for (const close of closers) close();
  };
}
