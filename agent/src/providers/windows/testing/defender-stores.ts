// The emulated Defender host's three stores and the effective value Defender derives from them (test support): the
// Policies key (one registry: GPO values and anyone else's), the MDM store (bridge instances) and
// local preferences. Precedence as Microsoft documents it: GPO (Policies key) > MDM > local preference; with
// DisableLocalAdminMerge = 1 local list items (exclusions, ASR rules, CFA lists) are ignored.
// Source: https://learn.microsoft.com/defender-endpoint/troubleshoot-microsoft-defender-antivirus-settings
import type { SettingValue } from '../../../../../policy-schemas/src/index.js';
import {
  ASR_ACTIONS,
  allDefenderMappings,
  type BridgeClass,
  DEFENDER_POLICY_KEY,
  type DefenderMapping,
  type MpCodec,
  THREAT_LEVELS,
} from '../defender-mapping.js';
import { observeRequest } from '../defender-read.js';
import { asrPairs, type DefenderObservation, decodeBridge, decodeRegistry, registryPath } from '../defender-store.js';
import { encodeMp, threatActionPairs } from '../defender-values.js';

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
const FULL_REQUEST = observeRequest(allDefenderMappings().map(([id]) => id));

/** The emulated stores as an observation without the effective part (what decodeRegistry/decodeBridge read). */
export function storeObservation(
  read: (key: string, name: string) => RegistryEntry | undefined,
  subkey: (key: string) => RegistryEntry[],
  bridge: Readonly<Record<BridgeClass, Record<string, unknown> | null>>,
  properties: Readonly<Record<BridgeClass, readonly string[]>>,
): DefenderObservation {
  const registry = new Map<string, unknown>();
  for (const { key, name } of FULL_REQUEST.registry) {
    const entry = read(key, name);
    if (entry) registry.set(registryPath(key, name), entry.value);
  }
  for (const key of FULL_REQUEST.subkeys) registry.set(registryPath(key, '*'), Object.fromEntries(subkey(key).map((e) => [e.name, e.value])));
  const classes = { Defender: 0, WindowsDefenderSecurityCenter: 0 } as const;
  const bridgeSeen = Object.fromEntries(
    (Object.keys(classes) as BridgeClass[]).map((cls) => [cls, { properties: properties[cls], values: bridge[cls] ?? {} }]),
  ) as DefenderObservation['bridge'];
  return { preference: {}, registry, bridge: bridgeSeen, gpo: new Map() };
}

function mpValue(codec: MpCodec, value: SettingValue): unknown {
  const encoded = encodeMp(codec, value, 'emulator');
  return codec === 'minutes' ? timeSpan(Number(encoded)) : encoded;
}

/** Get-MpPreference as Defender derives it from the three stores. */
export function effectivePreference(local: Readonly<Record<string, unknown>>, stores: DefenderObservation): Record<string, unknown> {
  const pref = structuredClone(local) as Record<string, unknown>;
  const merge = decodeRegistry({ kind: 'value', key: DEFENDER_POLICY_KEY, name: 'DisableLocalAdminMerge', codec: 'dword' }, stores) !== 1;
  const rules = new Map<string, number>();
  for (const [, m] of allDefenderMappings()) {
    if (m.via !== 'policy' || !m.effective) continue;
    const read = m.effective;
    const policy = read.kind === 'list' ? policyList(m, stores) : policyValue(m, stores);
    if (read.kind === 'asrRule') {
      if (typeof policy === 'string' && policy !== 'notConfigured') rules.set(read.guid, ASR_ACTIONS[policy] as number);
      continue;
    }
    if (read.kind === 'list') {
      const items = [...(merge ? list(local[read.param]) : []), ...(Array.isArray(policy) ? policy : [])];
      pref[read.param] = items.length > 0 ? [...new Set(items)] : null;
    } else if (policy === undefined) {
    } else if (read.kind === 'mp') pref[read.param] = mpValue(read.codec, policy);
    else if (read.kind === 'joined') pref[read.param] = Array.isArray(policy) ? policy.join('|') : null;
    else if (read.kind === 'threatActions') {
      const pairs = threatActionPairs(policy, 'emulator');
      for (const [level, param] of THREAT_LEVELS) pref[param] = pairs.get(level) ?? 0;
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

/** The policy value of a setting: the Policies key wins over the MDM store. */
function policyValue(m: Extract<DefenderMapping, { via: 'policy' }>, stores: DefenderObservation): SettingValue | undefined {
  const cls = m.bridge?.cls;
  const bridgeValues = cls && stores.bridge[cls]?.properties.includes(m.bridge?.property as string) ? (stores.bridge[cls]?.values ?? {}) : {};
  return decodeRegistry(m.registry, stores) ?? decodeBridge(m, bridgeValues);
}

/** A policy list: the Policies-key items (GPO) and the MDM store's items both apply. */
function policyList(m: Extract<DefenderMapping, { via: 'policy' }>, stores: DefenderObservation): string[] {
  const cls = m.bridge?.cls;
  const bridge = cls ? decodeBridge(m, stores.bridge[cls]?.values ?? {}) : undefined;
  const registry = decodeRegistry(m.registry, stores);
  return [...(Array.isArray(bridge) ? bridge : []), ...(Array.isArray(registry) ? registry : [])].map(String);
}

/** The AttackSurfaceReductionRules string after updating some GUID=n pairs (null removes), as the apply script does. */
export function mergeAsrRules(current: unknown, merge: readonly { guid: string; action: number | null }[]): string | null {
  const pairs = asrPairs(current);
  for (const { guid, action } of merge) {
    if (action === null) pairs.delete(guid.toLowerCase());
    else pairs.set(guid.toLowerCase(), action);
  }
  return pairs.size === 0 ? null : [...pairs].map(([guid, action]) => `${guid}=${action}`).join('|');
}
