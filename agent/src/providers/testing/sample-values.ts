// Valid example values for any catalog setting: the provider contract suite and the benchmarks apply them.
import type { SettingDefinition, SettingValue } from '../../../../policy-schemas/src/index.js';

/** Example values for free-form string settings (no value list in the catalog). */
const STRING_SAMPLES: Record<string, [string, string]> = {
  'defender.ThreatSeverityDefaultAction': ['1=2|2=2|4=3|5=3', '1=6|2=2|4=2|5=3'],
  'defender.SignatureUpdateFallbackOrder': ['MicrosoftUpdateServer|MMPC', 'InternalDefinitionUpdateServer|MicrosoftUpdateServer'],
  'defender.SecurityIntelligenceLocation': ['\\\\fileserver\\defs', '\\\\backup\\defs'],
  'mdatp.cloudService.proxy': ['http://proxy.example.test:8080/', 'http://10.0.0.5:3128/'],
  'mdatp.edr.groupIds': ['finance', 'engineering'],
  'firewall.domainProfile.LogFilePath': ['%systemroot%\\system32\\LogFiles\\Firewall\\domain.log', 'D:\\logs\\fw-domain.log'],
  'firewall.privateProfile.LogFilePath': ['%systemroot%\\system32\\LogFiles\\Firewall\\private.log', 'D:\\logs\\fw-private.log'],
  'firewall.publicProfile.LogFilePath': ['%systemroot%\\system32\\LogFiles\\Firewall\\public.log', 'D:\\logs\\fw-public.log'],
  'securityCenter.CompanyName': ['Contoso', 'Fabrikam'],
  'securityCenter.Email': ['help@contoso.example', 'it@fabrikam.example'],
  'securityCenter.Phone': ['+1 555 0100', '+44 20 7946 0000'],
  'securityCenter.URL': ['https://help.contoso.example', 'https://it.fabrikam.example'],
};

/** Example items for string lists whose items have a pattern. */
const LIST_SAMPLES: Record<string, [string[], string[]]> = {
  'mdatp.antivirusEngine.unmonitoredFilesystems': [['nfs'], ['nfs', 'fuse']],
  'mdatp.antivirusEngine.disallowedThreatActions': [['allow'], ['allow', 'restore']],
  'mdatp.edr.tags': [['finance'], ['paw']],
};

/** Two different valid values for a setting, or undefined when the suite cannot invent one. */
export function sampleValues(setting: SettingDefinition): [SettingValue, SettingValue] | undefined {
  if (STRING_SAMPLES[setting.id]) return STRING_SAMPLES[setting.id];
  if (LIST_SAMPLES[setting.id]) return LIST_SAMPLES[setting.id];
  switch (setting.type) {
    case 'boolean':
      return setting.default === true ? [false, true] : [true, false];
    case 'integer':
    case 'string': {
      if (setting.values && setting.values.length >= 2) {
        const vals = setting.values.map((v) => v.value);
        const other = vals.filter((v) => v !== setting.default);
        return [other[0] as SettingValue, (other[1] ?? setting.default ?? vals[0]) as SettingValue];
      }
      if (setting.type === 'integer') {
        const lo = setting.minimum ?? 0;
        const hi = setting.maximum ?? lo + 10;
        return [hi, Math.max(lo, hi - 1)];
      }
      return undefined;
    }
    case 'stringList': {
      const lists: [string[], string[]] = [['C:\\Attache\\one'], ['/opt/attache/two', 'C:\\Attache\\three']];
      const pattern = setting.pattern === undefined ? undefined : new RegExp(setting.pattern, 'u');
      return pattern && !lists.flat().every((v) => pattern.test(v)) ? undefined : lists;
    }
    case 'objectList': {
      const ex = setting.itemExamples;
      if (!ex || ex.length === 0) return undefined;
      return [[ex[0] as Record<string, unknown>], ex.slice(0, 3) as Record<string, unknown>[]] as [SettingValue, SettingValue];
    }
  }
}
