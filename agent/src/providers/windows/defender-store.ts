// Reading one observation of the three Defender stores (pure): the MDM store (bridge result class), the Policies key
// (Group Policy's location, also our fallback), RSoP (which GPO owns a Policies value) and Get-MpPreference (effective).
// Decides the value reported for a setting and whether another manager overrides it.
import type { SettingValue } from '../../../../policy-schemas/src/index.js';
import type { SettingOverride } from '../../core/outcome.js';
import {
  ASR_ACTIONS,
  ASR_RULES_SUBKEY,
  type BridgeClass,
  type DefenderMapping,
  type EffectiveRead,
  type PolicyRegistry,
  type RegistryCodec,
  THREAT_ACTIONS_SUBKEY,
} from './defender-mapping.js';
import { decodeAsrRule, decodeMp, decodeThreatActions, psStringList, threatActionString } from './defender-values.js';

/** What one observe run returned, indexed for decoding. */
export interface DefenderObservation {
  /** Get-MpPreference properties by name (effective values). */
  readonly preference: Readonly<Record<string, unknown>>;
  /** Policies-key values by `<key>\<name>`; a list subkey's values as a record (name → data) by `<subkey>\*`. */
  readonly registry: ReadonlyMap<string, unknown>;
  /** Per bridge class asked for: the properties this build's class has, and the MDM result instance's values. */
  readonly bridge: Partial<Record<BridgeClass, { readonly properties: readonly string[]; readonly values: Readonly<Record<string, unknown>> }>>;
  /**
   * RSoP: who owns a Policies value ("Group Policy '<GPO>'", "Local Group Policy"), by lower-case `<key>\<name>`, and
   * `<key>\*` for any value under a key. The agent never writes or deletes a value a GPO owns.
   */
  readonly gpo: ReadonlyMap<string, string>;
  /** RSoP entries of GPOs that delete a Policies value (force it absent), by lower-case `<key>\<name>`. */
  readonly gpoRemoved?: ReadonlyMap<string, string>;
  /** Why RSoP could not be read (GPO owners then unknown). */
  readonly rsopError?: string;
  /** Get-MpComputerStatus.IsTamperProtected, when it was asked for. */
  readonly tamperProtected?: boolean;
}

/** `<key>\<name>`: how registry values (and `<key>\*` for a whole subkey) are indexed. */
export function registryPath(key: string, name: string): string {
  return `${key}\\${name}`;
}

/** A REG_DWORD as read back: Windows returns it as a signed Int32, so values above 2^31-1 come back negative. */
export function unsignedDword(raw: unknown): number | undefined {
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < -0x80000000 || raw > 0xffffffff) return undefined;
  return raw < 0 ? raw + 0x100000000 : raw;
}

/** A registry value as the catalog value; undefined when absent (not configured) or in an unknown form. */
export function decodeRegistryValue(codec: RegistryCodec, raw: unknown): SettingValue | undefined {
  if (raw === undefined || raw === null) return undefined;
  switch (codec) {
    case 'string':
      return typeof raw === 'string' ? raw : undefined;
    case 'joined':
      return typeof raw === 'string' ? raw.split('|').filter((s) => s !== '') : undefined;
    case 'dword':
      return unsignedDword(raw);
    case 'invertedDword': {
      const n = unsignedDword(raw);
      return n === 0 ? 1 : n === 1 ? 0 : undefined;
    }
    case 'maps': {
      const n = unsignedDword(raw);
      return n === undefined ? undefined : n === 0 ? 0 : 1;
    }
  }
}

function subkeyValues(seen: DefenderObservation, subkey: string): Record<string, unknown> {
  const raw = seen.registry.get(registryPath(subkey, '*'));
  return raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
}

/** Case-insensitive lookup of a value name in a subkey record (GUIDs may be written in either case). */
function named(values: Record<string, unknown>, name: string): unknown {
  const key = Object.keys(values).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : values[key];
}

/** The value the Policies key holds for a setting; undefined when nothing is configured there. */
export function decodeRegistry(registry: PolicyRegistry, seen: DefenderObservation): SettingValue | undefined {
  switch (registry.kind) {
    case 'value':
      return decodeRegistryValue(registry.codec, seen.registry.get(registryPath(registry.key, registry.name)));
    case 'list': {
      const names = Object.keys(subkeyValues(seen, `${registry.key}\\${registry.subkey}`));
      return names.length > 0 ? names : undefined;
    }
    case 'threatActions': {
      const pairs = new Map<number, number>();
      for (const [level, action] of Object.entries(subkeyValues(seen, THREAT_ACTIONS_SUBKEY))) pairs.set(Number(level), Number(action));
      return threatActionString(pairs);
    }
    case 'asrRule': {
      const raw = named(subkeyValues(seen, ASR_RULES_SUBKEY), registry.guid);
      return raw === undefined ? undefined : asrMode(Number(raw));
    }
  }
}

function asrMode(action: number): string | undefined {
  return Object.keys(ASR_ACTIONS).find((mode) => ASR_ACTIONS[mode] === action);
}

/** "GUID=n|GUID=n" (the AttackSurfaceReductionRules property) → lower-case GUID → mode number. */
export function asrPairs(raw: unknown): Map<string, number> {
  const pairs = new Map<string, number>();
  if (typeof raw !== 'string') return pairs;
  for (const pair of raw.split('|')) {
    const [guid, action] = pair.split('=');
    if (guid && action !== undefined) pairs.set(guid.trim().toLowerCase(), Number(action));
  }
  return pairs;
}

/** The value the MDM store (bridge result class) holds for a setting; undefined when it holds none. */
export function decodeBridge(mapping: Extract<DefenderMapping, { via: 'policy' }>, values: Readonly<Record<string, unknown>>): SettingValue | undefined {
  if (!mapping.bridge) return undefined;
  const raw = values[mapping.bridge.property];
  if (raw === undefined || raw === null) return undefined;
  const { registry } = mapping;
  if (registry.kind === 'asrRule') {
    const action = asrPairs(raw).get(registry.guid);
    return action === undefined ? undefined : asrMode(action);
  }
  if (registry.kind === 'list' || (registry.kind === 'value' && registry.codec === 'joined')) {
    return typeof raw === 'string' ? raw.split('|').filter((s) => s !== '') : undefined;
  }
  return typeof raw === 'number' || typeof raw === 'string' ? raw : undefined;
}

/** The effective value Get-MpPreference reports; undefined when it reports none in a known form. */
export function decodeEffective(read: EffectiveRead, preference: Readonly<Record<string, unknown>>): SettingValue | undefined {
  switch (read.kind) {
    case 'mp':
      return decodeMp(read.codec, preference[read.param]);
    case 'list':
      return psStringList(preference[read.param]);
    case 'joined': {
      const raw = preference[read.param];
      return typeof raw === 'string' ? raw.split('|').filter((s) => s !== '') : raw === null ? [] : undefined;
    }
    case 'threatActions':
      return decodeThreatActions(preference);
    case 'asrRule':
      return decodeAsrRule(preference, read.guid);
  }
}

/** True when the bridge of this build has the setting's property: the agent writes the MDM store, not the Policies key. */
export function usesBridge(mapping: Extract<DefenderMapping, { via: 'policy' }>, seen: DefenderObservation): boolean {
  return mapping.bridge !== undefined && (seen.bridge[mapping.bridge.cls]?.properties ?? []).includes(mapping.bridge.property);
}

const lower = (items: readonly unknown[]) => new Set(items.map((i) => String(i).toLowerCase()));

/**
 * The value reported for a policy-level setting. With an effective read: Get-MpPreference; for lists, the effective
 * items that a policy store holds (MDM store or Policies key) when every policy item is in force — local items Defender
 * merges in are not ours to judge. Without an effective read: the Policies key first (Group Policy wins), then MDM.
 */
export function observedPolicyValue(mapping: Extract<DefenderMapping, { via: 'policy' }>, seen: DefenderObservation): SettingValue | undefined {
  const registry = decodeRegistry(mapping.registry, seen);
  const bridge = decodeBridge(mapping, seen.bridge[mapping.bridge?.cls ?? 'Defender']?.values ?? {});
  const stored = registry ?? bridge ?? unset(mapping.registry);
  if (!mapping.effective) return stored;
  const effective = decodeEffective(mapping.effective, seen.preference);
  if (Array.isArray(effective) && (Array.isArray(registry) || Array.isArray(bridge))) {
    const policy = lower([...(Array.isArray(bridge) ? bridge : []), ...(Array.isArray(registry) ? registry : [])]);
    const inForce = lower(effective);
    if ([...policy].every((item) => inForce.has(item))) return (effective as string[]).filter((item) => policy.has(String(item).toLowerCase()));
  }
  return effective;
}

/** What a store holding nothing reads as: an empty list or text (as Defender reports it), else not configured. */
function unset(registry: PolicyRegistry): SettingValue | undefined {
  if (registry.kind === 'list') return [];
  return registry.kind === 'value' && registry.codec === 'string' ? '' : registry.kind === 'value' && registry.codec === 'joined' ? [] : undefined;
}

/** The Policies-key locations whose owner decides an override: a value, or any value under a list subkey. */
function ownedPaths(registry: PolicyRegistry): string[] {
  switch (registry.kind) {
    case 'value':
      return [registryPath(registry.key, registry.name)];
    case 'list':
      return [registryPath(`${registry.key}\\${registry.subkey}`, '*')];
    case 'threatActions':
      return [registryPath(THREAT_ACTIONS_SUBKEY, '*')];
    case 'asrRule':
      return [registryPath(ASR_RULES_SUBKEY, registry.guid)];
  }
}

const FOREIGN_POLICY =
  'a Policies-key value this agent did not write (Group Policy, Configuration Manager or Defender for Endpoint security settings management)';

/**
 * Who overrides a policy-level setting, if anyone: a GPO named by RSoP for its Policies-key location (GPO wins over
 * the MDM store, and GP refresh restores its value over ours on the fallback path), or — while the agent writes the
 * MDM store — a Policies-key value with no GPO behind it. `effective` is that value.
 */
export function policyOverride(mapping: Extract<DefenderMapping, { via: 'policy' }>, seen: DefenderObservation): SettingOverride | undefined {
  const paths = ownedPaths(mapping.registry).map((p) => p.toLowerCase());
  const gpo = paths.map((p) => seen.gpo.get(p)).find((g) => g !== undefined);
  const registry = decodeRegistry(mapping.registry, seen);
  const effective = registry === undefined ? {} : { effective: registry };
  if (gpo !== undefined) return { source: gpo, ...effective };
  const bridge = usesBridge(mapping, seen);
  // A GPO deleting the value keeps the agent's Policies-key value out; over the MDM store it changes nothing.
  const removed = bridge ? undefined : paths.map((p) => seen.gpoRemoved?.get(p)).find((g) => g !== undefined);
  if (removed !== undefined) return { source: `${removed} (it removes this value)` };
  if (registry !== undefined && bridge) {
    const unknown = seen.rsopError === undefined ? '' : `; RSoP unavailable, so the GPO cannot be named: ${seen.rsopError}`;
    return { source: `${FOREIGN_POLICY}${unknown}`, ...effective };
  }
  return undefined;
}
