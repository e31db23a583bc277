// The one string primitive of setting values: free text may not hold the characters no provider can carry, so the
// endpoint, what-if, the agent's verify step, the simulated host and every real provider refuse the same values.
// Refused: C0/C1 controls and DEL (NUL, tab, line breaks, ESC), lone surrogates, and U+FFFE/U+FFFF (XML cannot carry them).

/** The refused characters, as the body of a `u`-flag regular-expression character class. */
export const TEXT_FORBIDDEN = '\\u0000-\\u001F\\u007F-\\u009F\\uD800-\\uDFFF\\uFFFE\\uFFFF';
const FORBIDDEN_WORDS = 'control characters (NUL, tab, line breaks, ESC), lone surrogates or U+FFFE/U+FFFF';

const MESSAGES = new Map<string, string>();

function classEscape(chars: string): string {
  return [...chars].map((c) => (/[\\\]^-]/.test(c) ? `\\${c}` : c)).join('');
}

/**
 * Pattern of free text: any characters but the refused ones and `separators` (characters that split items on the
 * device, e.g. `|` for the Policy CSP's delimited lists). `why` says, for the error message, why they are refused.
 */
export function textPattern(separators = '', why = ''): string {
  const pattern = `^[^${TEXT_FORBIDDEN}${classEscape(separators)}]*$`;
  const extra = separators === '' ? '' : ` or ${[...separators].map((c) => JSON.stringify(c)).join(', ')}${why ? ` (${why})` : ''}`;
  MESSAGES.set(pattern, `must not contain ${FORBIDDEN_WORDS}${extra}`);
  return pattern;
}

/** Free text of any characters but the refused ones. */
export const TEXT_PATTERN = textPattern();
/** Items of a Policy CSP list the device stores '|'-delimited. */
export const PIPE_LIST_ITEM_PATTERN = textPattern('|', 'it separates items on the device');
/** Items of an ASR per-rule exclusion list, stored '>'-delimited in one registry string. */
export const ANGLE_LIST_ITEM_PATTERN = textPattern('>', 'it separates items on the device');

/** Free text of at least one character (a value where empty means nothing, such as a log file path). */
export const NON_EMPTY_TEXT_PATTERN = describedPattern(`^[^${TEXT_FORBIDDEN}]+$`, `must be non-empty, without ${FORBIDDEN_WORDS}`);

/** A string schema of free text (1 to `maxLength` characters unless `minLength` says otherwise). */
export function textSchema(maxLength: number, minLength = 1): Record<string, unknown> {
  return { type: 'string', minLength, maxLength, pattern: TEXT_PATTERN };
}

/** The readable error for a catalog text pattern, or undefined when `pattern` is not one. */
export function textPatternMessage(pattern: string): string | undefined {
  return MESSAGES.get(pattern);
}

/** Registers the readable error of a pattern that embeds TEXT_FORBIDDEN in its own structure (a path, an extension). */
export function describedPattern(pattern: string, message: string): string {
  MESSAGES.set(pattern, message);
  return pattern;
}

/** A POSIX absolute path: starts with "/", no refused characters. */
export const ABSOLUTE_PATH = describedPattern(`^/[^${TEXT_FORBIDDEN}]*$`, `must be an absolute path (start with "/") without ${FORBIDDEN_WORDS}`);
