// Defender update controls (Intune "Defender Update controls"): gradual-rollout channels of the Defender CSP,
// mde-domain.md §2.2 (Defender CSP configuration settings).
import { choices, defenderConfig, switch01 } from './builders.js';
import type { SettingDefinition } from './setting-definition.js';

const CHANNELS = choices([
  [0, 'Not configured'],
  [2, 'Beta channel'],
  [3, 'Current channel (Preview)'],
  [4, 'Current channel (Staged)'],
  [5, 'Current channel (Broad)'],
  [6, 'Critical (time delay)'],
]);

export const DEFENDER_UPDATE_SETTINGS: readonly SettingDefinition[] = [
  defenderConfig('defenderUpdate', 'EngineUpdatesChannel', { title: 'Engine updates channel', type: 'integer', values: CHANNELS, default: 0 }),
  defenderConfig('defenderUpdate', 'PlatformUpdatesChannel', { title: 'Platform updates channel', type: 'integer', values: CHANNELS, default: 0 }),
  defenderConfig('defenderUpdate', 'SecurityIntelligenceUpdatesChannel', {
    title: 'Security intelligence updates channel',
    type: 'integer',
    values: choices([
      [0, 'Not configured'],
      [4, 'Current channel (Staged)'],
      [5, 'Current channel (Broad)'],
    ]),
    default: 0,
  }),
  // Source: https://learn.microsoft.com/windows/client-management/mdm/defender-csp#configurationdisablegradualrelease
  defenderConfig('defenderUpdate', 'DisableGradualRelease', {
    title: 'Gradual release of Defender updates',
    type: 'integer',
    values: switch01('Enabled (gradual rollout)', 'Disabled'),
    default: 0,
  }),
  defenderConfig('defenderUpdate', 'MeteredConnectionUpdates', {
    title: 'Updates over metered connections',
    type: 'integer',
    values: switch01('Not allowed', 'Allowed'),
    default: 0,
  }),
];
