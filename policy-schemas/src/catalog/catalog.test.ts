// Invariants of the settings catalog: well-formed entries, defaults that satisfy their own value schema, and value
// schemas that accept exactly the allowed values (property-based, fast-check; object-list items are generated from
// their own item schema, patterned strings from their pattern).
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allowedValues, arbitraryOf, regex } from '../../../test/catalog-arbitrary.js';
import { PLATFORMS, POLICY_KINDS } from '../primitives.js';
import {
  asrRuleEdition,
  defaultFor,
  type JsonSchema,
  SETTINGS,
  type SettingDefinition,
  settingById,
  settingsOfKind,
  settingsSchemaOf,
  valueSchemaOf,
} from './index.js';
import { SettingDefinition as SettingDefinitionSchema } from './setting-definition.js';

const ajv = new Ajv2020({ strict: true, allErrors: true });
const definitionIsValid = ajv.compile(JSON.parse(JSON.stringify(SettingDefinitionSchema)));
const valueValidators = new Map<string, ValidateFunction>(SETTINGS.map((s) => [s.id, ajv.compile(valueSchemaOf(s))]));

function accepts(setting: SettingDefinition, value: unknown): boolean {
  const fn = valueValidators.get(setting.id);
  if (!fn) throw new Error(`no validator for ${setting.id}`);
  return fn(value);
}

/** Strings not matching a pattern; line breaks are mixed in so that permissive one-line patterns are still missed. */
function mismatching(pattern: string): fc.Arbitrary<string> {
  const candidates = fc.oneof(
    fc.string(),
    fc.tuple(fc.string(), fc.constantFrom('\n', '\r'), fc.string()).map((parts) => parts.join('')),
  );
  return candidates.filter((v) => !regex(pattern).test(v));
}

/** Settings whose Microsoft source documents no default (the CSP's ThreatSeverityDefaultAction has no DDF default). */
const NO_DOCUMENTED_DEFAULT = ['defender.ThreatSeverityDefaultAction'];

function setting(id: string): SettingDefinition {
  const found = settingById(id);
  if (!found) throw new Error(`no setting ${id}`);
  return found;
}

const RULE = { name: 'r' };
const LINUX = { name: 'r', direction: 'in', action: 'accept', protocol: 'tcp' };
const PF = { name: 'r', direction: 'in', action: 'pass', protocol: 'tcp' };
/** Items each object-list setting must refuse: one broken field (or a field of another $type) per item. */
const INVALID_ITEMS: Record<string, Record<string, unknown>[]> = {
  'mdatp.antivirusEngine.threatTypeSettings': [{ key: 'other', value: 'block' }, { key: 'archive_bomb', value: 'quarantine' }, { key: 'archive_bomb' }],
  'mdatp.antivirusEngine.exclusions': [
    { $type: 'excludedPath', extension: '.log' },
    { $type: 'excludedPath', path: 'relative/dir' },
    { $type: 'excludedFileExtension', extension: '.log', path: '/x' },
    { $type: 'excludedFileExtension', extension: 'a/b' },
    { $type: 'excludedFileName' },
    { $type: 'excludedFolder', path: '/x' },
    { path: '/x' },
  ],
  'mdatp.exclusionSettings.exclusions': [
    { $type: 'excludedPath', path: '/home/*/git' },
    { $type: 'excludedPath', path: '/opt/app?', scopes: ['global'] },
    { $type: 'excludedFileExtension', extension: '.pdf' },
    { $type: 'excludedFileExtension', extension: '.pdf', scopes: ['epp', 'global'] },
    { $type: 'excludedFileName', name: 'cat' },
    { $type: 'excludedPath', path: '/x', scopes: ['edr'] },
    { $type: 'excludedPath', path: '/x', scopes: [] },
    { $type: 'excludedPath', path: 'relative', scopes: ['epp'] },
    // The root in any spelling, and paths that are not normalised (a global exclusion also blinds EDR).
    ...['/', '//', '/.', '/..', '/./', '/tmp/..', '/tmp/../etc', '/tmp/.', '/tmp//x', '/tmp/', '/opt/backup/'].map((path) => ({
      $type: 'excludedPath',
      path,
      scopes: ['global'],
    })),
    { $type: 'excludedPath', path: '//' },
    { $type: 'excludedFileName', name: '/usr/bin/../bin/rsync', scopes: ['global'] },
  ],
  'mdatp.tamperProtection.exclusions': [{ teamId: 'UBF8T346G9' }, { path: 'relative' }, { path: '/x', args: '--force' }],
  'firewallRules.rules': [
    { name: 'a/b' },
    { name: 'a\u0000b' },
    { ...RULE, filePath: 'C:\\a\nb' },
    { ...RULE, packageFamilyName: 'Microsoft.WindowsCalculator\n' },
    { ...RULE, fqbn: '' },
    { ...RULE, localPortRanges: '80' },
    { ...RULE, protocol: 6, localPortRanges: '120-100' },
    { ...RULE, protocol: 1, remotePortRanges: '80' },
    { ...RULE, protocol: 6, icmpTypesAndCodes: '8:*' },
    { ...RULE, edgeTraversal: true, direction: 'OUT' },
    { ...RULE, edgeTraversal: true },
    { ...RULE, protocol: 6, localPortRanges: '65536' },
    { ...RULE, protocol: 6, localPortRanges: '100-' },
    { ...RULE, protocol: 17, remotePortRanges: '80,,81' },
    { ...RULE, protocol: 256 },
    { ...RULE, icmpTypesAndCodes: '*:4' },
    { ...RULE, protocol: 1, icmpTypesAndCodes: '*:*' },
    { ...RULE, protocol: 58, icmpTypesAndCodes: '8,*:*' },
    { ...RULE, icmpTypesAndCodes: '*' },
    { ...RULE, interfaceTypes: ['All', 'Lan'] },
    { ...RULE, interfaceTypes: ['MobileBroadband'] },
    { ...RULE, localUserAuthorizationList: 'O:LSD:(A;;CC;;;S-1-5-18)' },
    { ...RULE, policyAppId: 'tag with space' },
    { ...RULE, policyAppId: 'Contoso.Browsers', serviceName: 'wuauserv' },
    { ...RULE, icmpTypesAndCodes: '3:256' },
    { ...RULE, direction: 'in' },
    { ...RULE, action: 2 },
    { ...RULE, profiles: 8 },
    { ...RULE, interfaceTypes: ['Ethernet'] },
    { ...RULE, remoteAddressRanges: ['10.0.0.0/33'] },
    { ...RULE, remoteAddressRanges: ['999.1.1.1'] },
    { ...RULE, localAddressRanges: ['Internet'] },
    { ...RULE, localAddressRanges: ['fe80:::1'] },
    { direction: 'IN' },
  ],
  'linuxFirewall.rules': [
    { ...LINUX, action: 'allow' },
    { ...LINUX, protocol: 'icmp', localPorts: '22' },
    { ...LINUX, localPorts: '8080-80' },
    { ...LINUX, protocol: 'sctp' },
    { ...LINUX, direction: 'IN' },
    { ...LINUX, remoteAddresses: ['10.0.0.0/40'] },
    { ...LINUX, localPorts: '70000' },
    { name: 'r', direction: 'in', action: 'accept' },
  ],
  'firewallRules.pfRules': [
    { ...PF, name: 'a"b' },
    { ...PF, protocol: 'icmp', remotePorts: '443' },
    { ...PF, localPorts: '22,65530-65000' },
    { ...PF, name: 'x$(id)' },
    { ...PF, name: 'line\nbreak' },
    { ...PF, name: 'n'.repeat(56) },
    { ...PF, action: 'accept' },
    { ...PF, protocol: 'sctp' },
    { ...PF, direction: 'IN' },
    { ...PF, remoteAddresses: ['10.0.0.0/40'] },
    { ...PF, localPorts: '70000' },
    { name: 'r', direction: 'in', action: 'pass' },
  ],
  'indicators.items': [
    { type: 'fileSha256', value: 'abc', action: 'block' },
    { type: 'fileSha1', value: 'a'.repeat(64), action: 'alert' },
    { type: 'ipAddress', value: '10.0.0.0/8', action: 'block' },
    { type: 'ipAddress', value: '256.1.1.1', action: 'block' },
    { type: 'cidr', value: '10.0.0.1', action: 'block' },
    { type: 'domain', value: '-bad-.com', action: 'block' },
    { type: 'processName', value: '/usr/bin/x', action: 'block' },
    { type: 'processPath', value: 'relative', action: 'block' },
    { type: 'domain', value: 'example.com', action: 'quarantine' },
    { type: 'domain', value: 'example.com', action: 'block', severity: 'critical' },
    { type: 'url', value: 'https://example.com', action: 'block' },
    { type: 'fileMd5', value: 'a'.repeat(40), action: 'block' },
    { type: 'certificateThumbprint', value: 'a'.repeat(40), action: 'block' },
    { type: 'certificateThumbprint', value: 'a'.repeat(40), action: 'audit' },
    { type: 'ipAddress', value: '203.0.113.7', action: 'blockAndRemediate' },
    { type: 'fileSha1', value: 'a'.repeat(40), action: 'audit', generateAlert: false },
    { type: 'fileSha1', value: 'a'.repeat(40), action: 'alert', generateAlert: false },
    { type: 'fileSha1', value: 'a'.repeat(40), action: 'allowed', generateAlert: true },
    { type: 'fileSha1', value: 'a'.repeat(40), action: 'block', expirationTime: '2027-13-01T00:00:00Z' },
    { type: 'fileSha1', value: 'a'.repeat(40), action: 'block', expirationTime: '2027-01-01T00:00:00+02:00' },
  ],
};

/** Values the setting must refuse: wrong JSON type always, plus out-of-set / out-of-range / malformed values per type. */
function disallowedValues(s: SettingDefinition): fc.Arbitrary<unknown> {
  const allowed = new Set<unknown>(s.values?.map((v) => v.value));
  const wrongType: Record<SettingDefinition['type'], fc.Arbitrary<unknown>> = {
    boolean: fc.oneof(fc.integer(), fc.string(), fc.constant(null), fc.array(fc.string())),
    integer: fc.oneof(fc.boolean(), fc.string(), fc.constant(null), fc.double({ noInteger: true, noNaN: true, noDefaultInfinity: true })),
    string: fc.oneof(fc.boolean(), fc.integer(), fc.constant(null), fc.array(fc.string())),
    stringList: fc.oneof(fc.boolean(), fc.integer(), fc.string(), fc.constant(null), fc.array(fc.integer(), { minLength: 1 })),
    objectList: fc.oneof(fc.boolean(), fc.integer(), fc.string(), fc.constant(null), fc.array(fc.oneof(fc.integer(), fc.string()), { minLength: 1 })),
  };
  const outside: fc.Arbitrary<unknown>[] = [];
  if (s.values) outside.push((s.type === 'integer' ? fc.integer() : fc.string()).map((v): unknown => v).filter((v) => !allowed.has(v)));
  if (s.type === 'integer' && s.minimum !== undefined) outside.push(fc.integer({ max: s.minimum - 1 }));
  // fc.integer stops at 2^31-1; beyond it a constant does.
  if (s.type === 'integer' && s.maximum !== undefined) outside.push(s.maximum >= 0x7fffffff ? fc.constant(s.maximum + 1) : fc.integer({ min: s.maximum + 1 }));
  if (s.type === 'string' && !s.values) outside.push(fc.constant('x'.repeat(4097)));
  if (s.pattern && s.type === 'string') outside.push(mismatching(s.pattern));
  if (s.pattern && s.type === 'stringList')
    outside.push(
      mismatching(s.pattern)
        .filter((v) => v !== '')
        .map((v) => [v]),
    );
  if (s.type === 'objectList') {
    const item = arbitraryOf(s.itemSchema ?? {}) as fc.Arbitrary<Record<string, unknown>>;
    outside.push(fc.constant([{}]));
    outside.push(item.map((v) => [{ ...v, zzUnknownField: 1 }]));
    outside.push(item.map((v) => [v, structuredClone(v)])); // exact duplicates
    outside.push(fc.constantFrom(...(INVALID_ITEMS[s.id] ?? [{}])).map((v) => [v]));
  }
  if (s.type === 'stringList') {
    outside.push(fc.string({ minLength: 1 }).map((v) => [v, v])); // duplicates
    outside.push(fc.constant(['']));
    outside.push(fc.constant(Array.from({ length: (s.maxItems ?? 1000) + 1 }, (_, i) => `item${i}`)));
  }
  return fc.oneof(wrongType[s.type], ...outside);
}

describe('settings catalog', () => {
  it('has unique ids', () => {
    const ids = SETTINGS.map((s) => s.id);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  });

  it.each(SETTINGS.map((s) => [s.id, s] as const))('%s is a valid SettingDefinition', (_id, setting) => {
    expect(definitionIsValid(setting), JSON.stringify(definitionIsValid.errors)).toBe(true);
  });

  it('uses only known kinds and platforms, each platform once', () => {
    for (const s of SETTINGS) {
      expect(POLICY_KINDS, s.id).toContain(s.kind);
      expect(s.platforms.length, s.id).toBeGreaterThan(0);
      expect(new Set(s.platforms).size, s.id).toBe(s.platforms.length);
      for (const p of s.platforms) expect(PLATFORMS, s.id).toContain(p);
      for (const p of Object.keys(s.platformDefaults ?? {})) expect(s.platforms, `${s.id} platformDefaults.${p}`).toContain(p);
    }
  });

  it('declares only the constraints that fit the type', () => {
    for (const s of SETTINGS) {
      if (s.values) {
        expect(['integer', 'string'], `${s.id} values`).toContain(s.type);
        expect(s.values.length, `${s.id} values`).toBeGreaterThan(0);
        const values = s.values.map((v) => v.value);
        expect(new Set(values).size, `${s.id} values unique`).toBe(values.length);
        for (const v of values) expect(typeof v, `${s.id} value ${v}`).toBe(s.type === 'integer' ? 'number' : 'string');
        for (const v of s.values) expect(v.label.trim(), `${s.id} label of ${v.value}`).not.toBe('');
        expect(s.minimum ?? s.maximum, `${s.id}: values and a range together`).toBeUndefined();
      }
      if (s.minimum !== undefined || s.maximum !== undefined) expect(s.type, `${s.id} range`).toBe('integer');
      if (s.minimum !== undefined && s.maximum !== undefined) expect(s.minimum, `${s.id} range`).toBeLessThanOrEqual(s.maximum);
      if (s.maxItems !== undefined) expect(['stringList', 'objectList'], `${s.id} maxItems`).toContain(s.type);
      if (s.pattern !== undefined) expect(['string', 'stringList'], `${s.id} pattern`).toContain(s.type);
      if (s.pattern !== undefined) expect(s.values, `${s.id}: pattern and values together`).toBeUndefined();
      const isObjectList = s.type === 'objectList';
      for (const field of ['itemSchema', 'itemKey', 'itemExamples'] as const) expect(s[field] !== undefined, `${s.id} ${field}`).toBe(isObjectList);
      if (s.unsetValue !== undefined) {
        expect(
          s.values?.map((v) => v.value),
          `${s.id} unsetValue is one of its values`,
        ).toContain(s.unsetValue);
        expect(s.default, `${s.id}: an unmanaged setting defaults to its unset value`).toEqual(s.unsetValue);
      }
    }
  });

  it('gives object lists item keys their item schema declares, and examples it accepts', () => {
    for (const s of SETTINGS.filter((x) => x.type === 'objectList')) {
      const schema = s.itemSchema ?? {};
      const variants = (Array.isArray(schema.oneOf) ? schema.oneOf : [schema]) as JsonSchema[];
      const declared = new Set(variants.flatMap((v) => Object.keys((v.properties ?? {}) as object)));
      for (const key of s.itemKey ?? []) expect(declared, `${s.id} itemKey ${key}`).toContain(key);
      expect(accepts(s, s.itemExamples), `${s.id} examples ${JSON.stringify(valueValidators.get(s.id)?.errors)}`).toBe(true);
      expect(INVALID_ITEMS[s.id]?.length, `${s.id} needs invalid items in INVALID_ITEMS`).toBeGreaterThan(0);
      for (const item of INVALID_ITEMS[s.id] ?? []) expect(accepts(s, [item]), `${s.id} accepted ${JSON.stringify(item)}`).toBe(false);
    }
  });

  it('gives every setting a default that its own value schema accepts, on every platform (none where the source documents none)', () => {
    for (const s of SETTINGS) {
      if (NO_DOCUMENTED_DEFAULT.includes(s.id)) {
        expect(s.default, `${s.id}: the source documents no default, the catalog must not invent one`).toBeUndefined();
        continue;
      }
      expect(s.default, `${s.id} has no default`).toBeDefined();
      for (const platform of s.platforms) {
        const value = defaultFor(s, platform);
        expect(accepts(s, value), `${s.id} default on ${platform}: ${JSON.stringify(value)}`).toBe(true);
      }
    }
  });

  it('Windows Defender corrections of issue 16 (each against its Microsoft source)', () => {
    const threat = setting('defender.ThreatSeverityDefaultAction');
    for (const ok of ['1=1|2=2|4=3|5=6', '1=8', '5=10', '2=2|4=10']) expect(accepts(threat, ok), ok).toBe(true);
    for (const bad of ['1=4', '1=9', '3=2', '5=2|1=2', '1=2|1=3', '1=100', '']) expect(accepts(threat, bad), bad).toBe(false);
    expect(setting('defenderConfig.TamperProtection').default).toBe(0);
    expect(setting('defenderConfig.AllowNetworkProtectionOnWinServer').default).toBe(1);
    for (const id of ['defenderConfig.ArchiveMaxDepth', 'defenderConfig.ArchiveMaxSize']) {
      expect(accepts(setting(id), 4294967295), id).toBe(true);
      expect(accepts(setting(id), 4294967296), id).toBe(false);
    }
    // Intune offers no warn mode for these ASR rules; the WMI rule takes no per-rule exclusions.
    for (const guid of ['d3e037e1-3eb8-44c8-a917-57927947596d', 'e6db77e5-3df2-4cf1-b95a-636979351e5b', 'c1db55ab-c21a-4637-bb3f-a12568109d35']) {
      expect(accepts(setting(`asr.${guid}`), 'warn'), guid).toBe(false);
      expect(accepts(setting(`asr.${guid}`), 'block'), guid).toBe(true);
    }
    expect(accepts(setting('asr.01443614-cd74-433a-b99e-2ecdc07bfc25'), 'warn')).toBe(true);
    expect(settingById('asrExclusions.e6db77e5-3df2-4cf1-b95a-636979351e5b')).toBeUndefined();
    expect(settingById('asrExclusions.d3e037e1-3eb8-44c8-a917-57927947596d')).toBeDefined();
    expect(asrRuleEdition('asr.a8f5898e-1dc8-49a9-9878-85004b8a61e6')).toBe('server');
    expect(asrRuleEdition('asrExclusions.92e97fa1-2edf-4476-bdd6-9dd0b4dddc7b')).toBe('workstation');
    expect(asrRuleEdition('asr.d3e037e1-3eb8-44c8-a917-57927947596d')).toBeUndefined();
    const tag = setting('edr.DeviceTagGroup');
    expect(accepts(tag, 'x'.repeat(200))).toBe(true);
    expect(accepts(tag, 'x'.repeat(201))).toBe(false);
    expect(accepts(tag, 'a\nb')).toBe(false);
    const ips = setting('defenderConfig.ExcludedIpAddresses');
    expect(accepts(ips, ['10.0.0.5', 'fe80::1', '::1'])).toBe(true);
    for (const bad of ['10.0.0.0/8', '256.1.1.1', 'host.example']) expect(accepts(ips, [bad]), bad).toBe(false);
    const days = setting('defenderConfig.DaysUntilAggressiveCatchupQuickScan');
    expect([accepts(days, 6), accepts(days, 7), accepts(days, 60), accepts(days, 61)]).toEqual([false, true, true, false]);
  });

  it('finds settings by id and kind', () => {
    for (const s of SETTINGS) expect(settingById(s.id)).toBe(s);
    expect(settingById('defender.NoSuchThing')).toBeUndefined();
    expect(POLICY_KINDS.flatMap((k) => settingsOfKind(k))).toHaveLength(SETTINGS.length);
  });

  it('builds a per-kind settings schema naming exactly that kind', () => {
    for (const kind of POLICY_KINDS) {
      const properties = settingsSchemaOf(kind).properties as Record<string, unknown>;
      expect(Object.keys(properties).sort()).toEqual(
        settingsOfKind(kind)
          .map((s) => s.id)
          .sort(),
      );
    }
  });

  it('value schemas accept every allowed value', () => {
    const pairs = fc.constantFrom(...SETTINGS).chain((s) => allowedValues(s).map((value) => [s, value] as const));
    fc.assert(fc.property(pairs, ([s, value]) => accepts(s, value)));
  });

  it('value schemas reject values outside the allowed ones', () => {
    const pairs = fc.constantFrom(...SETTINGS).chain((s) => disallowedValues(s).map((value) => [s, value] as const));
    fc.assert(fc.property(pairs, ([s, value]) => !accepts(s, value)));
  });
});

describe('global exclusion paths', () => {
  it('accept normalised absolute paths, dot-names included', () => {
    const s = settingById('mdatp.exclusionSettings.exclusions') as SettingDefinition;
    for (const path of ['/opt/backup', '/a', '/home/.cache', '/srv/...', '/srv/..x', '/srv/x..', '/srv/a.b/c']) {
      expect(accepts(s, [{ $type: 'excludedPath', path, scopes: ['global'] }]), path).toBe(true);
    }
  });
});
