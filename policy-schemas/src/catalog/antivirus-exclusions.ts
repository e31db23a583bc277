// Antivirus exclusions (Intune "Microsoft Defender Antivirus exclusions"): Windows Policy CSP lists and the mdatp
// exclusion entries of mde-domain.md §3.1. Exclusions from several policies merge (documented Intune behaviour).
import { defender, labels, mdatp } from './builders.js';
import type { SettingDefinition } from './setting-definition.js';
import { ABSOLUTE_PATH, describedPattern, PIPE_LIST_ITEM_PATTERN, TEXT_FORBIDDEN, textSchema } from './text.js';

function list(name: string, title: string): SettingDefinition {
  return defender('antivirusExclusions', name, {
    title,
    description: `Policy CSP Defender/${name} ('|'-delimited on the device). Lists from several policies merge as a union.`,
    type: 'stringList',
    pattern: PIPE_LIST_ITEM_PATTERN,
    maxItems: 1000,
    default: [],
  });
}

const EXTENSION_PART = `[^./\\\\${TEXT_FORBIDDEN}]+`;
const EXTENSION = describedPattern(
  `^\\.?${EXTENSION_PART}(\\.${EXTENSION_PART})*$`,
  'must be a file extension (optional leading ".", no "/", "\\" or control characters)',
);

const TYPE = (name: string) => ({ type: 'string', const: name });
/** One mdatp exclusion; the fields allowed depend on `$type`. Paths are absolute; `*` and `?` are wildcards. */
export const MDATP_EXCLUSION = {
  oneOf: [
    {
      type: 'object',
      properties: {
        $type: TYPE('excludedPath'),
        path: { type: 'string', minLength: 2, maxLength: 1024, pattern: ABSOLUTE_PATH },
        isDirectory: { type: 'boolean' },
      },
      required: ['$type', 'path'],
      additionalProperties: false,
    },
    {
      type: 'object',
      properties: {
        $type: TYPE('excludedFileExtension'),
        extension: { type: 'string', minLength: 1, maxLength: 64, pattern: EXTENSION },
      },
      required: ['$type', 'extension'],
      additionalProperties: false,
    },
    {
      type: 'object',
      properties: { $type: TYPE('excludedFileName'), name: textSchema(1024) },
      required: ['$type', 'name'],
      additionalProperties: false,
    },
  ],
};

export const ANTIVIRUS_EXCLUSIONS_SETTINGS: readonly SettingDefinition[] = [
  list('ExcludedPaths', 'Excluded paths'),
  list('ExcludedExtensions', 'Excluded file extensions'),
  list('ExcludedProcesses', 'Excluded processes'),
  mdatp('antivirusExclusions', 'antivirusEngine.exclusions', {
    title: 'Antivirus exclusions',
    description: 'mdatp managed configuration key antivirusEngine.exclusions: entries of $type excludedPath, excludedFileExtension or excludedFileName.',
    type: 'objectList',
    itemSchema: MDATP_EXCLUSION,
    itemKey: ['$type', 'path', 'extension', 'name'],
    itemExamples: [
      { $type: 'excludedPath', path: '/var/lib/build', isDirectory: true },
      { $type: 'excludedPath', path: '/opt/app/data.db', isDirectory: false },
      { $type: 'excludedFileExtension', extension: '.log' },
      { $type: 'excludedFileName', name: 'java' },
    ],
    maxItems: 5000,
    default: [],
  }),
  mdatp('antivirusExclusions', 'antivirusEngine.exclusionsMergePolicy', {
    title: 'Exclusions merge policy',
    type: 'string',
    values: labels('merge', 'admin_only'),
    default: 'merge',
  }),
];
