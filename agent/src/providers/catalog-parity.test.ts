// One validator for a value: every value the settings catalog accepts (generated from its own schemas, fast-check)
// is one each real provider's own checks accept too, so those checks stay defence in depth and never turn an
// endpoint-accepted value into a device-side failure. A platform reason (setting not mapped) is notApplicable, not this.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validatePolicySettings } from '../../../common/validation.js';
import { SETTINGS, type SettingDefinition, type SettingValue, settingById } from '../../../policy-schemas/src/index.js';
import { allowedValues } from '../../../test/catalog-arbitrary.js';
import type { SettingChange } from '../core/plan.js';
import { SimulatedHost } from '../hosts/simulated-host.js';
import { createLinuxMdatpProviders, LINUX_MDATP_MANAGED_PATH } from './linux/mdatp-providers.js';
import { normalizeRules } from './linux/nftables-model.js';
import { renderRule } from './linux/nftables-render.js';
import { normalizePfRule, renderPfRuleset } from './macos/pf-render.js';
import { createMacosMdatpProviders, MACOS_WDAV_MANAGED_PATH, PLIST_CODEC } from './macos/wdav-providers.js';
import { JSON_CODEC } from './mdatp/managed-config.js';
import { testHost } from './mdatp/testing/test-host.js';
import { createSimulatedProviders } from './simulated.js';
import { defenderMapping } from './windows/defender-mapping.js';
import { planDefenderChanges } from './windows/defender-plan.js';
import { firewallMapping } from './windows/firewall-profile-map.js';
import { type FirewallRuleItem, itemFromRule, ruleInstance, ruleProblem } from './windows/firewall-rules-map.js';

const RUNS = { seed: 12, numRuns: 300 };

function setting(id: string): SettingDefinition {
  const s = settingById(id);
  if (!s) throw new Error(`no setting ${id}`);
  return s;
}

/** Pairs of a setting (of those given) and a value the catalog accepts for it. */
function catalogValues(settings: readonly SettingDefinition[]): fc.Arbitrary<readonly [SettingDefinition, SettingValue]> {
  return fc.constantFrom(...settings).chain((s) => allowedValues(s).map((v) => [s, v as SettingValue] as const));
}

function change(s: SettingDefinition, to: SettingValue): SettingChange {
  return { settingId: s.id, kind: s.kind, from: undefined, to };
}

describe('providers accept every catalog-valid value', () => {
  it('Windows Defender: the plan never refuses a value the catalog accepts', () => {
    const mapped = SETTINGS.filter(
      (s) => s.platforms.includes('windows') && defenderMapping(s.id) !== undefined && defenderMapping(s.id)?.via !== 'unsupported',
    );
    expect(mapped.length).toBeGreaterThan(100);
    fc.assert(
      fc.property(catalogValues(mapped), ([s, value]) => {
        const { failures } = planDefenderChanges([change(s, value)]);
        expect([...failures.values()]).toEqual([]);
      }),
      RUNS,
    );
  });

  it('Windows Firewall profiles: every catalog-valid value is accepted for its MDM bridge property', () => {
    const mapped = SETTINGS.filter((s) => 'mapping' in firewallMapping(s.id));
    expect(mapped.length).toBeGreaterThan(10);
    fc.assert(
      fc.property(catalogValues(mapped), ([s, value]) => {
        const found = firewallMapping(s.id);
        expect('mapping' in found && found.mapping.accepts(value), `${s.id} = ${JSON.stringify(value)}`).toBe(true);
      }),
      RUNS,
    );
  });

  it('Windows Firewall rules: every catalog-valid rule is written to the MDM bridge and reads back as the same item', () => {
    fc.assert(
      fc.property(allowedValues(setting('firewallRules.rules')), (items) => {
        for (const item of items as FirewallRuleItem[]) {
          expect(ruleProblem(item), JSON.stringify(item)).toBeUndefined();
          const { InstanceID, Rule, App, Action } = ruleInstance(item);
          expect(itemFromRule({ InstanceID, ...Rule, App, Action })).toEqual(item);
        }
      }),
      RUNS,
    );
  });

  it('macOS pf: every catalog-valid rule list renders', () => {
    fc.assert(
      fc.property(allowedValues(setting('firewallRules.pfRules')), (items) => {
        const byName = new Map((items as { name: string }[]).map((i) => [i.name, i]));
        expect(() => renderPfRuleset([...byName.values()].map(normalizePfRule), 'com.apple/250.AttacheFirewall')).not.toThrow();
      }),
      RUNS,
    );
  });

  it('Linux nftables: every catalog-valid rule list renders', () => {
    fc.assert(
      fc.property(allowedValues(setting('linuxFirewall.rules')), (items) => {
        const byName = new Map((items as { name: string }[]).map((i) => [i.name, i]));
        for (const rule of normalizeRules([...byName.values()])) expect(renderRule(rule).length).toBeGreaterThan(0);
      }),
      RUNS,
    );
  });

  it.each([
    ['linux', LINUX_MDATP_MANAGED_PATH, JSON_CODEC, createLinuxMdatpProviders],
    ['macos', MACOS_WDAV_MANAGED_PATH, PLIST_CODEC, createMacosMdatpProviders],
  ] as const)('mdatp on %s: every catalog-valid value is written and verified', async (platform, path, codec, create) => {
    const settings = SETTINGS.filter((s) => s.id.startsWith('mdatp.') && s.platforms.includes(platform));
    await fc.assert(
      fc.asyncProperty(catalogValues(settings), async ([s, value]) => {
        const host = testHost(platform, path, codec);
        const providers = create(
          { runner: host.runner, files: host.files, sleep: host.sleep },
          { owner: { uid: 0, gid: 0 }, verify: { attempts: 2, delayMs: 1 } },
        );
        const provider = providers.find((p) => p.kind === s.kind);
        if (!provider) throw new Error(`no ${s.kind} provider on ${platform}`);
        expect(await provider.apply([change(s, value)])).toEqual([{ settingId: s.id, ok: true }]);
      }),
      { ...RUNS, numRuns: 150 },
    );
  });
});

describe('the simulated host refuses what the catalog refuses', () => {
  it.each([
    ['windows', 'defender.SignatureUpdateFileSharesSources', ['\\\\srv\\defs|\\\\evil\\defs']],
    ['windows', 'securityCenter.CompanyName', 'Contoso\r\nFAKE'],
    ['windows', 'firewallRules.rules', [{ name: 'ping', protocol: 1, icmpTypesAndCodes: '*:*' }]],
    ['linux', 'mdatp.edr.groupIds', 'a\u0000b'],
  ] as const)("%s %s: POLICY_INVALID with the endpoint's message, the host untouched", async (platform, id, value) => {
    const host = new SimulatedHost({ platform, hostname: 'parity' });
    const s = setting(id);
    const provider = createSimulatedProviders(host).find((p) => p.kind === s.kind);
    if (!provider) throw new Error(`no ${s.kind} provider`);
    const before = host.read(id);
    let endpointMessage = '';
    try {
      validatePolicySettings({ kind: s.kind, settings: { [id]: value as SettingValue } }, id);
    } catch (err) {
      endpointMessage = (err as Error).message;
    }
    expect(endpointMessage).toMatch(new RegExp(`^${id.replace(/\./g, '\\.')} is invalid: /settings/`));
    expect(await provider.apply([change(s, value as SettingValue)])).toEqual([{ settingId: id, ok: false, code: 'POLICY_INVALID', message: endpointMessage }]);
    expect(host.read(id)).toEqual(before);
  });
});

describe('simulated hosts carry the Linux/macOS Defender settings at their documented defaults', () => {
  it.each([
    ['linux', 'mdatp.antivirusEngine.unmonitoredFilesystems', ['cifs', 'fuse', 'nfs', 'nfs4', 'smb']],
    ['linux', 'mdatp.cloudService.diagnosticLevel', 'required'],
    ['macos', 'mdatp.cloudService.diagnosticLevel', 'optional'],
    ['linux', 'mdatp.networkProtection.disableIcmpInspection', true],
    ['linux', 'mdatp.exclusionSettings.exclusions', []],
    ['linux', 'mdatp.exclusionSettings.mergePolicy', 'merge'],
    ['macos', 'mdatp.features.systemExtensions', 'enabled'],
    ['macos', 'mdatp.edr.earlyPreview', false],
  ] as const)('%s %s starts at %j, and a policy value reads back', async (platform, id, initial) => {
    const host = new SimulatedHost({ platform, hostname: 'defaults' });
    expect(host.read(id)).toEqual(initial);
    const s = setting(id);
    const provider = createSimulatedProviders(host).find((p) => p.kind === s.kind);
    const [value] = await fc.sample(
      allowedValues(s).filter((v) => JSON.stringify(v) !== JSON.stringify(initial)),
      { seed: 3, numRuns: 1 },
    );
    expect(await provider?.apply([change(s, value as SettingValue)])).toEqual([{ settingId: id, ok: true }]);
    expect((await provider?.observe([id]))?.get(id)).toEqual(value);
  });

  it.each([
    ['macos', 'mdatp.networkProtection.disableIcmpInspection'],
    ['macos', 'mdatp.exclusionSettings.exclusions'],
    ['linux', 'mdatp.features.systemExtensions'],
    ['linux', 'mdatp.edr.earlyPreview'],
  ] as const)('%s has no %s (the documentation names it for the other platform only)', (platform, id) => {
    const host = new SimulatedHost({ platform, hostname: 'absent' });
    const provider = createSimulatedProviders(host).find((p) => p.kind === setting(id).kind);
    expect(host.has(id)).toBe(false);
    expect(provider?.unsupportedReason(id)).toBe(`simulated ${platform} host has no such setting`);
  });
});
