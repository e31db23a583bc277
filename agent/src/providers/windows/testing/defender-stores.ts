// The emulated Defender host's stores and the effective value Defender derives from them (test support): the Policies
// key (one registry: GPO values and anyone else's), the MDM store (bridge instances) and local preferences, turned into
// Get-MpPreference by conversions of its own (not the provider's decoders). Precedence as Microsoft documents it: GPO
// (Policies key) > MDM > local preference; with DisableLocalAdminMerge = 1 local list items are ignored.
// Source: https://learn.microsoft.com/defender-endpoint/troubleshoot-microsoft-defender-antivirus-settings
import {
  ASR_RULES_SUBKEY,
  allDefenderMappings,
  type BridgeClass,
  DEFENDER_POLICY_KEY,
  type MpCodec,
  type RegistryCodec,
  THREAT_ACTIONS_SUBKEY,
} from '../defender-mapping.js';

/** One registry value (who wrote it is RSoP's business, not the registry's). */
export interface RegistryEntry {
  readonly name: string;
  readonly type: 'DWord' | 'String';
  /** As Windows returns it: a REG_DWORD comes back as a signed Int32. */
  readonly value: number | string;
}

/** Registry keys and value names are case-insensitive; value names may hold any character (exclusion paths). */
export class EmulatedRegistry {
  readonly keys = new Map<string, Map<string, RegistryEntry>>();

  values(key: string): RegistryEntry[] {
    return [...(this.keys.get(key.toLowerCase())?.values() ?? [])];
  }

  get(key: string, name: string): RegistryEntry | undefined {
    return this.keys.get(key.toLowerCase())?.get(name.toLowerCase());
  }

  set(key: string, entry: RegistryEntry): void {
    const k = key.toLowerCase();
    const values = this.keys.get(k) ?? new Map<string, RegistryEntry>();
    const value = entry.type === 'DWord' ? Number(entry.value) | 0 : entry.value;
    values.set(entry.name.toLowerCase(), { ...entry, value });
    this.keys.set(k, values);
  }

  delete(key: string, name: string): void {
    this.keys.get(key.toLowerCase())?.delete(name.toLowerCase());
  }
}

/** TimeSpan as Windows PowerShell 5.1 serializes it. */
export function timeSpan(minutes: number): Record<string, number> {
  const m = Math.round(minutes) % 1440;
  return {
    Ticks: m * 600_000_000,
    Days: 0,
    Hours: Math.floor(m / 60),
    Milliseconds: 0,
    Minutes: m % 60,
    Seconds: 0,
    TotalDays: m / 1440,
    TotalHours: m / 60,
    TotalMilliseconds: m * 60_000,
    TotalMinutes: m,
    TotalSeconds: m * 60,
  };
}

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === null || v === undefined ? [] : [v]);

/** What the emulated device holds: Policies values and subkeys, and the MDM store's properties this build has. */
export interface DeviceStores {
  value(key: string, name: string): RegistryEntry | undefined;
  subkey(key: string): RegistryEntry[];
  bridge(cls: BridgeClass, property: string): unknown;
}

// Defender's own conversions, written from the documentation rather than taken from the provider's decoders (review
// 16b F6): ADMX DWORDs and MDM CSP values become Get-MpPreference values directly.
const dword = (raw: unknown) => (typeof raw === 'number' ? (raw < 0 ? raw + 0x100000000 : raw) : undefined);
const LEVEL_PARAMS: Readonly<Record<string, string>> = {
  '1': 'LowThreatDefaultAction',
  '2': 'ModerateThreatDefaultAction',
  '4': 'HighThreatDefaultAction',
  '5': 'SevereThreatDefaultAction',
};

/** An ADMX value as the Get-MpPreference value: Disable* DWORD 1 = $true; SpynetReporting = MAPSReporting. */
function fromAdmx(codec: RegistryCodec, mp: MpCodec, raw: unknown): unknown {
  if (codec === 'string' || codec === 'joined') return typeof raw === 'string' ? raw : undefined;
  const n = dword(raw);
  if (n === undefined) return undefined;
  if (mp === 'inverted' || mp === 'bool') return n === 1;
  return mp === 'minutes' ? timeSpan(n) : n;
}

/** A Policy CSP value (MDM store) as the Get-MpPreference value: Allow* 1 = Disable* $false; AllowCloudProtection 1 = MAPS 2. */
function fromCsp(mp: MpCodec, raw: unknown): unknown {
  if (typeof raw === 'string') return raw;
  if (typeof raw !== 'number') return undefined;
  if (mp === 'inverted') return raw === 0;
  if (mp === 'bool') return raw === 1;
  if (mp === 'maps') return raw === 0 ? 0 : 2;
  return mp === 'minutes' ? timeSpan(raw) : raw;
}

/** "a=b|c=d" → [a, b] pairs (ASR rules, threat default actions as the CSP writes them). */
function pairs(raw: unknown): [string, string][] {
  if (typeof raw !== 'string') return [];
  return raw.split('|').flatMap((p) => {
    const [k, v] = p.split('=');
    return k && v !== undefined ? [[k.trim().toLowerCase(), v.trim()] as [string, string]] : [];
  });
}

/** Get-MpPreference as Defender derives it: the Policies key (Group Policy) over the MDM store over local preferences. */
export function effectivePreference(local: Readonly<Record<string, unknown>>, stores: DeviceStores): Record<string, unknown> {
  const pref = structuredClone(local) as Record<string, unknown>;
  const merge = dword(stores.value(DEFENDER_POLICY_KEY, 'DisableLocalAdminMerge')?.value) !== 1;
  const rules = new Map<string, number>();
  for (const [, m] of allDefenderMappings()) {
    if (m.via !== 'policy' || !m.effective) continue;
    const { registry: r, effective: read } = m;
    const csp = m.bridge ? stores.bridge(m.bridge.cls, m.bridge.property) : undefined;
    if (r.kind === 'asrRule') {
      const gpo = stores.subkey(ASR_RULES_SUBKEY).find((e) => e.name.toLowerCase() === r.guid)?.value;
      const action = gpo ?? pairs(csp).find(([g]) => g === r.guid)?.[1];
      if (action !== undefined && Number(action) !== 5) rules.set(r.guid, Number(action));
    } else if (r.kind === 'list' && read.kind === 'list') {
      const items = [
        ...(merge ? list(local[read.param]) : []),
        ...(typeof csp === 'string' ? csp.split('|') : []),
        ...stores.subkey(`${r.key}\\${r.subkey}`).map((e) => e.name),
      ];
      pref[read.param] = items.length > 0 ? [...new Set(items)] : null;
    } else if (r.kind === 'threatActions') {
      const gpo = stores.subkey(THREAT_ACTIONS_SUBKEY).map((e): [string, string] => [e.name, String(e.value)]);
      const chosen = gpo.length > 0 ? gpo : pairs(csp);
      if (chosen.length > 0) for (const param of Object.values(LEVEL_PARAMS)) pref[param] = 0;
      for (const [level, action] of chosen) if (LEVEL_PARAMS[level]) pref[LEVEL_PARAMS[level] as string] = Number(action);
    } else if (r.kind === 'value' && (read.kind === 'mp' || read.kind === 'joined')) {
      const mp: MpCodec = read.kind === 'mp' ? read.codec : 'string';
      const gpo = stores.value(r.key, r.name);
      const value = gpo ? fromAdmx(r.codec, mp, gpo.value) : csp === undefined || csp === null ? undefined : fromCsp(mp, csp);
      if (value !== undefined) pref[read.param] = value;
    }
  }
  const ids = merge ? (list(local.AttackSurfaceReductionRules_Ids) as string[]) : [];
  const actions = merge ? (list(local.AttackSurfaceReductionRules_Actions) as number[]) : [];
  const effective = new Map(ids.map((id, i) => [id.toLowerCase(), actions[i] as number]));
  for (const [guid, action] of rules) effective.set(guid, action);
  pref.AttackSurfaceReductionRules_Ids = effective.size > 0 ? [...effective.keys()] : null;
  pref.AttackSurfaceReductionRules_Actions = effective.size > 0 ? [...effective.values()] : null;
  return pref;
}

/** The AttackSurfaceReductionRules string after updating some GUID=n pairs (null removes), as the apply script does. */
export function mergeAsrRules(current: unknown, merge: readonly { guid: string; action: number | null }[]): string | null {
  const rules = new Map(pairs(current));
  for (const { guid, action } of merge) {
    if (action === null) rules.delete(guid.toLowerCase());
    else rules.set(guid.toLowerCase(), String(action));
  }
  return rules.size === 0 ? null : [...rules].map(([guid, action]) => `${guid}=${action}`).join('|');
}
