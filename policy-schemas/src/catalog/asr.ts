// Attack surface reduction rules (mde-domain.md §2.5): one setting per rule GUID, the ASR-only exclusions and the
// per-rule exclusions. `notConfigured` (CSP 5) means "not managed": it never conflicts and loses to any other mode.
import { choices, defender, POLICY_CSP_DEFENDER } from './builders.js';
import type { SettingDefinition } from './setting-definition.js';
import { ANGLE_LIST_ITEM_PATTERN, PIPE_LIST_ITEM_PATTERN } from './text.js';

/** OS editions an ASR rule runs on, when not all: Defender reports the rule as not applicable elsewhere. */
export type AsrRuleEdition = 'workstation' | 'server';

/** One ASR rule as the ASR rules reference describes it. */
export interface AsrRule {
  readonly guid: string;
  /** The reference's heading for the rule (also its Intune name). */
  readonly name: string;
  /** False where Intune does not support warn mode for the rule. */
  readonly warn: boolean;
  /** False where "file and folder exclusions don't apply" to the rule: no per-rule exclusion setting. */
  readonly exclusions: boolean;
  /** The only OS edition the rule exists on (absent: clients and servers). */
  readonly edition?: AsrRuleEdition;
}

// Titles, editions and exclusion support: the ASR rules reference ("Operating system support for ASR rules", columns
// Windows 11 | Windows 10 | Windows Server 2019 or later | Windows Server 2016 | Windows Server 2012 R2: Webshell creation
// is n/a, n/a, "Exchange servers only" ×2, N; Win32 API calls from Office macros is Y, "1709 or later", n/a, n/a, n/a —
// rechecked in MicrosoftDocs/defender-docs at f1c23ea (review 16b F10); a 2021 revision listing it on Windows Server
// 2019 is superseded); the WMI rule: "File and folder exclusions don't apply to this attack surface reduction rule").
// Source: https://learn.microsoft.com/defender-endpoint/attack-surface-reduction-rules-reference
// Warn mode: the reference's footnote "This ASR rule doesn't support Warn mode" (9e6c4e1f, 75668c1f) and "Cases where
// warn mode isn't supported" in Intune (d3e037e1, e6db77e5, c1db55ab).
// Source: https://learn.microsoft.com/defender-endpoint/attack-surface-reduction#cases-where-warn-mode-isnt-supported
const r = (guid: string, name: string, more: Partial<Omit<AsrRule, 'guid' | 'name'>> = {}): AsrRule => ({ guid, name, warn: true, exclusions: true, ...more });

/** The 19 ASR rules. */
export const ASR_RULES: readonly AsrRule[] = [
  r('56a863a9-875e-4185-98a7-b882c64b5ce5', 'Block abuse of exploited vulnerable signed drivers (Device)'),
  r('9e6c4e1f-7d60-472f-ba1a-a39ef669e4b2', 'Block credential stealing from the Windows local security authority subsystem', { warn: false }),
  r('e6db77e5-3df2-4cf1-b95a-636979351e5b', 'Block persistence through WMI event subscription', { warn: false, exclusions: false }),
  r('7674ba52-37eb-4a4f-a9a1-f0f9a1619a2c', 'Block Adobe Reader from creating child processes'),
  r('d4f940ab-401b-4efc-aadc-ad5f3c50688a', 'Block all Office applications from creating child processes'),
  r('be9ba2d9-53ea-4cdc-84e5-9b1eeee46550', 'Block executable content from email client and webmail'),
  r('01443614-cd74-433a-b99e-2ecdc07bfc25', 'Block executable files from running unless they meet a prevalence, age, or trusted list criterion'),
  r('5beb7efe-fd9a-4556-801d-275e5ffc04cc', 'Block execution of potentially obfuscated scripts'),
  r('d3e037e1-3eb8-44c8-a917-57927947596d', 'Block JavaScript or VBScript from launching downloaded executable content', { warn: false }),
  r('3b576869-a4ec-4529-8536-b80a7769e899', 'Block Office applications from creating executable content'),
  r('75668c1f-73b5-4cf0-bb93-3ecf5cb7cc84', 'Block Office applications from injecting code into other processes', { warn: false }),
  r('26190899-1602-49e8-8b27-eb1d0a1ce869', 'Block Office communication application from creating child processes'),
  r('d1e49aac-8f56-4280-b9ba-993a6d77406c', 'Block process creations originating from PSExec and WMI commands'),
  r('33ddedf1-c6e0-47cb-833e-de6133960387', 'Block rebooting machine in Safe Mode'),
  r('b2b3f03d-6a65-4f7b-a9c7-1c7ef74a9ba4', 'Block untrusted and unsigned processes that run from USB'),
  r('c0033c00-d16d-4114-a5a0-dc9b3a7d2ceb', 'Block use of copied or impersonated system tools'),
  r('a8f5898e-1dc8-49a9-9878-85004b8a61e6', 'Block Webshell creation for Servers', { edition: 'server' }),
  r('92e97fa1-2edf-4476-bdd6-9dd0b4dddc7b', 'Block Win32 API calls from Office macros', { edition: 'workstation' }),
  r('c1db55ab-c21a-4637-bb3f-a12568109d35', 'Use advanced protection against ransomware', { warn: false }),
];

/** The edition an ASR rule is limited to, by its setting id (`asr.<guid>` or `asrExclusions.<guid>`); undefined: any. */
export function asrRuleEdition(settingId: string): AsrRuleEdition | undefined {
  const guid = settingId.slice(settingId.indexOf('.') + 1);
  return ASR_RULES.find((rule) => rule.guid === guid)?.edition;
}

/** Modes as strings, with the CSP number each one is written as on the device. */
const MODES: readonly (readonly [string, string])[] = [
  ['off', 'Off (0)'],
  ['block', 'Block (1)'],
  ['audit', 'Audit (2)'],
  ['warn', 'Warn (6)'],
  ['notConfigured', 'Not configured (5): not managed'],
];

const EDITION_TEXT: Record<AsrRuleEdition, string> = {
  server: ' Windows Server only (not applicable on Windows 10/11).',
  workstation: ' Windows 10/11 only (not applicable on Windows Server).',
};

function rule({ guid, name, warn, edition }: AsrRule): SettingDefinition {
  return {
    id: `asr.${guid}`,
    kind: 'asr',
    title: name,
    description: `ASR rule ${guid} (Policy CSP Defender/AttackSurfaceReductionRules GUID=mode pair).${warn ? '' : ' No warn mode for this rule.'}${edition ? EDITION_TEXT[edition] : ''}`,
    platforms: ['windows'],
    type: 'string',
    values: choices(MODES.filter(([mode]) => warn || mode !== 'warn')),
    unsetValue: 'notConfigured',
    default: 'notConfigured',
    source: `${POLICY_CSP_DEFENDER}AttackSurfaceReductionRules#${guid}`,
  };
}

function perRuleExclusions({ guid, name }: AsrRule): SettingDefinition {
  return {
    id: `asrExclusions.${guid}`,
    kind: 'asr',
    title: `Exclusions: ${name}`,
    description: `Files and folders excluded from ASR rule ${guid} only (Defender CSP Configuration/ASROnlyPerRuleExclusions). Merges as a union.`,
    platforms: ['windows'],
    type: 'stringList',
    pattern: ANGLE_LIST_ITEM_PATTERN,
    maxItems: 1000,
    default: [],
    source: `./Device/Vendor/MSFT/Defender/Configuration/ASROnlyPerRuleExclusions#${guid}`,
  };
}

export const ASR_SETTINGS: readonly SettingDefinition[] = [
  ...ASR_RULES.map(rule),
  defender('asr', 'AttackSurfaceReductionOnlyExclusions', {
    title: 'Exclusions from all ASR rules',
    description: "Policy CSP Defender/AttackSurfaceReductionOnlyExclusions ('|'-delimited on the device). Merges as a union.",
    type: 'stringList',
    pattern: PIPE_LIST_ITEM_PATTERN,
    maxItems: 1000,
    default: [],
  }),
  ...ASR_RULES.filter((rule) => rule.exclusions).map(perRuleExclusions),
];
