// Linux global exclusions (mdatp managed key exclusionSettings; Intune "Microsoft Defender Global Exclusions (AV+EDR)",
// an Endpoint detection and response profile for Linux). Each item has scopes: `epp` (antivirus only, as
// antivirusEngine.exclusions) and/or `global` (antivirus, behaviour monitoring and EDR); no scopes means global.
// Source: https://learn.microsoft.com/defender-endpoint/linux-preferences#exclusion-setting-preferences
// Source: https://microsoft.github.io/Microsoft365DSC/resources/intune/IntuneDefenderGlobalExclusionsPolicyLinux
import { MDATP_EXCLUSION } from './antivirus-exclusions.js';
import { labels, mdatp } from './builders.js';
import type { SettingDefinition } from './setting-definition.js';
import { describedPattern, TEXT_FORBIDDEN } from './text.js';

// One path segment other than "." and "..": a global exclusion removes the area from antivirus, behaviour monitoring
// and EDR, so the root may not slip through as "//", "/." or "/tmp/.." (no look-ahead: test values are generated from it).
const NAME = `[^/*?${TEXT_FORBIDDEN}]`;
const SEGMENT = `(?:[^./*?${TEXT_FORBIDDEN}]${NAME}*|\\.[^./*?${TEXT_FORBIDDEN}]${NAME}*|\\.\\.${NAME}+)`;

/** A path of a global-scope exclusion: absolute, and "Wildcards aren't supported if the exclusion has a global scope". */
const GLOBAL_PATH = describedPattern(
  `^(?:/${SEGMENT})+$`,
  'must be a normalised absolute path other than the root (no empty, "." or ".." segment, no trailing "/") without wildcards (* or ?) for a global-scope exclusion, and without control characters',
);

/** Scope lists that include global (the documented values are epp and global; absent means global). */
const WITH_GLOBAL = { type: 'array', enum: [['global'], ['epp', 'global'], ['global', 'epp']] };
// An enum of one (not const): the settings doc shows enums, while a const reads as the item's discriminator there.
const EPP_ONLY = { type: 'array', enum: [['epp']] };

type Variant = { properties: Record<string, unknown>; required: string[] } & Record<string, unknown>;

/** An antivirusEngine.exclusions item shape restricted to the epp scope (all three $types; wildcards allowed). */
function eppOnly(variant: Variant): Variant {
  return { ...variant, properties: { ...variant.properties, scopes: EPP_ONLY }, required: [...variant.required, 'scopes'] };
}

/** A global-scope item: paths and process paths without wildcards, no file extensions ("Not supported" globally). */
function globalScope(type: 'excludedPath' | 'excludedFileName'): Variant {
  const target =
    type === 'excludedPath'
      ? { path: { type: 'string', minLength: 2, maxLength: 1024, pattern: GLOBAL_PATH }, isDirectory: { type: 'boolean' } }
      : // Globally a process must be named by its full path ("process names aren't supported if the exclusion has a global scope").
        { name: { type: 'string', minLength: 2, maxLength: 1024, pattern: GLOBAL_PATH } };
  return {
    type: 'object',
    properties: { $type: { type: 'string', const: type }, ...target, scopes: WITH_GLOBAL },
    required: ['$type', type === 'excludedPath' ? 'path' : 'name'],
    additionalProperties: false,
  };
}

const GLOBAL_EXCLUSION = {
  oneOf: [...(MDATP_EXCLUSION.oneOf as Variant[]).map(eppOnly), globalScope('excludedPath'), globalScope('excludedFileName')],
};

export const MDATP_GLOBAL_EXCLUSION_SETTINGS: readonly SettingDefinition[] = [
  mdatp(
    'edr',
    'exclusionSettings.exclusions',
    {
      title: 'Global exclusions (antivirus and EDR)',
      description:
        'mdatp managed configuration key exclusionSettings.exclusions (Defender for Endpoint 101.24092.0001 or later): items of $type excludedPath, excludedFileName or excludedFileExtension with optional scopes epp/global (absent = global). Global items exclude from antivirus, behaviour monitoring and EDR; they take normalised absolute paths other than the root (no empty, . or .. segment, no trailing /) without wildcards, and no extensions.',
      type: 'objectList',
      itemSchema: GLOBAL_EXCLUSION,
      itemKey: ['$type', 'path', 'extension', 'name', 'scopes'],
      itemExamples: [
        { $type: 'excludedPath', path: '/opt/backup', isDirectory: true },
        { $type: 'excludedFileName', name: '/usr/bin/rsync', scopes: ['global'] },
        { $type: 'excludedPath', path: '/home/*/git', isDirectory: true, scopes: ['epp'] },
        { $type: 'excludedFileExtension', extension: '.pdf', scopes: ['epp'] },
        { $type: 'excludedFileName', name: 'cat', scopes: ['epp'] },
      ],
      // 600: the maximumCount of Intune's linux_mdatp_managed_exclusionsettings_exclusions collection as Microsoft365DSC's
      // tests mirror its setting definition (not checked against Graph itself); mdatp documents no limit.
      maxItems: 600,
      default: [],
    },
    ['linux'],
  ),
  mdatp(
    'edr',
    'exclusionSettings.mergePolicy',
    {
      title: 'Global exclusions merge policy',
      description:
        'mdatp managed configuration key exclusionSettings.mergePolicy: admin_only ignores exclusions users add locally, for every scope (and then also governs antivirusEngine.exclusions).',
      type: 'string',
      values: labels('merge', 'admin_only'),
      default: 'merge',
    },
    ['linux'],
  ),
];
