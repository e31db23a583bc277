// Intune compliance policies (Graph windows10CompliancePolicy, macOSCompliancePolicy) → one Attaché compliance policy:
// the Defender-related checks map onto our compliance settings; every other configured property is reported with the
// reason it cannot map. A property that is false, null, empty or Intune's "not configured" value is not a requirement
// and is not counted. Pure.
import { AttacheError, toAttacheError } from '../../../common/errors.js';
import { validate } from '../../../common/validation.js';
import { CompliancePolicyDocument, type ComplianceRiskLevel, type ComplianceSettings } from '../../../policy-schemas/src/index.js';
import type { UnmappedReason } from './mapping-table.js';

/** The compliance policy types the importer reads. */
export const COMPLIANCE_TYPES = ['#microsoft.graph.windows10CompliancePolicy', '#microsoft.graph.macOSCompliancePolicy'] as const;

/** One configured Intune property and what it became. */
export interface ComplianceProperty {
  readonly property: string;
  readonly value: unknown;
  readonly setting?: keyof ComplianceSettings | 'gracePeriodHours';
  readonly reason?: UnmappedReason;
  readonly detail?: string;
}

/** Graph deviceThreatProtectionLevel → our machine-risk ceiling (secured = no active alert = `clear`). */
const RISK: Readonly<Record<string, ComplianceRiskLevel>> = { secured: 'clear', low: 'low', medium: 'medium', high: 'high' };

/** Graph object fields that are not requirements (OData action links `#microsoft.graph.*` are skipped too). */
const METADATA = new Set([
  'id',
  'displayName',
  'description',
  'version',
  'createdDateTime',
  'lastModifiedDateTime',
  'roleScopeTagIds',
  'assignments',
  'scheduledActionsForRule',
  'deviceStatuses',
  'userStatuses',
  'deviceStatusOverview',
  'userStatusOverview',
  'deviceSettingStateSummaries',
]);
/** Values Graph uses for "not configured". */
const NOT_CONFIGURED = new Set(['notConfigured', 'deviceDefault', 'notSet', 'unavailable', 'none']);

const NO_HEALTH_SIGNAL = 'Attaché device health carries no such signal (antivirus and firewall state only), so no compliance check can require it';
const NOT_DEFENDER = 'not a Defender requirement: Attaché does not manage it';

/** Properties that cannot map, and why; anything else configured and not handled below is `unknown`. */
const CANNOT_MAP: Readonly<Record<string, { reason: UnmappedReason; detail: string }>> = {
  defenderEnabled: {
    reason: 'notInCatalog',
    detail: 'our compliance policies have no "antimalware service on" check (health reports antivirus.mode; requireRealTimeProtection is the nearest)',
  },
  defenderVersion: { reason: 'notInCatalog', detail: 'minAgentVersion is the Attaché agent version, not the Defender antimalware version' },
  antivirusRequired: { reason: 'notInCatalog', detail: `registration with Windows Security Center: ${NO_HEALTH_SIGNAL}` },
  antiSpywareRequired: { reason: 'notInCatalog', detail: `registration with Windows Security Center: ${NO_HEALTH_SIGNAL}` },
  osMinimumVersion: { reason: 'notInCatalog', detail: 'our compliance policies have no operating-system version check' },
  osMaximumVersion: { reason: 'notInCatalog', detail: 'our compliance policies have no operating-system version check' },
  osMinimumBuildVersion: { reason: 'notInCatalog', detail: 'our compliance policies have no operating-system version check' },
  osMaximumBuildVersion: { reason: 'notInCatalog', detail: 'our compliance policies have no operating-system version check' },
  mobileOsMinimumVersion: { reason: 'notInCatalog', detail: 'our compliance policies have no operating-system version check' },
  mobileOsMaximumVersion: { reason: 'notInCatalog', detail: 'our compliance policies have no operating-system version check' },
  validOperatingSystemBuildRanges: { reason: 'notInCatalog', detail: 'our compliance policies have no operating-system version check' },
  bitLockerEnabled: { reason: 'notInCatalog', detail: `BitLocker (Device Health Attestation): ${NO_HEALTH_SIGNAL}` },
  secureBootEnabled: { reason: 'notInCatalog', detail: `Secure Boot (Device Health Attestation): ${NO_HEALTH_SIGNAL}` },
  codeIntegrityEnabled: { reason: 'notInCatalog', detail: `code integrity (Device Health Attestation): ${NO_HEALTH_SIGNAL}` },
  earlyLaunchAntiMalwareDriverEnabled: { reason: 'notInCatalog', detail: `early-launch antimalware: ${NO_HEALTH_SIGNAL}` },
  memoryIntegrityEnabled: { reason: 'notInCatalog', detail: `memory integrity: ${NO_HEALTH_SIGNAL}` },
  kernelDmaProtectionEnabled: { reason: 'notInCatalog', detail: `kernel DMA protection: ${NO_HEALTH_SIGNAL}` },
  virtualizationBasedSecurityEnabled: { reason: 'notInCatalog', detail: `virtualization-based security: ${NO_HEALTH_SIGNAL}` },
  firmwareProtectionEnabled: { reason: 'notInCatalog', detail: `firmware protection: ${NO_HEALTH_SIGNAL}` },
  requireHealthyDeviceReport: { reason: 'notInCatalog', detail: `a healthy Device Health Attestation report: ${NO_HEALTH_SIGNAL}` },
  storageRequireEncryption: { reason: 'notInCatalog', detail: `storage encryption: ${NO_HEALTH_SIGNAL}` },
  tpmRequired: { reason: 'notInCatalog', detail: `a TPM: ${NO_HEALTH_SIGNAL}` },
  systemIntegrityProtectionEnabled: { reason: 'notInCatalog', detail: `macOS System Integrity Protection: ${NO_HEALTH_SIGNAL}` },
  gatekeeperAllowedAppSource: { reason: 'notInCatalog', detail: `macOS Gatekeeper: ${NO_HEALTH_SIGNAL}` },
  firewallBlockAllIncoming: { reason: 'notInCatalog', detail: 'requireFirewall checks that the firewall is on, not its block-all-incoming mode' },
  firewallEnableStealthMode: { reason: 'notInCatalog', detail: 'requireFirewall checks that the firewall is on, not its stealth mode' },
  deviceThreatProtectionEnabled: { reason: 'outOfScope', detail: 'macOS: a mobile threat defense partner level, not Defender for Endpoint' },
  configurationManagerComplianceRequired: { reason: 'outOfScope', detail: `Configuration Manager compliance: ${NOT_DEFENDER}` },
  deviceCompliancePolicyScript: { reason: 'outOfScope', detail: `custom compliance scripts: ${NOT_DEFENDER}` },
  wslDistributions: { reason: 'outOfScope', detail: `WSL distributions: ${NOT_DEFENDER}` },
};

/** Graph boolean properties that each require one of our checks when `true` (any other value is not a requirement). */
const BOOLEAN_CHECKS: Readonly<Record<string, 'requireRealTimeProtection' | 'requireFirewall' | 'requireSignaturesUpToDate'>> = {
  rtpEnabled: 'requireRealTimeProtection',
  activeFirewallRequired: 'requireFirewall',
  firewallEnabled: 'requireFirewall',
  signatureOutOfDate: 'requireSignaturesUpToDate',
};

/** A short description of a value of the wrong type (an arbitrary export value is never echoed whole). */
function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return Array.isArray(value) ? 'an array' : 'an object';
}

function configured(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  return !(typeof value === 'string' && NOT_CONFIGURED.has(value));
}

/** The hours before Intune's "Mark device noncompliant" action, when the policy has one (its grace period). */
function gracePeriodHours(data: Record<string, unknown>): number | undefined {
  const rules = Array.isArray(data.scheduledActionsForRule) ? data.scheduledActionsForRule : [];
  for (const rule of rules) {
    const actions = (rule as { scheduledActionConfigurations?: unknown }).scheduledActionConfigurations;
    for (const a of Array.isArray(actions) ? actions : []) {
      const action = a as { actionType?: unknown; gracePeriodHours?: unknown };
      if (action.actionType === 'block' && typeof action.gracePeriodHours === 'number') return action.gracePeriodHours;
    }
  }
  return undefined;
}

/** Maps one property (already known to be configured) onto `settings`; returns what it became. */
function mapProperty(property: string, value: unknown, data: Record<string, unknown>, mac: boolean, settings: ComplianceSettings): ComplianceProperty {
  const set = <K extends keyof ComplianceSettings>(setting: K, v: ComplianceSettings[K]): ComplianceProperty => {
    settings[setting] = v;
    return { property, value, setting };
  };
  // Windows: deviceThreatProtection* is the Defender for Endpoint machine risk score; macOS: advancedThreatProtection*.
  const riskProperty = mac ? 'advancedThreatProtectionRequiredSecurityLevel' : 'deviceThreatProtectionRequiredSecurityLevel';
  if (property === riskProperty) {
    if (!mac && data.deviceThreatProtectionEnabled !== true) {
      return { property, value, reason: 'unknown', detail: 'a machine risk level without deviceThreatProtectionEnabled is not enforced by Intune' };
    }
    const level = RISK[String(value)];
    return level
      ? set('maxRiskLevel', level)
      : { property, value, reason: 'unknown', detail: `machine risk level "${String(value)}" is not secured, low, medium or high` };
  }
  const isBooleanProperty = (property === 'deviceThreatProtectionEnabled' && !mac) || Object.hasOwn(BOOLEAN_CHECKS, property);
  if (isBooleanProperty && value !== true) {
    return { property, value: describeValue(value), reason: 'unknown', detail: `expected a boolean, got ${describeValue(value)}` };
  }
  if (property === 'deviceThreatProtectionEnabled' && !mac) {
    // Counted as mapped only when its level produces the risk ceiling; the level property reports what went wrong.
    const level = RISK[String(data.deviceThreatProtectionRequiredSecurityLevel)];
    return level
      ? { property, value, setting: 'maxRiskLevel' }
      : { property, value, reason: 'unknown', detail: 'machine risk enabled without a level (secured, low, medium or high): nothing to require' };
  }
  if (property === 'deviceThreatProtectionRequiredSecurityLevel' && mac) return { property, value, ...CANNOT_MAP.deviceThreatProtectionEnabled };
  const check = Object.hasOwn(BOOLEAN_CHECKS, property) ? BOOLEAN_CHECKS[property] : undefined;
  if (check) return set(check, true);
  if (property.startsWith('password')) return { property, value, reason: 'outOfScope', detail: `device password rules: ${NOT_DEFENDER}` };
  const known = CANNOT_MAP[property];
  if (known) return { property, value, ...known };
  return { property, value, reason: 'unknown', detail: 'not a compliance property this importer knows' };
}

/** The result: the compliance document (undefined when nothing maps) and every configured property with its fate. */
export interface ComplianceImport {
  readonly document: CompliancePolicyDocument | undefined;
  readonly properties: readonly ComplianceProperty[];
}

/** Imports a compliance policy export (a parsed Graph object of one of COMPLIANCE_TYPES). */
export function importCompliancePolicy(data: Record<string, unknown>): ComplianceImport {
  const mac = data['@odata.type'] === '#microsoft.graph.macOSCompliancePolicy';
  const settings: ComplianceSettings = {};
  const properties: ComplianceProperty[] = [];
  for (const [property, value] of Object.entries(data)) {
    if (property.includes('@odata') || property.startsWith('#') || METADATA.has(property) || !configured(value)) continue;
    properties.push(mapProperty(property, value, data, mac, settings));
  }
  const grace = gracePeriodHours(data);
  if (grace !== undefined && grace > 0) properties.push({ property: 'scheduledActionsForRule', value: grace, setting: 'gracePeriodHours' });
  if (Object.keys(settings).length === 0) return { document: undefined, properties };
  const id = typeof data.id === 'string' ? data.id : '(no id)';
  const origin = `Imported from Intune compliance policy ${id}.`;
  const description = typeof data.description === 'string' && data.description ? `${origin} ${data.description}` : origin;
  const name = typeof data.displayName === 'string' && data.displayName ? data.displayName : `Intune compliance policy ${id}`;
  const doc = {
    name: name.slice(0, 200),
    description: description.slice(0, 1000),
    settings,
    ...(grace === undefined ? {} : { gracePeriodHours: Math.min(8760, Math.max(0, Math.round(grace))) }),
  };
  try {
    return { document: validate(CompliancePolicyDocument, doc, 'imported compliance policy'), properties };
  } catch (err) {
    // What the export carries (a name with control characters, say) is a fault of the export, named as such.
    const e = toAttacheError(err);
    if (e.code !== 'SCHEMA_INVALID') throw err;
    throw new AttacheError('INTUNE_EXPORT_INVALID', `Intune compliance policy ${id}: ${e.message}`, { cause: err, details: e.details });
  }
}
