// Which catalog settings live in the mdatp managed configuration, where (the key path is the catalog `source`), and how
// a setting value converts to and from what the file holds. Only `edr.tags` differs in shape: the policy holds the
// GROUP tag values, the file holds [{key: "GROUP", value}] and may hold other keys' entries, which are kept.
import { type Platform, type PolicyKind, SETTINGS, type SettingDefinition, type SettingValue, settingById } from '../../../../policy-schemas/src/index.js';
import { type Dict, getPath, isDict, removePath, setPath } from './document.js';

/** Reads and writes one setting in a managed-configuration document. */
export interface MdatpSetting {
  readonly definition: SettingDefinition;
  /** Key path in the document, e.g. ['antivirusEngine', 'enforcementLevel']. */
  readonly path: readonly string[];
  /** The setting's value in the document (plain JSON values), or undefined when the document does not set it. */
  read(doc: Dict): SettingValue | undefined;
  /** Sets the value, or removes it (undefined) pruning parents left empty. Returns whether the document changed. */
  write(doc: Dict, value: SettingValue | undefined): boolean;
}

/** The policy kinds whose settings live in the mdatp managed configuration. */
export const MDATP_KINDS = ['antivirus', 'antivirusExclusions', 'edr', 'securityExperience'] as const satisfies readonly PolicyKind[];

const TAG_KEY = 'GROUP';

/** What a document value means as a setting value: the shapes a setting can take, anything else is not ours to read. */
function asSettingValue(raw: unknown): SettingValue | undefined {
  if (typeof raw === 'string' || typeof raw === 'boolean') return raw;
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : undefined;
  if (Array.isArray(raw)) {
    if (raw.every((item) => typeof item === 'string')) return raw as string[];
    if (raw.every((item) => isDict(item))) return raw as Record<string, unknown>[];
  }
  return undefined;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Key paths earlier agent versions wrote a setting to. Writing or removing the setting removes them too, so a key in
 * a place mdatp may still read never outlives the policy (sendLowfiEvents moved into supplementarySensorConfigurations).
 */
const LEGACY_PATHS: Readonly<Record<string, readonly (readonly string[])[]>> = {
  'mdatp.features.sendLowfiEvents': [['features', 'sendLowfiEvents']],
};

/**
 * Settings that no longer apply on a platform where earlier agent versions wrote them (disableIcmpInspection is
 * documented for Linux only). No provider there owns them any more, so their keys are dropped at the next write of a
 * setting of the same kind, and never outlive the change.
 */
const RETIRED_ON: Readonly<Partial<Record<Platform, readonly string[]>>> = {
  macos: ['mdatp.networkProtection.disableIcmpInspection'],
};

/** Removes the keys of settings of `kind` retired on `platform` (RETIRED_ON); returns whether the document changed. */
export function dropRetired(doc: Dict, kind: PolicyKind, platform: Platform): boolean {
  const paths = (RETIRED_ON[platform] ?? []).flatMap((id) => {
    const definition = settingById(id);
    return definition && definition.kind === kind && !definition.platforms.includes(platform) ? [definition.source.split('.')] : [];
  });
  return paths.map((path) => removePath(doc, path)).includes(true);
}

function plainSetting(definition: SettingDefinition): MdatpSetting {
  const path = definition.source.split('.');
  const legacy = LEGACY_PATHS[definition.id] ?? [];
  return {
    definition,
    path,
    read: (doc) => asSettingValue(getPath(doc, path)),
    write(doc, value) {
      const dropped = legacy.map((old) => removePath(doc, old)).includes(true);
      if (value === undefined) return removePath(doc, path) || dropped;
      const before = getPath(doc, path);
      if (before !== undefined && sameJson(before, value)) return dropped;
      // A copy: the document must not share arrays or objects with the caller's policy values.
      setPath(doc, path, structuredClone(value));
      return true;
    },
  };
}

function isGroupTag(item: unknown): item is { key: string; value: string } {
  return isDict(item) && item.key === TAG_KEY && typeof item.value === 'string';
}

/** edr.tags: the policy's strings are the values of {key: "GROUP"} entries; entries with other keys stay as they are. */
function tagsSetting(definition: SettingDefinition): MdatpSetting {
  const path = definition.source.split('.');
  return {
    definition,
    path,
    read(doc) {
      const raw = getPath(doc, path);
      return Array.isArray(raw) ? raw.filter(isGroupTag).map((t) => t.value) : undefined;
    },
    write(doc, value) {
      const raw = getPath(doc, path);
      const others = Array.isArray(raw) ? raw.filter((item) => !isGroupTag(item)) : [];
      if (value === undefined) {
        if (!Array.isArray(raw)) return raw === undefined ? false : removePath(doc, path);
        if (others.length === raw.length) return false;
        if (others.length === 0) return removePath(doc, path);
        setPath(doc, path, others);
        return true;
      }
      const next = [...others, ...(value as string[]).map((tag) => ({ key: TAG_KEY, value: tag }))];
      if (raw !== undefined && sameJson(raw, next)) return false;
      setPath(doc, path, next);
      return true;
    },
  };
}

/** Every mdatp setting of the catalog (id prefix `mdatp.`), by id. */
export const MDATP_SETTINGS: ReadonlyMap<string, MdatpSetting> = new Map(
  SETTINGS.filter((s) => s.id.startsWith('mdatp.')).map((s) => [s.id, s.id === 'mdatp.edr.tags' ? tagsSetting(s) : plainSetting(s)]),
);

/** The mdatp settings of one kind on one platform. */
export function mdatpSettingsOf(kind: PolicyKind, platform: Platform): MdatpSetting[] {
  return [...MDATP_SETTINGS.values()].filter((s) => s.definition.kind === kind && s.definition.platforms.includes(platform));
}

/** Where a setting value holds a NUL character: mdatp and the property-list format cannot carry it. */
export function findNul(value: unknown, where = ''): string | undefined {
  if (typeof value === 'string') return value.includes('\0') ? where || 'value' : undefined;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const hit = findNul(item, `${where}[${i}]`);
      if (hit) return hit;
    }
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const hit = findNul(key, `${where}.<key>`) ?? findNul(item, `${where}.${key}`);
      if (hit) return hit;
    }
  }
  return undefined;
}
