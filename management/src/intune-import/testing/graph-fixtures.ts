// Builders of Microsoft Graph configuration-policy exports (the shape Intune's export tools write), for tests that
// need an export without the public corpus: setting instances of each shape and the policy envelope.

export const GRAPH_SETTING = '#microsoft.graph.deviceManagementConfiguration';

export const choice = (id: string, suffix: string, children: unknown[] = []) => ({
  '@odata.type': `${GRAPH_SETTING}ChoiceSettingInstance`,
  settingDefinitionId: id,
  choiceSettingValue: { value: `${id}_${suffix}`, children },
});

export const simple = (id: string, value: string | number) => ({
  '@odata.type': `${GRAPH_SETTING}SimpleSettingInstance`,
  settingDefinitionId: id,
  simpleSettingValue: { '@odata.type': `${GRAPH_SETTING}${typeof value === 'number' ? 'Integer' : 'String'}SettingValue`, value },
});

export const list = (id: string, values: string[]) => ({
  '@odata.type': `${GRAPH_SETTING}SimpleSettingCollectionInstance`,
  settingDefinitionId: id,
  simpleSettingCollectionValue: values.map((value) => ({ '@odata.type': `${GRAPH_SETTING}StringSettingValue`, value })),
});

export const group = (id: string, items: unknown[][]) => ({
  '@odata.type': `${GRAPH_SETTING}GroupSettingCollectionInstance`,
  settingDefinitionId: id,
  groupSettingCollectionValue: items.map((children) => ({ children })),
});

export const policy = (...instances: unknown[]) => ({
  '@odata.type': '#microsoft.graph.deviceManagementConfigurationPolicy',
  id: '11111111-2222-3333-4444-555555555555',
  name: 'Test export',
  platforms: 'windows10',
  technologies: 'mdm,microsoftSense',
  settings: instances.map((settingInstance, i) => ({ id: String(i), settingInstance })),
});

/** Policy CSP Defender family prefix and the ASR grouped collection id. */
export const DEFENDER_CSP = 'device_vendor_msft_policy_config_defender_';
export const ASR_COLLECTION = `${DEFENDER_CSP}attacksurfacereductionrules`;

export const choices = (id: string, suffixes: string[]) => ({
  '@odata.type': `${GRAPH_SETTING}ChoiceSettingCollectionInstance`,
  settingDefinitionId: id,
  choiceSettingCollectionValue: suffixes.map((suffix) => ({ value: `${id}_${suffix}`, children: [] })),
});

/** A policy envelope for another platform / template (Linux, macOS, firewall rules). */
export const policyFor = (platforms: string, technologies: string, ...instances: unknown[]) => ({
  ...policy(...instances),
  platforms,
  technologies,
});

/** Setting-id prefixes of the Linux, macOS and firewall-rule families (Graph settings catalog). */
export const LINUX_MDATP = 'linux_mdatp_managed_';
export const MAC_PREFS = 'com.apple.managedclient.preferences_';
export const FIREWALL_RULE = 'vendor_msft_firewall_mdmstore_firewallrules_{firewallrulename}';

/** A Graph compliance policy export (deviceCompliancePolicy) of the given type with the given properties. */
export const compliancePolicy = (type: 'windows10CompliancePolicy' | 'macOSCompliancePolicy', properties: Record<string, unknown>) => ({
  '@odata.type': `#microsoft.graph.${type}`,
  id: '99999999-8888-7777-6666-555555555555',
  displayName: 'Test compliance',
  description: 'Defender requirements',
  version: 1,
  ...properties,
});
