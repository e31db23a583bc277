// Which provider enforces each policy kind on each OS: a real one wherever the OS has a mechanism, otherwise one
// that says why (never a silent success).
import { describe, expect, it } from 'vitest';
import { type Platform, POLICY_KINDS, type PolicyKind, SETTINGS } from '../../../policy-schemas/src/index.js';
import { UnavailableProvider } from '../providers/unavailable.js';
import { ScriptedCommandRunner } from '../system/command-runner.js';
import { MemoryFileStore } from '../system/file-store.js';
import { nativeProviders, watchedFiles } from './native-providers.js';

function providersFor(platform: Platform) {
  // Every tool answers "not found": construction must not depend on what is installed.
  const deps = { runner: new ScriptedCommandRunner(() => ({ code: null, spawnError: 'ENOENT: not found' })), files: new MemoryFileStore() };
  return nativeProviders(platform, '/var/lib/attache', deps);
}

const kindsWithSettings = (platform: Platform): Set<PolicyKind> => new Set(SETTINGS.filter((s) => s.platforms.includes(platform)).map((s) => s.kind));

describe('nativeProviders', () => {
  for (const platform of ['windows', 'macos', 'linux'] as const) {
    it(`gives ${platform} exactly one provider per kind, a real one for every kind with ${platform} settings`, () => {
      const providers = providersFor(platform);
      expect(providers.map((p) => p.kind)).toEqual([...POLICY_KINDS]);
      for (const p of providers) {
        const real = !(p instanceof UnavailableProvider);
        expect(real, `${platform} ${p.kind}`).toBe(kindsWithSettings(platform).has(p.kind));
      }
    });
  }

  it('explains a kind the OS has no mechanism for', () => {
    const asr = providersFor('linux').find((p) => p.kind === 'asr');
    expect(asr?.unsupportedReason('asr.56a863a9-875e-4185-98a7-b882c64b5ce5')).toBe('asr policies have no mechanism on linux');
  });

  it('watches the managed Defender files where the OS has them', () => {
    expect(watchedFiles('linux')).toEqual(['/etc/opt/microsoft/mdatp/managed/mdatp_managed.json']);
    expect(watchedFiles('macos')).toEqual(['/Library/Managed Preferences/com.microsoft.wdav.plist']);
    expect(watchedFiles('windows')).toEqual([]);
  });
});
