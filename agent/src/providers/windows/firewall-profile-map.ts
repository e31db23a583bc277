// Windows Firewall CSP settings (catalog ids firewall.global.* and firewall.<profile>.*, mde-domain.md §2.3) mapped to
// NetSecurity parameters (§5.2): per profile Set-NetFirewallProfile, global Set-NetFirewallSetting. This table is the
// only source of parameter names; values cross as enum NAMES (PowerShell binds them), never as script text.
import type { SettingValue } from '../../../../policy-schemas/src/index.js';
import type { PROFILE_PARAMETERS, SETTING_PARAMETERS } from './firewall-scripts.js';

export type FirewallProfileName = 'Domain' | 'Private' | 'Public';
export type FirewallTarget = FirewallProfileName | 'Global';

/** How one CSP setting maps to one cmdlet parameter. */
export interface ParameterMapping {
  readonly target: FirewallTarget;
  readonly parameter: (typeof PROFILE_PARAMETERS)[number] | (typeof SETTING_PARAMETERS)[number];
  /** CSP value → the parameter value PowerShell binds; undefined when the value is not valid for the setting. */
  toParameter(value: SettingValue): string | undefined;
  /**
   * Observed parameter value (enum name, digits or JSON number) → CSP value. NotConfigured reads as the value Windows
   * then applies (its documented default), so "stop managing" reads back as the unmanaged value; unknown → undefined.
   */
  fromParameter(raw: unknown): SettingValue | undefined;
  /** What "stop managing" writes: NotConfigured where the parameter has it, else the documented Windows default. */
  readonly removeValue: string;
}

const NOT_CONFIGURED = 'NotConfigured';
/** NotConfigured (or empty) in the store: Windows applies its default. A missing value (null) is unknown instead. */
const isNotConfigured = (t: string | undefined) => t !== undefined && (t === '' || t.toLowerCase() === 'notconfigured');

function text(raw: unknown): string | undefined {
  if (raw === null || raw === undefined) return undefined;
  if (typeof raw === 'string') return raw.trim();
  if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
  return undefined;
}

/**
 * GpoBoolean (False=0, True=1, NotConfigured=2 when PowerShell 5.1 serialises it as a number). `inverted` for CSP
 * settings phrased the other way round (DisableX ↔ AllowX).
 */
function gpoBoolean(target: FirewallTarget, parameter: ParameterMapping['parameter'], def: boolean, inverted = false): ParameterMapping {
  return {
    target,
    parameter,
    toParameter: (v) => (typeof v === 'boolean' ? (v !== inverted ? 'True' : 'False') : undefined),
    fromParameter: (raw) => {
      const t = text(raw)?.toLowerCase();
      if (isNotConfigured(t) || t === '2') return def;
      const b = t === 'true' || t === '1' ? true : t === 'false' || t === '0' ? false : undefined;
      return b === undefined ? undefined : b !== inverted;
    },
    removeValue: NOT_CONFIGURED,
  };
}

/** Action (NotConfigured=0, Allow=2, Block=4 as numbers) ↔ CSP 0 allow, 1 block. */
function action(target: FirewallTarget, parameter: ParameterMapping['parameter'], def: 0 | 1): ParameterMapping {
  return {
    target,
    parameter,
    toParameter: (v) => (v === 0 ? 'Allow' : v === 1 ? 'Block' : undefined),
    fromParameter: (raw) => {
      const t = text(raw)?.toLowerCase();
      if (isNotConfigured(t) || t === '0') return def;
      return t === 'allow' || t === '2' ? 0 : t === 'block' || t === '4' ? 1 : undefined;
    },
    removeValue: NOT_CONFIGURED,
  };
}

/** A plain enum: CSP integer ↔ enum name (read back by name only: we do not rely on the numbering). */
function enumeration(target: FirewallTarget, parameter: ParameterMapping['parameter'], names: readonly string[], def: number): ParameterMapping {
  return {
    target,
    parameter,
    toParameter: (v) => (typeof v === 'number' && Number.isInteger(v) ? names[v] : undefined),
    fromParameter: (raw) => {
      if (isNotConfigured(text(raw))) return def;
      const i = names.findIndex((n) => n.toLowerCase() === text(raw)?.toLowerCase());
      return i < 0 ? undefined : i;
    },
    removeValue: NOT_CONFIGURED,
  };
}

/** A [Flags] enum: CSP bitmask ↔ comma list of names, `noneName` for 0 (PowerShell prints "A, B"). */
function flags(
  target: FirewallTarget,
  parameter: ParameterMapping['parameter'],
  bits: readonly (readonly [number, string])[],
  max: number,
  def: number,
): ParameterMapping {
  return {
    target,
    parameter,
    toParameter: (v) => {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) return undefined;
      const names = bits.filter(([bit]) => (v & bit) !== 0).map(([, name]) => name);
      return names.length === 0 ? 'None' : names.join(',');
    },
    fromParameter: (raw) => {
      const t = text(raw);
      if (t === undefined) return undefined;
      if (isNotConfigured(t)) return def;
      let mask = 0;
      for (const part of t.split(',').map((s) => s.trim())) {
        if (part === 'None') continue;
        const bit = bits.find(([, name]) => name.toLowerCase() === part.toLowerCase());
        if (!bit) return undefined;
        mask |= bit[0];
      }
      return mask;
    },
    removeValue: NOT_CONFIGURED,
  };
}

/** An unsigned integer in [min, max]; "stop managing" writes the documented default (NotConfigured is GPO-only here). */
function integer(target: FirewallTarget, parameter: ParameterMapping['parameter'], min: number, max: number, removeValue: number): ParameterMapping {
  return {
    target,
    parameter,
    toParameter: (v) => (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? String(v) : undefined),
    fromParameter: (raw) => {
      const t = text(raw);
      if (isNotConfigured(t)) return removeValue;
      return t !== undefined && /^\d{1,10}$/.test(t) ? Number(t) : undefined;
    },
    removeValue: String(removeValue),
  };
}

function path(target: FirewallTarget, parameter: ParameterMapping['parameter'], removeValue: string): ParameterMapping {
  return {
    target,
    parameter,
    toParameter: (v) => (typeof v === 'string' && v.length > 0 && !v.includes('\0') ? v : undefined),
    fromParameter: (raw) => (typeof raw !== 'string' ? undefined : isNotConfigured(raw) ? removeValue : raw),
    removeValue,
  };
}

/** Windows' own log file default (Set-NetFirewallProfile docs). */
export const DEFAULT_LOG_FILE = '%systemroot%\\system32\\LogFiles\\Firewall\\pfirewall.log';
/** Windows' log size default in KB (the CSP documents 1024, the firewall itself starts at 4096). */
export const DEFAULT_LOG_SIZE_KB = 4096;

// Defaults (what NotConfigured means) are the catalog's CSP defaults, which are Windows' own (mde-domain.md §2.3).
function profileMappings(profile: FirewallProfileName): Record<string, ParameterMapping> {
  return {
    EnableFirewall: gpoBoolean(profile, 'Enabled', true),
    DefaultInboundAction: action(profile, 'DefaultInboundAction', 1),
    DefaultOutboundAction: action(profile, 'DefaultOutboundAction', 0),
    // Shielded ("block all inbound, ignore rules") is the one value NetSecurity calls AllowInboundRules, inverted.
    Shielded: gpoBoolean(profile, 'AllowInboundRules', false, true),
    DisableUnicastResponsesToMulticastBroadcast: gpoBoolean(profile, 'AllowUnicastResponseToMulticast', false, true),
    DisableInboundNotifications: gpoBoolean(profile, 'NotifyOnListen', false, true),
    AuthAppsAllowUserPrefMerge: gpoBoolean(profile, 'AllowUserApps', true),
    GlobalPortsAllowUserPrefMerge: gpoBoolean(profile, 'AllowUserPorts', true),
    AllowLocalPolicyMerge: gpoBoolean(profile, 'AllowLocalFirewallRules', true),
    AllowLocalIpsecPolicyMerge: gpoBoolean(profile, 'AllowLocalIPsecRules', true),
    // "No stealth-mode exemption for IPsec-secured packets" = stealth mode also applies to IPsec traffic.
    DisableStealthModeIpsecSecuredPacketExemption: gpoBoolean(profile, 'EnableStealthModeForIPsec', true),
    EnableLogDroppedPackets: gpoBoolean(profile, 'LogBlocked', false),
    EnableLogSuccessConnections: gpoBoolean(profile, 'LogAllowed', false),
    EnableLogIgnoredRules: gpoBoolean(profile, 'LogIgnored', false),
    LogFilePath: path(profile, 'LogFileName', DEFAULT_LOG_FILE),
    LogMaxFileSize: integer(profile, 'LogMaxSizeKilobytes', 1, 32767, DEFAULT_LOG_SIZE_KB),
  };
}

const GLOBAL_MAPPINGS: Record<string, ParameterMapping> = {
  DisableStatefulFtp: gpoBoolean('Global', 'EnableStatefulFtp', false, true),
  SaIdleTime: integer('Global', 'MaxSAIdleTimeSeconds', 300, 3600, 300),
  // FW_GLOBAL_CONFIG_PRESHARED_KEY_ENCODING: 0 none (keys stay UTF-16), 1 UTF-8 (Windows default).
  PresharedKeyEncoding: enumeration('Global', 'KeyEncoding', ['UTF16', 'UTF8'], 1),
  CRLcheck: enumeration('Global', 'CertValidationLevel', ['None', 'AttemptCrlCheck', 'RequireCrlCheck'], 0),
  IPsecExempt: flags(
    'Global',
    'Exemptions',
    [
      [1, 'NeighborDiscovery'],
      [2, 'Icmp'],
      [4, 'RouterDiscovery'],
      [8, 'Dhcp'],
    ],
    15,
    0,
  ),
  EnablePacketQueue: flags(
    'Global',
    'EnablePacketQueuing',
    [
      [1, 'Inbound'],
      [2, 'Forward'],
    ],
    3,
    0,
  ),
};

/** CSP settings that no NetSecurity cmdlet parameter reaches, with the reason reported as notApplicable. */
const UNSUPPORTED: Record<string, string> = {
  DisableStealthMode:
    'Set-NetFirewallProfile has no parameter for stealth mode (only -EnableStealthModeForIPsec); it is reachable only through the Firewall CSP (MDM) or Group Policy',
  OpportunisticallyMatchAuthSetPerKM:
    'Set-NetFirewallSetting has no parameter for OpportunisticallyMatchAuthSetPerKM; it is reachable only through the Firewall CSP (MDM) or Group Policy',
};

const PROFILE_SCOPES: Record<string, FirewallProfileName> = { domainProfile: 'Domain', privateProfile: 'Private', publicProfile: 'Public' };

const MAPPINGS = new Map<string, ParameterMapping>([
  ...Object.entries(GLOBAL_MAPPINGS).map(([name, m]) => [`firewall.global.${name}`, m] as const),
  ...Object.entries(PROFILE_SCOPES).flatMap(([scope, profile]) =>
    Object.entries(profileMappings(profile)).map(([name, m]) => [`firewall.${scope}.${name}`, m] as const),
  ),
]);

/** The mapping of a catalog setting id, or the reason this host cannot enforce it. */
export function firewallMapping(settingId: string): { mapping: ParameterMapping } | { reason: string } {
  const mapping = MAPPINGS.get(settingId);
  if (mapping) return { mapping };
  const match = /^firewall\.(global|domainProfile|privateProfile|publicProfile)\.([A-Za-z]+)$/.exec(settingId);
  const unsupported = match?.[2] ? UNSUPPORTED[match[2]] : undefined;
  if (unsupported) return { reason: unsupported };
  if (settingId.startsWith('macosFirewall.')) return { reason: `${settingId} is a macOS application firewall setting` };
  return { reason: `${settingId} is not a Windows Firewall CSP setting this agent maps to NetSecurity` };
}
