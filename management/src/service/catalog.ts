// GET /v1/admin/catalog: the settings catalog policy forms are generated from (names, descriptions, value types,
// allowed values and ranges, defaults, platforms), grouped by policy kind. Pure: the catalog is compiled in.
import { PLATFORMS, POLICY_KINDS, type SettingsCatalog, settingsOfKind } from '../../../policy-schemas/src/index.js';

/** Every policy kind with its settings in catalogue order and the platforms at least one of them applies to. */
export function settingsCatalog(): SettingsCatalog {
  return {
    kinds: POLICY_KINDS.map((kind) => {
      const settings = settingsOfKind(kind);
      const platforms = PLATFORMS.filter((p) => settings.some((s) => s.platforms.includes(p)));
      return { kind, platforms, settings };
    }),
  };
}
