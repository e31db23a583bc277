// importIntunePolicy: one Intune policy export → Attaché policy documents (one per policy kind its settings fall in),
// plus what was mapped and what was not, with a reason for every setting instance. Pure; nothing is silently dropped.
import { AttacheError, toAttacheError } from '../../../common/errors.js';
import { validate, validatePolicySettings } from '../../../common/validation.js';
import { type CompliancePolicyDocument, POLICY_KINDS, PolicyDocument, type PolicyKind, type SettingValue } from '../../../policy-schemas/src/index.js';
import { COMPLIANCE_TYPES, importCompliancePolicy } from './compliance-import.js';
import { checkExportDepth, type LeafInstance, type ParsedExport, parseExportText, readExport } from './graph-export.js';
import type { UnmappedReason } from './mapping-table.js';
import { type Resolution, resolveLeaf } from './resolve-leaf.js';

/** One Intune setting instance imported as (part of) a catalog setting. */
export interface MappedSetting {
  readonly settingDefinitionId: string;
  readonly settingId: string;
  /** This instance's contribution (an item property or a `level=action` pair for composite settings). */
  readonly value: unknown;
}

/** One Intune setting instance (or a whole export) not imported, and why. */
export interface UnmappedSetting {
  readonly settingDefinitionId: string;
  readonly reason: UnmappedReason;
  readonly detail: string;
  readonly settingId?: string;
}

/** The Intune policy an import came from. */
export interface IntuneSourceInfo {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly odataType: string;
  readonly platforms: string;
  readonly template: string;
}

/** The result of importing one export. `instances` = mapped + unmapped, always. */
export interface ImportResult {
  readonly source: IntuneSourceInfo;
  readonly documents: PolicyDocument[];
  /** Compliance policies (from a windows10CompliancePolicy / macOSCompliancePolicy export). */
  readonly compliancePolicies: CompliancePolicyDocument[];
  readonly mapped: MappedSetting[];
  readonly unmapped: UnmappedSetting[];
  readonly instances: number;
}

type Mapped = Extract<Resolution, { mapped: true }> & { readonly leaf: LeafInstance };

/** Imports a Graph export (text, BOM allowed, or parsed JSON). Throws INTUNE_EXPORT_INVALID for malformed input. */
export function importIntunePolicy(exportJson: unknown): ImportResult {
  const data = parseExportText(exportJson);
  const parsed = readExport(data);
  checkExportDepth(data);
  const source = {
    id: parsed.id,
    name: parsed.name,
    description: parsed.description,
    odataType: parsed.odataType,
    platforms: parsed.platforms,
    template: parsed.templateDisplayName || parsed.templateFamily,
  };
  if (parsed.kind === 'other' && (COMPLIANCE_TYPES as readonly string[]).includes(parsed.odataType)) {
    return complianceResult(source, data as Record<string, unknown>);
  }
  if (parsed.kind === 'other') {
    return { source, documents: [], compliancePolicies: [], mapped: [], unmapped: [wholeExportSkipped(parsed)], instances: 1 };
  }
  const unmapped: UnmappedSetting[] = [];
  const resolved: Mapped[] = [];
  const deviceControl = /device control/i.test(parsed.templateDisplayName);
  for (const leaf of parsed.leaves) {
    const r: Resolution = deviceControl
      ? { mapped: false, reason: 'outOfScope', detail: 'Device Control profiles are delivered only to Intune-enrolled devices (mde-domain.md §2.1)' }
      : resolveLeaf(leaf);
    if (r.mapped) resolved.push({ ...r, leaf });
    else
      unmapped.push({ settingDefinitionId: leaf.settingDefinitionId, reason: r.reason, detail: r.detail, ...(r.settingId ? { settingId: r.settingId } : {}) });
  }
  const { settings, mapped } = assemble(resolved, unmapped);
  return { source, documents: buildDocuments(parsed, settings), compliancePolicies: [], mapped, unmapped, instances: parsed.leaves.length };
}

/** A compliance export: each configured property mapped (to `compliance.<setting>`) or unmapped with its reason. */
function complianceResult(source: IntuneSourceInfo, data: Record<string, unknown>): ImportResult {
  const { document, properties } = importCompliancePolicy(data);
  const mapped: MappedSetting[] = [];
  const unmapped: UnmappedSetting[] = [];
  for (const p of properties) {
    if (p.setting) mapped.push({ settingDefinitionId: p.property, settingId: `compliance.${p.setting}`, value: p.value });
    else unmapped.push({ settingDefinitionId: p.property, reason: p.reason ?? 'unknown', detail: p.detail ?? 'not mapped' });
  }
  return { source, documents: [], compliancePolicies: document ? [document] : [], mapped, unmapped, instances: properties.length };
}

function wholeExportSkipped(parsed: ParsedExport): UnmappedSetting {
  const type = parsed.odataType.replace('#microsoft.graph.', '');
  const detail = /CompliancePolicy$/i.test(type)
    ? `${type} is a compliance policy for a platform Attaché does not manage (Windows and macOS compliance policies are imported)`
    : `${type} is not a settings-catalog / endpoint-security policy (deviceManagementConfigurationPolicy) or a Windows/macOS compliance policy`;
  return { settingDefinitionId: parsed.odataType, reason: 'outOfScope', detail };
}

/** Groups contributions per setting, builds composite values, and validates each against the catalog. */
function assemble(
  resolved: readonly Mapped[],
  unmapped: UnmappedSetting[],
): { settings: Map<string, { kind: PolicyKind; value: SettingValue }>; mapped: MappedSetting[] } {
  const bySetting = new Map<string, Mapped[]>();
  for (const r of resolved) bySetting.set(r.setting.id, [...(bySetting.get(r.setting.id) ?? []), r]);
  const settings = new Map<string, { kind: PolicyKind; value: SettingValue }>();
  const mapped: MappedSetting[] = [];
  for (const [settingId, parts] of bySetting) {
    const [first, ...rest] = parts;
    if (!first) continue;
    let used = parts;
    let value: unknown;
    if (first.fragment === 'threatSeverity') {
      value = [...parts.map((p) => String(p.value))].sort().join('|');
    } else if (first.item !== undefined) {
      const built = objectItems(settingId, parts, unmapped);
      value = built.value;
      used = built.used;
    } else {
      value = first.value;
      used = [first, ...rest.filter((extra) => sameValue(extra.value, first.value))];
      for (const extra of rest.filter((e) => !sameValue(e.value, first.value))) {
        unmapped.push({
          settingDefinitionId: extra.leaf.settingDefinitionId,
          reason: 'unknown',
          detail: `${settingId} is set twice with different values (${JSON.stringify(first.value)} and ${JSON.stringify(extra.value)}); the first is kept`,
          settingId,
        });
      }
    }
    const problem = catalogProblem(first.setting.kind, settingId, value);
    if (problem) {
      for (const p of used) unmapped.push({ settingDefinitionId: p.leaf.settingDefinitionId, reason: 'notInCatalog', detail: problem, settingId });
      continue;
    }
    settings.set(settingId, { kind: first.setting.kind, value: value as SettingValue });
    for (const p of used) mapped.push({ settingDefinitionId: p.leaf.settingDefinitionId, settingId, value: p.value });
  }
  return { settings, mapped };
}

/** The same value given twice (two instances, or one Intune id and its alias) is one value, not a conflict. */
function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Object-list items: one object per enclosing group-collection item, properties from its children. A property given
 * twice with different values keeps the first (the other is reported). A firewall rule without `enabled` is disabled
 * (the Firewall CSP default), said explicitly. Intune's device tags ({key: GROUP, value}) become our list of values.
 */
function objectItems(settingId: string, parts: readonly Mapped[], unmapped: UnmappedSetting[]): { value: unknown; used: Mapped[] } {
  const items = new Map<string, Record<string, unknown>>();
  const used: Mapped[] = [];
  for (const p of parts) {
    const item = items.get(p.leaf.groupItem) ?? {};
    const property = p.item ?? 'value';
    if (property in item && !sameValue(item[property], p.value)) {
      unmapped.push({
        settingDefinitionId: p.leaf.settingDefinitionId,
        reason: 'unknown',
        detail: `${settingId} item property ${property} is given twice with different values (${JSON.stringify(item[property])} and ${JSON.stringify(p.value)}); the first is kept`,
        settingId,
      });
      continue;
    }
    item[property] = p.value;
    items.set(p.leaf.groupItem, item);
    used.push(p);
  }
  const list = [...items.values()];
  if (settingId === 'firewallRules.rules') for (const rule of list) rule.enabled ??= false;
  if (parts[0]?.setting.type === 'stringList') return { value: list.map((i) => (i.key === undefined || i.key === 'GROUP' ? i.value : undefined)), used };
  return { value: list, used };
}

/** Why the catalog rejects `value` for `settingId` (its value schema), or undefined when it accepts it. */
function catalogProblem(kind: PolicyKind, settingId: string, value: unknown): string | undefined {
  try {
    validatePolicySettings({ kind, settings: { [settingId]: value as SettingValue } }, settingId);
    return undefined;
  } catch (err) {
    if (!(err instanceof AttacheError)) throw err;
    return `the catalog rejects the value ${JSON.stringify(value)}: ${err.message}`;
  }
}

/** One document per policy kind, in PolicyKind order; named after the export (plus the kind when it splits). */
function buildDocuments(parsed: ParsedExport, settings: ReadonlyMap<string, { kind: PolicyKind; value: SettingValue }>): PolicyDocument[] {
  const byKind = new Map<PolicyKind, Record<string, SettingValue>>();
  for (const [id, { kind, value }] of settings) {
    byKind.set(kind, { ...(byKind.get(kind) ?? {}), [id]: value });
  }
  const kinds = POLICY_KINDS.filter((k) => byKind.has(k));
  const baseName = parsed.name || `Intune policy ${parsed.id || '(unnamed)'}`;
  return kinds.map((kind) => {
    const name = (kinds.length > 1 ? `${baseName} (${kind})` : baseName).slice(0, 200);
    const origin = `Imported from Intune policy ${parsed.id || '(no id)'}${parsed.templateDisplayName ? ` (${parsed.templateDisplayName})` : ''}.`;
    const description = (parsed.description ? `${origin} ${parsed.description}` : origin).slice(0, 2000);
    // What the export carries (its name, say, with control or bidi characters) may make a document the API would
    // refuse: that is a fault of the export, named as such.
    try {
      const doc = validate(PolicyDocument, { name, kind, description, settings: byKind.get(kind) ?? {} }, `imported ${kind} policy`);
      validatePolicySettings(doc, `imported ${kind} policy`);
      return doc;
    } catch (err) {
      const e = toAttacheError(err);
      if (e.code !== 'SCHEMA_INVALID') throw err;
      throw new AttacheError('INTUNE_EXPORT_INVALID', `Intune export ${parsed.id || '(no id)'}: ${e.message}`, {
        cause: err,
        ...(e.details ? { details: e.details } : {}),
      });
    }
  });
}

/** Counts of unmapped settings by reason (for the CLI and CI lines). */
export function countByReason(unmapped: readonly UnmappedSetting[]): Record<UnmappedReason, number> {
  const counts: Record<UnmappedReason, number> = { outOfScope: 0, unknown: 0, deprecated: 0, notInCatalog: 0 };
  for (const u of unmapped) counts[u.reason] += 1;
  return counts;
}
