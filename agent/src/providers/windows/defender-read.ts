// What the observe script is asked to read for a set of settings, and its output parsed into a DefenderObservation
// (pure). PowerShell 5.1 shapes are tolerated: a one-element array may come as the element, an empty one as null.
import { type BridgeClass, defenderMapping, type PolicyRegistry, policyKeys } from './defender-mapping.js';
import { type DefenderObservation, registryPath } from './defender-store.js';

/** The observe script's input. */
export interface DefenderObserveRequest {
  readonly registry: { readonly key: string; readonly name: string }[];
  readonly subkeys: string[];
  readonly bridge: BridgeClass[];
  readonly rsop: boolean;
  readonly status: boolean;
}

/** The list subkey a policy location keeps its items in, if it is a list. */
function subkeyOf(registry: PolicyRegistry): string | undefined {
  return registry.kind === 'value' ? undefined : (policyKeys(registry)[1] as string);
}

/** What the observe script must read for these settings (in table order, no duplicates). */
export function observeRequest(settingIds: readonly string[]): DefenderObserveRequest {
  const registry = new Map<string, { key: string; name: string }>();
  const subkeys = new Set<string>();
  const bridge = new Set<BridgeClass>();
  let rsop = false;
  let status = false;
  for (const id of settingIds) {
    const m = defenderMapping(id);
    if (m?.via === 'unsupported' && m.status !== undefined) status = true;
    if (m?.via !== 'policy') continue;
    rsop = true;
    // IsTamperProtected says why an effective value may differ from every policy store (SETTING_NOT_ENFORCED message).
    if (m.effective) status = true;
    if (m.bridge) bridge.add(m.bridge.cls);
    const subkey = subkeyOf(m.registry);
    if (subkey) subkeys.add(subkey);
    else if (m.registry.kind === 'value') registry.set(registryPath(m.registry.key, m.registry.name), { key: m.registry.key, name: m.registry.name });
  }
  return { registry: [...registry.values()], subkeys: [...subkeys], bridge: [...bridge], rsop, status };
}

/** PowerShell 5.1 may render a one-element array as the element itself. */
export function asArray(value: unknown): unknown[] {
  return value === undefined || value === null ? [] : Array.isArray(value) ? value : [value];
}

/** The value as an object to read fields from; anything else (array, null, scalar) reads as an empty one. */
export const record = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

/** The observe script's output as an observation; throws when Get-MpPreference returned nothing. */
export function parseObservation(raw: unknown): DefenderObservation {
  const result = record(raw);
  if (typeof result.preference !== 'object' || result.preference === null) throw new Error('defender-observe: Get-MpPreference returned nothing');
  const registry = new Map<string, unknown>();
  for (const entry of asArray(result.registry)) {
    const { key, name, value } = record(entry);
    if (typeof key === 'string' && typeof name === 'string') registry.set(registryPath(key, name), value);
  }
  for (const entry of asArray(result.subkeys)) {
    const { key, values } = record(entry);
    if (typeof key !== 'string') continue;
    const items: Record<string, unknown> = {};
    for (const v of asArray(values)) {
      const { name, data } = record(v);
      if (typeof name === 'string') items[name] = data;
    }
    registry.set(registryPath(key, '*'), items);
  }
  const bridge: DefenderObservation['bridge'] = {};
  for (const entry of asArray(result.bridge)) {
    const { cls, properties, values } = record(entry);
    if (cls !== 'Defender' && cls !== 'WindowsDefenderSecurityCenter') continue;
    bridge[cls] = { properties: asArray(properties).filter((p): p is string => typeof p === 'string'), values: record(values) };
  }
  const gpo = new Map<string, string>();
  const gpoRemoved = new Map<string, string>();
  for (const entry of asArray(result.rsop)) {
    const { key, name, gpo: owner, gpoId, deleted } = record(entry);
    if (typeof key !== 'string' || typeof name !== 'string') continue;
    const source = gpoSource(owner, gpoId);
    if (deleted === true) {
      gpoRemoved.set(registryPath(key, name).toLowerCase(), source);
      continue;
    }
    gpo.set(registryPath(key, name).toLowerCase(), source);
    gpo.set(registryPath(key, '*').toLowerCase(), source);
  }
  const status = record(result.status);
  const tamperProtected = typeof status.IsTamperProtected === 'boolean' ? status.IsTamperProtected : undefined;
  const rsopError = typeof result.rsopError === 'string' && result.rsopError !== '' ? { rsopError: result.rsopError } : {};
  return {
    preference: record(result.preference),
    registry,
    bridge,
    gpo,
    gpoRemoved,
    ...rsopError,
    ...(tamperProtected === undefined ? {} : { tamperProtected }),
  };
}

/** How an admin names the GPO: RSoP's GPO name; the Local GPO (GPOID 'LocalGPO') as "Local Group Policy". */
export function gpoSource(name: unknown, id: unknown): string {
  if (id === 'LocalGPO') return 'Local Group Policy';
  if (typeof name === 'string' && name !== '') return `Group Policy '${name}'`;
  return typeof id === 'string' && id !== '' ? `Group Policy '${id}'` : 'Group Policy (unnamed GPO)';
}
