// Renders docs/settings.md, the human reference of the settings catalog, grouped by kind then platform.
// Called by scripts/gen-schemas.ts; pure, so the staleness test can compare it with the file on disk.

import { allDefenderMappings } from '../agent/src/providers/windows/defender-mapping.js';
import {
  intuneSourceOf,
  PLATFORMS,
  type Platform,
  POLICY_KINDS,
  type PolicyKind,
  SETTINGS,
  type SettingDefinition,
  TEXT_PATTERN,
  textPatternMessage,
  valueSchemaOf,
} from '../policy-schemas/src/index.js';

const PLATFORM_NAMES: Record<Platform, string> = { windows: 'Windows', macos: 'macOS', linux: 'Linux' };
const KIND_NAMES: Record<PolicyKind, string> = {
  antivirus: 'Antivirus',
  antivirusExclusions: 'Antivirus exclusions',
  defenderUpdate: 'Defender update controls',
  securityExperience: 'Windows Security experience',
  firewall: 'Firewall',
  firewallRules: 'Firewall rules',
  edr: 'Endpoint detection and response',
  asr: 'Attack surface reduction',
  linuxFirewall: 'Linux firewall',
  indicators: 'Custom indicators',
};
const SOCKETFILTERFW = '/usr/libexec/ApplicationFirewall/socketfilterfw ';

/** A table cell: pipes would end the cell even inside a code span (GFM), newlines would end the row. */
function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

function code(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``;
}

function allowedValues(s: SettingDefinition): string {
  const unset = s.unsetValue === undefined ? '' : `<br>${code(s.unsetValue)} never conflicts and yields to any other value`;
  if (s.values) return s.values.map((v) => (v.label === String(v.value) ? code(v.value) : `${code(v.value)} ${v.label}`)).join('<br>') + unset;
  switch (s.type) {
    case 'boolean':
      return `${code(true)}, ${code(false)}`;
    case 'integer':
      if (s.minimum !== undefined && s.maximum !== undefined) return `${code(s.minimum)}–${code(s.maximum)}`;
      if (s.minimum !== undefined) return `≥ ${code(s.minimum)}`;
      if (s.maximum !== undefined) return `≤ ${code(s.maximum)}`;
      return 'any integer';
    case 'string':
      return `text, at most 4096 characters, ${patternWords(String(valueSchemaOf(s).pattern))}`;
    case 'stringList':
      return `list of distinct non-empty strings (at most 1024 characters each), ${s.singleItem ? 'one item per policy (different items from two policies conflict)' : `at most ${s.maxItems ?? 1000} items`}, each ${patternWords(String((valueSchemaOf(s).items as Schema).pattern))}`;
    case 'objectList':
      return objectListValues(s);
  }
}

type Schema = Record<string, unknown>;

/** A pattern as its catalog wording (policy-schemas/src/catalog/text.ts) where it has one, else its source. */
function patternWords(pattern: string): string {
  if (pattern === TEXT_PATTERN) return 'no control characters';
  return textPatternMessage(pattern) ?? `matching ${code(pattern)}`;
}

/** One item property in words: type, allowed values or range, and its description. */
function fieldSummary(schema: Schema | boolean): string {
  if (schema === false) return 'refused: no Attaché provider can apply it';
  if (typeof schema !== 'object') return 'any';
  if (schema.const !== undefined) return `= ${code(schema.const)}`;
  const parts: string[] = [];
  if (Array.isArray(schema.enum)) parts.push(schema.enum.map(code).join(', '));
  else if (schema.type === 'array') parts.push(`list of ${fieldSummary((schema.items ?? {}) as Schema)}`);
  else if (schema.type === 'integer' && schema.minimum !== undefined) parts.push(`${code(schema.minimum)}–${code(schema.maximum)}`);
  else parts.push(String(schema.type ?? 'any'));
  if (typeof schema.pattern === 'string' && schema.type === 'string') parts.push(schema.pattern === TEXT_PATTERN ? 'without control characters' : 'formatted');
  if (typeof schema.description === 'string') parts.push(`(${schema.description})`);
  return parts.join(' ');
}

function fields(schema: Schema, skipConst = false): string {
  const props = (schema.properties ?? {}) as Record<string, Schema | boolean>;
  const required = new Set((schema.required ?? []) as string[]);
  return Object.entries(props)
    .filter(([, p]) => !(skipConst && typeof p === 'object' && p.const !== undefined))
    .map(([name, p]) => `${code(name)}${required.has(name) ? '*' : ''}: ${fieldSummary(p)}`)
    .join('<br>');
}

/** Object lists: the key, then each item field (`*` = required); per-variant fields for oneOf item schemas. */
function objectListValues(s: SettingDefinition): string {
  const schema = (s.itemSchema ?? {}) as Schema;
  const head = `list of objects, at most ${s.maxItems ?? 1000}, merged by ${(s.itemKey ?? []).map(code).join(' + ')}; fields (* = required):`;
  const variants = Array.isArray(schema.oneOf) ? (schema.oneOf as Schema[]) : [schema];
  const body = variants.map((v) => {
    const props = (v.properties ?? {}) as Record<string, Schema>;
    const discriminator = Object.entries(props).find(([, p]) => p.const !== undefined);
    return discriminator ? `**${code(discriminator[0])} = ${code(discriminator[1].const)}**<br>${fields(v, true)}` : fields(v);
  });
  // Conditions between fields (allOf of if/then): "when `a` or `b`: `protocol`*: 6, 17 (…)".
  for (const c of (schema.allOf ?? []) as Schema[]) {
    const cond = (c.if ?? {}) as Schema;
    const when = Array.isArray(cond.anyOf) ? (cond.anyOf as Schema[]).flatMap((a) => (a.required ?? []) as string[]) : ((cond.required ?? []) as string[]);
    const value = (f: string) => ((cond.properties as Record<string, Schema> | undefined)?.[f]?.const as unknown) ?? undefined;
    const words = when.map((f) => (value(f) === undefined ? code(f) : `${code(f)} = ${code(value(f))}`)).join(' or ');
    body.push(`**when ${words}:** ${fields((c.then ?? {}) as Schema)}`);
  }
  return [head, ...body].join('<br>');
}

function defaults(s: SettingDefinition): string {
  const base = s.default === undefined ? '—' : code(s.default);
  const perPlatform = PLATFORMS.flatMap((p) => {
    const value = s.platformDefaults?.[p];
    return value === undefined ? [] : [`${PLATFORM_NAMES[p]}: ${code(value)}`];
  });
  return [base, ...perPlatform].join('<br>');
}

/** Where the device keeps the setting, named by mechanism: Windows CSP node, mdatp managed key, socketfilterfw flag. */
function source(s: SettingDefinition): string {
  if (s.source.startsWith('./')) return `CSP ${code(s.source)}`;
  if (s.source.startsWith(SOCKETFILTERFW)) return `socketfilterfw ${code(s.source.slice(SOCKETFILTERFW.length))}`;
  if (s.id.startsWith('mdatp.')) return `mdatp key ${code(s.source)}`;
  return code(s.source);
}

/** The Intune profile(s) and settingDefinitionId(s) a setting comes from (intune-sources.ts), or why there is none. */
function intune(s: SettingDefinition): [string, string] {
  const src = intuneSourceOf(s);
  if (!src) return ['—', '—'];
  if (src.kind === 'none') return ['none', `no Intune counterpart: ${src.why}`];
  return [src.profiles.join('<br>'), src.settingDefinitionIds.map(code).join('<br>')];
}

function platformSetKey(platforms: readonly Platform[]): string {
  return PLATFORMS.filter((p) => platforms.includes(p)).join(',');
}

function table(settings: readonly SettingDefinition[]): string[] {
  const rows = settings.map((s) =>
    [`${code(s.id)}<br>${s.title}`, s.type, allowedValues(s), defaults(s), source(s), s.tamperProtected ? 'yes' : '', ...intune(s)].map(cell).join(' | '),
  );
  return [
    '| Setting | Type | Allowed values | Default | Device-side source | Tamper-protected | Intune profile | Intune setting id |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r} |`),
  ];
}

/** The settings of one kind, split by the exact set of platforms they apply to, groups in catalog order. */
function kindSection(kind: PolicyKind): string[] {
  const settings = SETTINGS.filter((s) => s.kind === kind);
  const groups = new Map<string, SettingDefinition[]>();
  for (const s of settings) {
    const key = platformSetKey(s.platforms);
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  const out = [`## ${KIND_NAMES[kind]}`, '', `${settings.length} settings, for policies of kind ${code(kind)}.`, ''];
  for (const [key, members] of groups) {
    const names = key.split(',').map((p) => PLATFORM_NAMES[p as Platform]);
    out.push(`### ${KIND_NAMES[kind]} on ${names.join(' and ')}`, '', ...table(members), '');
  }
  return out;
}

/**
 * Windows Defender settings the agent cannot write at policy level (issue 16, D1), from the Windows mapping table:
 * local preferences (no MDM bridge property and no policy registry value) and settings with no local write path.
 */
function windowsPolicyGaps(): string[] {
  const mappings = allDefenderMappings();
  const preference = mappings.flatMap(([id, m]) =>
    m.via === 'preference' ? [`| ${code(id)} | ${code(`Set-MpPreference -${m.param}`)} | ${cell(m.reason)} |`] : [],
  );
  const none = mappings.flatMap(([id, m]) => (m.via === 'unsupported' ? [`| ${code(id)} | ${cell(m.reason)} |`] : []));
  return [
    '## Windows: settings not written at policy level',
    '',
    'The Windows agent writes Defender settings to the MDM store (WMI bridge), else to the documented policy registry value',
    '(`agent/src/providers/windows/defender-settings.md`). These have neither: **local preference: no policy path**. Defender',
    'ranks a local preference below every Group Policy, MDM or Configuration Manager value, and ignores local lists while',
    '`defenderConfig.DisableLocalAdminMerge` is 1.',
    '',
    '| setting | written with | reason |',
    '|---|---|---|',
    ...preference,
    '',
    'No local write path at all (reported `notApplicable` with this reason):',
    '',
    '| setting | reason |',
    '|---|---|',
    ...none,
    '',
  ];
}

/** The whole docs/settings.md. */
export function generateSettingsDoc(): string {
  const lines = [
    '# Settings reference',
    '',
    '> Generated by `npm run gen` from the settings catalog (`policy-schemas/src/catalog/`). Do not edit this file by hand:',
    '> change the catalog and run `npm run gen`. The machine-readable form is `policy-schemas/json/settings-catalog.json`.',
    '',
    `Every setting an Attaché policy can carry: ${SETTINGS.length} in all. Ids are stable and never reused.`,
    '',
    '- **Allowed values**: the only values a policy may set; anything else is rejected with `POLICY_INVALID`.',
    '- **Default**: the value the device has when no policy sets it; a platform listed below the default differs from it.',
    '- **Device-side source**: where the agent reads and writes the setting — a Windows CSP node, an mdatp managed',
    '  configuration key (`mdatp_managed.json` on Linux, `com.microsoft.wdav` on macOS) or a `socketfilterfw` flag.',
    '- **Tamper-protected**: Defender ignores policy changes to the setting while tamper protection is on.',
    '- **Intune profile / Intune setting id**: the Intune profile and Microsoft Graph `settingDefinitionId` the setting comes',
    '  from (`policy-schemas/src/catalog/intune-sources.ts`, the table `attache-admin policy import` maps with), or why',
    '  Intune has no counterpart. `{firewallrulename}` is literal: Intune names each rule inside one group collection.',
    '',
    ...POLICY_KINDS.flatMap(kindSection),
    ...windowsPolicyGaps(),
  ];
  return `${lines.join('\n').trimEnd()}\n`;
}
