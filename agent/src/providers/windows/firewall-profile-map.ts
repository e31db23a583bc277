// Windows Firewall CSP settings (catalog ids firewall.global.* and firewall.<profile>.*, mde-domain.md §2.3): each is a
// property of an MDM bridge instance (written as the CSP value itself) and, where NetSecurity shows it, a
// Get-NetFirewallProfile/-Setting property read from ActiveStore (effective) and RSOP (Group Policy). Pure tables.
import type { SettingValue } from '../../../../policy-schemas/src/index.js';
import type { FirewallInstance, NET_PROFILE_PROPERTIES, NET_SETTING_PROPERTIES } from './firewall-scripts.js';

export type FirewallProfileName = 'Domain' | 'Private' | 'Public';
type NetProperty = (typeof NET_PROFILE_PROPERTIES)[number] | (typeof NET_SETTING_PROPERTIES)[number];

/** How NetSecurity prints one CSP setting, for the ActiveStore / RSOP read-back. */
export interface NetReading {
  readonly parameter: NetProperty;
  /**
   * Printed value (enum name, digits or JSON number) → CSP value; NotConfigured reads as the value Windows then applies
   * (its documented default); unknown → undefined.
   */
  fromParameter(raw: unknown): SettingValue | undefined;
}

/** One CSP setting: where it is written (bridge instance + property = CSP node name) and how it is read back. */
export interface FirewallMapping {
  readonly instance: FirewallInstance;
  readonly property: string;
  /** Is this a CSP value of the setting (type and range)? The value itself is what the bridge receives. */
  accepts(value: SettingValue): boolean;
  /** The NetSecurity reading, or undefined where NetSecurity has no property for it (stealth mode, auth-set matching). */
  readonly net?: NetReading;
  /** The CSP default: the effective value when no store configures the setting. */
  readonly default: SettingValue;
  /** A Group Policy registry value (HKLM\SOFTWARE\Policies\Microsoft\WindowsFirewall\<Profile>) for settings NetSecurity hides. */
  readonly gpoValue?: string;
  /** Read back from the effective advanced audit policy (auditpol) instead of NetSecurity. */
  readonly audit?: true;
  /** CSP value → bridge property value (null clears it), where they differ (a list joined with U+F000). */
  toBridge?(value: SettingValue): string | null;
  /** Bridge property value → CSP value, where they differ. */
  fromBridge?(raw: unknown): SettingValue | undefined;
}

const NOT_CONFIGURED = 'notconfigured';
/** NotConfigured (or empty) in a store: Windows applies its default. A missing value (null) is unknown instead. */
const isNotConfigured = (t: string | undefined) => t !== undefined && (t === '' || t === NOT_CONFIGURED);

function text(raw: unknown): string | undefined {
  if (raw === null || raw === undefined) return undefined;
  if (typeof raw === 'string') return raw.trim();
  if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
  return undefined;
}

/** Is a raw RSOP / registry value configured (i.e. does Group Policy set it)? */
export function isConfigured(raw: unknown): boolean {
  const t = text(raw)?.toLowerCase();
  return t !== undefined && !isNotConfigured(t);
}

const isBool = (v: SettingValue) => typeof v === 'boolean';
const intIn = (min: number, max: number) => (v: SettingValue) => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

/** GpoBoolean (False=0, True=1, NotConfigured=2 when printed as a number); `inverted` for DisableX ↔ AllowX. */
function gpoBoolean(parameter: NetProperty, def: boolean, inverted = false): NetReading {
  return {
    parameter,
    fromParameter: (raw) => {
      const t = text(raw)?.toLowerCase();
      if (isNotConfigured(t) || t === '2') return def;
      const b = t === 'true' || t === '1' ? true : t === 'false' || t === '0' ? false : undefined;
      return b === undefined ? undefined : b !== inverted;
    },
  };
}

/** Action (NotConfigured=0, Allow=2, Block=4 as numbers) → CSP 0 allow, 1 block. */
function action(parameter: NetProperty, def: 0 | 1): NetReading {
  return {
    parameter,
    fromParameter: (raw) => {
      const t = text(raw)?.toLowerCase();
      if (isNotConfigured(t) || t === '0') return def;
      return t === 'allow' || t === '2' ? 0 : t === 'block' || t === '4' ? 1 : undefined;
    },
  };
}

/** A plain enum: enum name → CSP integer (read back by name only: we do not rely on the numbering). */
function enumeration(parameter: NetProperty, names: readonly string[], def: number): NetReading {
  return {
    parameter,
    fromParameter: (raw) => {
      const t = text(raw)?.toLowerCase();
      if (isNotConfigured(t)) return def;
      const i = names.findIndex((n) => n.toLowerCase() === t);
      return i < 0 ? undefined : i;
    },
  };
}

/** A [Flags] enum: comma list of names (PowerShell prints "A, B"), `None` for 0 → CSP bitmask. */
function flags(parameter: NetProperty, bits: readonly (readonly [number, string])[], def: number): NetReading {
  return {
    parameter,
    fromParameter: (raw) => {
      const t = text(raw);
      if (t === undefined) return undefined;
      if (isNotConfigured(t.toLowerCase())) return def;
      let mask = 0;
      for (const part of t.split(',').map((s) => s.trim())) {
        if (part === 'None') continue;
        const bit = bits.find(([, name]) => name.toLowerCase() === part.toLowerCase());
        if (!bit) return undefined;
        mask |= bit[0];
      }
      return mask;
    },
  };
}

/** An unsigned integer; NotConfigured reads as `def`. */
function integer(parameter: NetProperty, def: number): NetReading {
  return {
    parameter,
    fromParameter: (raw) => {
      const t = text(raw);
      if (isNotConfigured(t?.toLowerCase())) return def;
      return t !== undefined && /^\d{1,10}$/.test(t) ? Number(t) : undefined;
    },
  };
}

function path(parameter: NetProperty, def: string): NetReading {
  return { parameter, fromParameter: (raw) => (typeof raw !== 'string' ? undefined : isNotConfigured(raw.toLowerCase()) ? def : raw) };
}

/** Windows' own log file default (Set-NetFirewallProfile docs). */
export const DEFAULT_LOG_FILE = '%systemroot%\\system32\\LogFiles\\Firewall\\pfirewall.log';
/** Windows' own log size in KB when no store sets one (the firewall starts at 4096; the CSP's documented default is 1024). */
export const DEFAULT_LOG_SIZE_KB = 4096;

type Entry = Omit<FirewallMapping, 'instance' | 'property'>;
const bool = (def: boolean, net?: NetReading, gpoValue?: string): Entry => ({
  accepts: isBool,
  default: def,
  ...(net ? { net } : {}),
  ...(gpoValue ? { gpoValue } : {}),
});

// Defaults are the catalog's CSP defaults, which are Windows' own (mde-domain.md §2.3); log size reads Windows' 4096.
function profileEntries(): Record<string, Entry> {
  return {
    EnableFirewall: bool(true, gpoBoolean('Enabled', true)),
    DefaultInboundAction: { accepts: intIn(0, 1), default: 1, net: action('DefaultInboundAction', 1) },
    DefaultOutboundAction: { accepts: intIn(0, 1), default: 0, net: action('DefaultOutboundAction', 0) },
    // NetSecurity has no stealth-mode property: read the MDM value and the Group Policy registry value (MS-GPFAS).
    DisableStealthMode: bool(false, undefined, 'DisableStealthMode'),
    // Shielded ("block all inbound, ignore rules") is the one value NetSecurity calls AllowInboundRules, inverted.
    Shielded: bool(false, gpoBoolean('AllowInboundRules', false, true)),
    DisableUnicastResponsesToMulticastBroadcast: bool(false, gpoBoolean('AllowUnicastResponseToMulticast', false, true)),
    DisableInboundNotifications: bool(false, gpoBoolean('NotifyOnListen', false, true)),
    AuthAppsAllowUserPrefMerge: bool(true, gpoBoolean('AllowUserApps', true)),
    GlobalPortsAllowUserPrefMerge: bool(true, gpoBoolean('AllowUserPorts', true)),
    AllowLocalPolicyMerge: bool(true, gpoBoolean('AllowLocalFirewallRules', true)),
    AllowLocalIpsecPolicyMerge: bool(true, gpoBoolean('AllowLocalIPsecRules', true)),
    // "No stealth-mode exemption for IPsec-secured packets" = stealth mode also applies to IPsec traffic.
    DisableStealthModeIpsecSecuredPacketExemption: bool(true, gpoBoolean('EnableStealthModeForIPsec', true)),
    EnableLogDroppedPackets: bool(false, gpoBoolean('LogBlocked', false)),
    EnableLogSuccessConnections: bool(false, gpoBoolean('LogAllowed', false)),
    EnableLogIgnoredRules: bool(false, gpoBoolean('LogIgnored', false)),
    LogFilePath: {
      accepts: (v) => typeof v === 'string' && v.length > 0 && !v.includes('\0'),
      default: DEFAULT_LOG_FILE,
      net: path('LogFileName', DEFAULT_LOG_FILE),
    },
    // Firewall CSP range 0–4294967295 (a UInt32 bridge property; a build whose property is SInt32 refuses > 2147483647).
    LogMaxFileSize: { accepts: intIn(0, 4294967295), default: DEFAULT_LOG_SIZE_KB, net: integer('LogMaxSizeKilobytes', DEFAULT_LOG_SIZE_KB) },
  };
}

const GLOBAL_ENTRIES: Record<string, Entry> = {
  DisableStatefulFtp: bool(false, gpoBoolean('EnableStatefulFtp', false, true)),
  SaIdleTime: { accepts: intIn(300, 3600), default: 300, net: integer('MaxSAIdleTimeSeconds', 300) },
  // FW_GLOBAL_CONFIG_PRESHARED_KEY_ENCODING: 0 none (keys stay UTF-16), 1 UTF-8 (Windows default).
  PresharedKeyEncoding: { accepts: intIn(0, 1), default: 1, net: enumeration('KeyEncoding', ['UTF16', 'UTF8'], 1) },
  CRLcheck: { accepts: intIn(0, 2), default: 0, net: enumeration('CertValidationLevel', ['None', 'AttemptCrlCheck', 'RequireCrlCheck'], 0) },
  IPsecExempt: {
    accepts: intIn(0, 15),
    default: 0,
    net: flags(
      'Exemptions',
      [
        [1, 'NeighborDiscovery'],
        [2, 'Icmp'],
        [4, 'RouterDiscovery'],
        [8, 'Dhcp'],
      ],
      0,
    ),
  },
  // NetSecurity has no property for it: read back from the MDM store only.
  OpportunisticallyMatchAuthSetPerKM: bool(false),
  EnablePacketQueue: {
    accepts: intIn(0, 3),
    default: 0,
    net: flags(
      'EnablePacketQueuing',
      [
        [1, 'Inbound'],
        [2, 'Forward'],
      ],
      0,
    ),
  },
};

// Policy CSP Audit nodes Intune's Windows Firewall profile carries ("Auditing"): 0 off, 1 success, 2 failure, 3 both.
const AUDIT_ENTRIES: Record<string, Entry> = {
  ObjectAccess_AuditFilteringPlatformConnection: { accepts: intIn(0, 3), default: 0, audit: true },
  ObjectAccess_AuditFilteringPlatformPacketDrop: { accepts: intIn(0, 3), default: 0, audit: true },
};

/** NetworkListManager's endpoint list separator (Policy CSP NetworkListManager). */
const NLM_SEPARATOR = '\uF000';
const isText = (v: SettingValue) => typeof v === 'string' && !v.includes('\0') && !v.includes(NLM_SEPARATOR);
// Policy CSP NetworkListManager nodes of the same profile: no effective reader, so the MDM value reads back; an empty
// value is "not configured" and clears the node.
const NLM_ENTRIES: Record<string, Entry> = {
  AllowedTlsAuthenticationEndpoints: {
    accepts: (v) => Array.isArray(v) && v.every((e) => typeof e === 'string' && isText(e) && e !== ''),
    default: [],
    toBridge: (v) => ((v as string[]).length === 0 ? null : (v as string[]).join(NLM_SEPARATOR)),
    fromBridge: (raw) => (raw === null || raw === '' ? [] : typeof raw === 'string' ? raw.split(NLM_SEPARATOR) : undefined),
  },
  ConfiguredTLSAuthenticationNetworkName: {
    accepts: isText,
    default: '',
    toBridge: (v) => (v === '' ? null : (v as string)),
    fromBridge: (raw) => (raw === null ? '' : typeof raw === 'string' ? raw : undefined),
  },
};

const PROFILE_SCOPES: Record<string, FirewallInstance> = { domainProfile: 'DomainProfile', privateProfile: 'PrivateProfile', publicProfile: 'PublicProfile' };

const MAPPINGS = new Map<string, FirewallMapping>([
  ...Object.entries(GLOBAL_ENTRIES).map(([property, e]) => [`firewall.global.${property}`, { ...e, instance: 'Global' as const, property }] as const),
  ...Object.entries(AUDIT_ENTRIES).map(([property, e]) => [`firewall.audit.${property}`, { ...e, instance: 'Audit' as const, property }] as const),
  ...Object.entries(NLM_ENTRIES).map(
    ([property, e]) => [`firewall.networkListManager.${property}`, { ...e, instance: 'NetworkListManager' as const, property }] as const,
  ),
  ...Object.entries(PROFILE_SCOPES).flatMap(([scope, instance]) =>
    Object.entries(profileEntries()).map(([property, e]) => [`firewall.${scope}.${property}`, { ...e, instance, property }] as const),
  ),
]);

/** The NetSecurity profile name of a bridge profile instance (DomainProfile → Domain). */
export function netProfileName(instance: FirewallInstance): FirewallProfileName | undefined {
  return instance.endsWith('Profile') ? (instance.replace('Profile', '') as FirewallProfileName) : undefined;
}

/** The mapping of a catalog setting id, or the reason this host cannot enforce it. */
export function firewallMapping(settingId: string): { mapping: FirewallMapping } | { reason: string } {
  const mapping = MAPPINGS.get(settingId);
  if (mapping) return { mapping };
  if (settingId.startsWith('macosFirewall.')) return { reason: `${settingId} is a macOS application firewall setting` };
  return { reason: `${settingId} is not a Windows Firewall CSP setting this agent maps to the MDM bridge` };
}
