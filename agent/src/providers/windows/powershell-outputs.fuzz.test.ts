// Fuzz: everything read back from PowerShell. The stdout of the observe scripts (runPowerShell's envelope, then
// Get-MpPreference + registry + Get-MpComputerStatus, the firewall's MDM bridge instances + ActiveStore + RSOP, the
// rule instances) is replayed mutated through the real providers' observe(); the parsed results of Get-MpComputerStatus,
// Get-NetFirewallProfile, the threat list and Get-BitLockerVolume go through their parsers. A clear Error naming the
// script, or values that serialise as JSON; never a TypeError.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type PolicyKind, settingsOfKind } from '../../../../policy-schemas/src/index.js';
import {
  clearOutcome,
  clearOutcomeAsync,
  FUZZ_RUNS,
  fuzzRuns,
  hostileJson,
  hostileJsonText,
  pathologicalTexts,
  pathologicalValues,
} from '../../../../test/fuzz.js';
import { parseBitLocker } from '../../inventory/disk-encryption.js';
import { parseDefenderThreats } from '../../risk/threats.js';
import { ScriptedCommandRunner } from '../../system/command-runner.js';
import type { SettingsProvider } from '../provider.js';
import { parseMpComputerStatus } from './defender-health.js';
import { createWindowsDefenderProviders } from './defender-provider.js';
import { createWindowsFirewallProviders } from './firewall.js';
import { parseFirewallProfiles } from './firewall-health.js';

const json = (name: string) => JSON.parse(readFileSync(new URL(`testdata/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;
const STATUS = json('defender-mpcomputerstatus.json');
const DEFENDER_OBSERVE = [json('defender-mppreference.json'), json('defender-mppreference-managed.json')].map((preference) => ({
  ok: true,
  result: { preference, registry: [{ key: 'HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows Defender', name: 'PUAProtection', value: 1 }], status: STATUS },
}));
const FIREWALL_OBSERVE = [json('firewall-observe-output.json'), json('firewall-rules-observe-output.json')];
const PROFILES = [json('firewall-get-netfirewallprofile-activestore.json'), json('firewall-get-netfirewallprofile-persistent.json')];

type Factory = (deps: { runner: ScriptedCommandRunner }) => SettingsProvider[];

/** Every provider observes every setting of its kind from `stdout`: a clear Error, or JSON-serialisable values. */
async function observeAll(make: Factory, stdout: string): Promise<void> {
  for (const provider of make({ runner: new ScriptedCommandRunner(() => ({ stdout })) })) {
    const ids = settingsOfKind(provider.kind as PolicyKind).map((s) => s.id);
    const out = await clearOutcomeAsync((list: string[]) => provider.observe(list), ids, [Error]);
    if (out.ok) for (const value of out.value.values()) expect(() => JSON.stringify(value)).not.toThrow();
  }
}

const DEFENDER: Factory = createWindowsDefenderProviders;
const FIREWALL: Factory = createWindowsFirewallProviders;

describe('PowerShell outputs under fuzzing', () => {
  it('Defender observe (Get-MpPreference, registry, Get-MpComputerStatus): clear error or values', async () => {
    await fc.assert(
      fc.asyncProperty(hostileJsonText(DEFENDER_OBSERVE), (stdout) => observeAll(DEFENDER, stdout)),
      fuzzRuns(60),
    );
  });

  it('firewall observe (Get-NetFirewallProfile, global settings, MDM bridge instances, ActiveStore, RSOP): clear error or values', async () => {
    await fc.assert(
      fc.asyncProperty(hostileJsonText(FIREWALL_OBSERVE), (stdout) => observeAll(FIREWALL, stdout)),
      FUZZ_RUNS,
    );
  });

  it('Get-MpComputerStatus: clear error or a health object', () => {
    fc.assert(
      fc.property(hostileJson([STATUS]), (value) => {
        const out = clearOutcome(parseMpComputerStatus, value, [Error]);
        if (out.ok) expect(typeof out.value).toBe('object');
      }),
      FUZZ_RUNS,
    );
  });

  it('Get-NetFirewallProfile, as text and as values: clear error or profiles', () => {
    const check = (input: unknown) => {
      const out = clearOutcome(parseFirewallProfiles, input, [Error]);
      if (out.ok) for (const p of out.value) expect(['Domain', 'Private', 'Public']).toContain(p.profile);
    };
    fc.assert(fc.property(fc.oneof(hostileJson(PROFILES), hostileJsonText(PROFILES)), check), FUZZ_RUNS);
  });

  it('threat list and BitLocker results: never throw', () => {
    const threats = {
      threats: [{ ThreatID: 2147519003, ThreatName: 'Virus:DOS/EICAR_Test_File', SeverityID: 5, IsActive: true }],
      detections: [{ ThreatID: 2147519003, ThreatStatusID: 1, Resources: ['file:_C:\\eicar.com'], InitialDetectionTime: '2024-12-01T10:00:00Z' }],
    };
    const bitlocker = { MountPoint: 'C:', ProtectionStatus: 'On', VolumeStatus: 'FullyEncrypted', EncryptionMethod: 'XtsAes128' };
    fc.assert(
      fc.property(hostileJson([threats, bitlocker]), (value) => {
        clearOutcome(parseDefenderThreats, value, []);
        clearOutcome(parseBitLocker, value, []);
      }),
      FUZZ_RUNS,
    );
  });

  it.each(pathologicalTexts(JSON.stringify(FIREWALL_OBSERVE[0])))('pathological stdout finishes clearly: $name', async ({ text }) => {
    await observeAll(DEFENDER, text);
    await observeAll(FIREWALL, text);
  });

  it.each(pathologicalValues())('pathological parsed values finish clearly: $name', ({ value }) => {
    clearOutcome(parseMpComputerStatus, value, [Error]);
    clearOutcome(parseFirewallProfiles, value, [Error]);
    clearOutcome(parseDefenderThreats, value, []);
    clearOutcome(parseBitLocker, value, []);
  });
});

describe('PowerShell output regressions found by fuzzing', () => {
  it.each([
    ['Enabled', 'True'],
    ['Direction', ['IN']],
    ['LocalUserAuthorizedList', {}],
    ['Protocol', {}],
    ['Profiles', null],
    ['App', 'C:\\x.exe'],
    ['Action', { Type: 'Block' }],
  ])('a firewall rule whose %s is %j reads as a rule, not a TypeError from the map', async (field, value) => {
    const doc = structuredClone(FIREWALL_OBSERVE[1]) as { result: { rules: Record<string, unknown>[] } };
    (doc.result.rules[0] as Record<string, unknown>)[field] = value;
    const [rules] = createWindowsFirewallProviders({ runner: new ScriptedCommandRunner(() => ({ stdout: JSON.stringify(doc) })) }).filter(
      (p) => p.kind === 'firewallRules',
    );
    const observed = await (rules as SettingsProvider).observe(['firewallRules.rules']);
    // Every rule in force (the golden's fifth is not) reads as a rule.
    expect((observed.get('firewallRules.rules') as unknown[]).length).toBe(doc.result.rules.length - 1);
  });

  it.each(['/Date(99999999999999999)/', { value: '/Date(-9999999999999999)/' }, { value: { value: '/Date(0)/' } }])(
    'Get-MpComputerStatus with the date %j: no date, not a RangeError from toISOString',
    (when) => {
      const health = parseMpComputerStatus({ ...STATUS, AntivirusSignatureLastUpdated: when });
      expect(health.signatureLastUpdated).toBeUndefined();
    },
  );
});
