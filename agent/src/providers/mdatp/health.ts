// Parsing `mdatp health --output json` (mde-domain.md §3.2). The JSON form names the documented fields in camelCase
// (`real_time_protection_enabled` → `realTimeProtectionEnabled`) and wraps configurable ones as
// {value, isManaged, displayValue}; `definitionsStatus` is {"$type": "upToDate"}; times are epoch milliseconds as
// strings. The parser also takes snake_case names and bare values, so either form yields the same snapshot.
import { isoTime } from '../../../../common/iso-time.js';

/** A device tag as mdatp reports it (GROUP is the only key policies set; other services add their own). */
export interface MdatpTag {
  readonly key: string;
  readonly value: string;
}

/** The health fields the agent uses: verification after apply, and the device health report. */
export interface MdatpHealth {
  readonly healthy: boolean;
  readonly healthIssues: readonly string[];
  /** True when the device is onboarded to a tenant. */
  readonly licensed?: boolean;
  /** Undefined when not onboarded (mdatp says "unavailable"). */
  readonly orgId?: string;
  readonly appVersion?: string;
  readonly engineVersion?: string;
  readonly definitionsVersion?: string;
  /** `up_to_date` | `updating` | `unavailable` (documented values; others passed through). */
  readonly definitionsStatus?: string;
  /** ISO time of the last definitions update. */
  readonly definitionsUpdated?: string;
  readonly definitionsUpdatedMinutesAgo?: number;
  /** ISO time the product (licence) expires. */
  readonly productExpiration?: string;
  readonly realTimeProtectionAvailable?: boolean;
  readonly realTimeProtectionEnabled?: boolean;
  readonly realTimeProtectionSubsystem?: string;
  readonly passiveModeEnabled?: boolean;
  readonly behaviorMonitoring?: string;
  readonly cloudEnabled?: boolean;
  readonly cloudAutomaticSampleSubmissionConsent?: string;
  readonly cloudDiagnosticEnabled?: boolean;
  readonly automaticDefinitionUpdateEnabled?: boolean;
  readonly networkProtectionEnforcementLevel?: string;
  readonly networkProtectionStatus?: string;
  readonly edrDeviceTags?: readonly MdatpTag[];
  readonly edrGroupIds?: string;
  readonly edrMachineId?: string;
  /** `mdatp edr early-preview` / managed edr.earlyPreview (documented field edr_early_preview_enabled). */
  readonly edrEarlyPreviewEnabled?: boolean;
  /** macOS (and recent Linux): `disabled` | `audit` | `block`. */
  readonly tamperProtection?: string;
  readonly releaseRing?: string;
  readonly conflictingApplications?: readonly string[];
  /** Fields mdatp marks as set by managed configuration (camelCase names). */
  readonly managedFields: readonly string[];
}

type Json = Record<string, unknown>;

function snake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** The field's value under its camelCase or snake_case name, unwrapped from {value, isManaged}. */
function field(raw: Json, name: string): { value: unknown; managed: boolean } | undefined {
  const key = Object.hasOwn(raw, name) ? name : Object.hasOwn(raw, snake(name)) ? snake(name) : undefined;
  if (key === undefined) return undefined;
  const v = raw[key];
  if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.hasOwn(v, 'value')) {
    const w = v as Json;
    return { value: w.value, managed: w.isManaged === true };
  }
  return { value: v, managed: false };
}

function bool(raw: Json, name: string): boolean | undefined {
  const v = field(raw, name)?.value;
  return typeof v === 'boolean' ? v : undefined;
}

/** A switch mdatp prints as a boolean or as the word enabled/disabled (any case: edrEarlyPreviewEnabled is "disabled"). */
function onOff(raw: Json, name: string): boolean | undefined {
  const v = field(raw, name)?.value;
  if (typeof v === 'boolean') return v;
  const word = typeof v === 'string' ? v.toLowerCase() : undefined;
  return word === 'enabled' ? true : word === 'disabled' ? false : undefined;
}

function str(raw: Json, name: string): string | undefined {
  const v = field(raw, name)?.value;
  return typeof v === 'string' ? v : undefined;
}

function num(raw: Json, name: string): number | undefined {
  const v = field(raw, name)?.value;
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function strings(raw: Json, name: string): string[] | undefined {
  const v = field(raw, name)?.value;
  return Array.isArray(v) ? v.map((item) => (typeof item === 'string' ? item : JSON.stringify(item))) : undefined;
}

/** Epoch milliseconds (as a string or number) → ISO; other text as mdatp wrote it. */
function time(raw: Json, name: string): string | undefined {
  const v = field(raw, name)?.value;
  if (typeof v === 'number' || (typeof v === 'string' && /^[0-9]{10,16}$/.test(v))) {
    const d = new Date(Number(v));
    return Number.isNaN(d.getTime()) ? undefined : isoTime(d);
  }
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function definitionsStatus(raw: Json): string | undefined {
  const v = field(raw, 'definitionsStatus')?.value;
  const text = typeof v === 'string' ? v : v !== null && typeof v === 'object' ? (v as Json).$type : undefined;
  return typeof text === 'string' ? snake(text) : undefined;
}

function tags(raw: Json): MdatpTag[] | undefined {
  const v = field(raw, 'edrDeviceTags')?.value;
  if (!Array.isArray(v)) return undefined;
  return v.flatMap((item): MdatpTag[] => {
    if (typeof item === 'string') return [{ key: 'GROUP', value: item }];
    if (item !== null && typeof item === 'object' && typeof item.key === 'string' && typeof item.value === 'string')
      return [{ key: item.key, value: item.value }];
    return [];
  });
}

function orgId(raw: Json): string | undefined {
  const v = str(raw, 'orgId');
  return v === undefined || v === '' || v === 'unavailable' ? undefined : v;
}

const MANAGEABLE = [
  'realTimeProtectionEnabled',
  'passiveModeEnabled',
  'behaviorMonitoring',
  'cloudEnabled',
  'cloudAutomaticSampleSubmissionConsent',
  'cloudDiagnosticEnabled',
  'automaticDefinitionUpdateEnabled',
  'networkProtectionEnforcementLevel',
  'edrDeviceTags',
  'edrGroupIds',
  'edrEarlyPreviewEnabled',
  'tamperProtection',
] as const;

/** Drops undefined fields so snapshots compare and serialise cleanly. */
function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** Parses the output of `mdatp health --output json`; throws when it is not a health object. */
export function parseMdatpHealth(text: string): MdatpHealth {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error(`mdatp health did not print JSON: ${JSON.stringify(text.trim().slice(0, 200))}`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new Error('mdatp health output is not a JSON object');
  const r = raw as Json;
  const healthy = bool(r, 'healthy');
  if (healthy === undefined) throw new Error('mdatp health output has no boolean "healthy" field');
  return compact({
    healthy,
    healthIssues: strings(r, 'healthIssues') ?? [],
    licensed: bool(r, 'licensed'),
    orgId: orgId(r),
    appVersion: str(r, 'appVersion'),
    engineVersion: str(r, 'engineVersion'),
    definitionsVersion: str(r, 'definitionsVersion'),
    definitionsStatus: definitionsStatus(r),
    definitionsUpdated: time(r, 'definitionsUpdated'),
    definitionsUpdatedMinutesAgo: num(r, 'definitionsUpdatedMinutesAgo'),
    productExpiration: time(r, 'productExpiration'),
    realTimeProtectionAvailable: bool(r, 'realTimeProtectionAvailable'),
    realTimeProtectionEnabled: bool(r, 'realTimeProtectionEnabled'),
    realTimeProtectionSubsystem: str(r, 'realTimeProtectionSubsystem'),
    passiveModeEnabled: bool(r, 'passiveModeEnabled'),
    behaviorMonitoring: str(r, 'behaviorMonitoring'),
    cloudEnabled: bool(r, 'cloudEnabled'),
    cloudAutomaticSampleSubmissionConsent: str(r, 'cloudAutomaticSampleSubmissionConsent'),
    cloudDiagnosticEnabled: bool(r, 'cloudDiagnosticEnabled'),
    automaticDefinitionUpdateEnabled: bool(r, 'automaticDefinitionUpdateEnabled'),
    networkProtectionEnforcementLevel: str(r, 'networkProtectionEnforcementLevel'),
    networkProtectionStatus: str(r, 'networkProtectionStatus'),
    edrDeviceTags: tags(r),
    edrGroupIds: str(r, 'edrGroupIds'),
    edrMachineId: str(r, 'edrMachineId'),
    edrEarlyPreviewEnabled: onOff(r, 'edrEarlyPreviewEnabled'),
    tamperProtection: str(r, 'tamperProtection'),
    releaseRing: str(r, 'releaseRing'),
    conflictingApplications: strings(r, 'conflictingApplications'),
    managedFields: MANAGEABLE.filter((name) => field(r, name)?.managed === true),
  });
}
