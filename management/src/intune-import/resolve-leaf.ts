// Decides, for one Intune setting instance, which catalog setting it becomes and with which value, or why it is not
// imported. Which catalog id an Intune id becomes comes from policy-schemas' intune-sources.ts (the same table
// docs/settings.md shows); how its value converts comes from mapping-table.ts. Checks every target against the catalog. Pure.
import {
  ASR_COLLECTION_ID,
  INTUNE_ASR_RULES,
  INTUNE_FAMILIES,
  INTUNE_SETTING_IDS,
  SETTINGS,
  type SettingDefinition,
  settingById,
  THREAT_SEVERITY_GROUP_ID,
} from '../../../policy-schemas/src/index.js';
import { asrMode, choiceSuffix, convert } from './converters.js';
import type { LeafInstance } from './graph-export.js';
import { CONVERTERS, type Converter, SKIP_EXACT, SKIP_PREFIXES, THREAT_ACTIONS, THREAT_SEVERITY_LEVELS, type UnmappedReason } from './mapping-table.js';

/** One leaf's fate. `item`: the value is one property of an objectList item; `fragment`: a `level=action` pair. */
export type Resolution =
  | {
      readonly mapped: true;
      readonly setting: SettingDefinition;
      readonly value: unknown;
      readonly item?: string;
      readonly fragment?: 'threatSeverity';
    }
  | { readonly mapped: false; readonly reason: UnmappedReason; readonly detail: string; readonly settingId?: string };

const skip = (reason: UnmappedReason, detail: string, settingId?: string): Resolution => ({
  mapped: false,
  reason,
  detail,
  ...(settingId ? { settingId } : {}),
});

/** Catalog ids by lower case, for CSP families whose Intune ids are lower-cased CSP names. */
const ID_BY_LOWER = new Map(SETTINGS.map((s) => [s.id.toLowerCase(), s.id]));

function target(settingId: string, leaf: LeafInstance, converter: Converter, extra: { item?: string } = {}): Resolution {
  const setting = settingById(settingId);
  if (!setting) return skip('notInCatalog', `maps to ${settingId}, which this catalog does not have (yet)`, settingId);
  const converted = convert(leaf, converter, setting);
  if (!converted.ok) return skip('unknown', `cannot convert the value for ${settingId}: ${converted.detail}`, settingId);
  return { mapped: true, setting, value: converted.value, ...extra };
}

function asrRule(leaf: LeafInstance, rest: string): Resolution {
  if (rest.endsWith('_perruleexclusions')) {
    const guid = INTUNE_ASR_RULES[rest.slice(0, -'_perruleexclusions'.length)];
    if (!guid) return skip('unknown', `per-rule exclusions of an ASR rule this table does not know ("${rest}")`);
    return target(`asrExclusions.${guid}`, leaf, { type: 'list' });
  }
  const guid = INTUNE_ASR_RULES[rest];
  if (!guid) return skip('unknown', `ASR rule "${rest}" is not in the rule table (mde-domain.md §2.5)`);
  const settingId = `asr.${guid}`;
  const setting = settingById(settingId);
  if (!setting) return skip('notInCatalog', `maps to ${settingId}, which this catalog does not have (yet)`, settingId);
  const mode = asrMode(leaf);
  return mode.ok ? { mapped: true, setting, value: mode.value } : skip('unknown', mode.detail, settingId);
}

function threatSeverity(leaf: LeafInstance, rest: string): Resolution {
  const settingId = 'defender.ThreatSeverityDefaultAction';
  const level = THREAT_SEVERITY_LEVELS[rest];
  if (level === undefined) return skip('unknown', `threat severity "${rest}" is not low, moderate, high or severe`, settingId);
  const setting = settingById(settingId);
  if (!setting) return skip('notInCatalog', `maps to ${settingId}, which this catalog does not have (yet)`, settingId);
  const action = choiceSuffix(leaf) ?? '';
  const code = THREAT_ACTIONS[action];
  if (code === undefined) {
    return skip('notInCatalog', `action "${action}" has no ${settingId} value in the catalog (only ${Object.keys(THREAT_ACTIONS).join(', ')})`, settingId);
  }
  return { mapped: true, setting, value: `${level}=${code}`, fragment: 'threatSeverity' };
}

/** Resolves one leaf: exact skips, exact ids (intune-sources), family skips, ASR, threat severity, CSP families, else unknown. */
export function resolveLeaf(leaf: LeafInstance): Resolution {
  const id = leaf.settingDefinitionId;
  if (leaf.shape === 'unsupported') return skip('unknown', `setting instance type "${leaf.odataType}" is not supported by the importer`);
  const skippedExact = SKIP_EXACT[id];
  if (skippedExact) return skip(skippedExact.reason, skippedExact.detail);
  // An id the table names wins over a skipped family (the two firewall audit settings inside the skipped Audit CSP).
  const exact = INTUNE_SETTING_IDS[id];
  if (exact) return target(exact.settingId, leaf, CONVERTERS[id] ?? { type: 'byCatalog' }, exact.item ? { item: exact.item } : {});
  const skipped = SKIP_PREFIXES.find((s) => id.startsWith(s.prefix));
  if (skipped) return skip(skipped.reason, skipped.detail);
  if (id.startsWith(`${ASR_COLLECTION_ID}_`)) return asrRule(leaf, id.slice(ASR_COLLECTION_ID.length + 1));
  if (id.startsWith(`${THREAT_SEVERITY_GROUP_ID}_`)) return threatSeverity(leaf, id.slice(THREAT_SEVERITY_GROUP_ID.length + 1));
  const family = INTUNE_FAMILIES.find((f) => id.startsWith(f.prefix));
  if (family) {
    const name = id.slice(family.prefix.length);
    const settingId = ID_BY_LOWER.get(`${family.idPrefix}${name}`.toLowerCase());
    if (!settingId) return skip('notInCatalog', `maps to ${family.idPrefix}<${name}> (any case), which this catalog does not have (yet)`);
    return target(settingId, leaf, CONVERTERS[id] ?? { type: 'byCatalog' });
  }
  if (id.startsWith('com.apple.security.firewall_')) {
    return skip('notInCatalog', 'a macOS application firewall key the catalog has no setting for (macosFirewall.* covers the switches only)');
  }
  return skip('unknown', 'no mapping rule for this settingDefinitionId');
}
