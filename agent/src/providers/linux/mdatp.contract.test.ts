// The provider contract for the Linux Defender for Endpoint providers: a real mdatp_managed.json in a temp dir
// (NodeFileStore: atomic writes, mode, owner) and the emulated `mdatp health` reading that file.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ScriptedCommandRunner } from '../../system/command-runner.js';
import { NodeFileStore } from '../../system/file-store.js';
import { JSON_CODEC, ManagedConfigFile } from '../mdatp/managed-config.js';
import { EmulatedMdatp } from '../mdatp/testing/emulated-mdatp.js';
import { describeProviderContract } from '../testing/contract-suite.js';
import { createLinuxMdatpProviders } from './mdatp-providers.js';

async function linuxHost() {
  const dir = await mkdtemp(join(tmpdir(), 'attache-mdatp-'));
  const managedPath = join(dir, 'etc/opt/microsoft/mdatp/managed/mdatp_managed.json');
  const files = new NodeFileStore();
  const mdatp = new EmulatedMdatp({
    platform: 'linux',
    config: new ManagedConfigFile({ path: managedPath, codec: JSON_CODEC, write: {}, dirMode: 0o755 }, files),
  });
  const runner = new ScriptedCommandRunner(mdatp.respond);
  const providers = createLinuxMdatpProviders({ runner, files, sleep: async () => undefined }, { managedPath });
  return { dir, managedPath, providers, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

for (const kind of ['antivirus', 'antivirusExclusions', 'edr'] as const) {
  describeProviderContract({
    name: 'linux mdatp (mdatp_managed.json in a temp dir)',
    kind,
    platform: 'linux',
    create: async () => {
      const host = await linuxHost();
      const provider = host.providers.find((p) => p.kind === kind);
      if (!provider) throw new Error(`no ${kind} provider`);
      return { provider, cleanup: host.cleanup };
    },
  });
}

describe('linux mdatp managed file on disk', () => {
  it('creates the directory 0755 and the file 0600', async () => {
    const host = await linuxHost();
    try {
      const [av] = host.providers;
      expect(await av?.apply([{ settingId: 'mdatp.cloudService.enabled', kind: 'antivirus', from: undefined, to: false }])).toEqual([
        { settingId: 'mdatp.cloudService.enabled', ok: true },
      ]);
      expect((await stat(host.managedPath)).mode & 0o7777).toBe(0o600);
      expect((await stat(join(host.dir, 'etc/opt/microsoft/mdatp/managed'))).mode & 0o7777).toBe(0o755);
      if (process.getuid?.() === 0) expect((await stat(host.managedPath)).uid).toBe(0);
    } finally {
      await host.cleanup();
    }
  });
});
