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
