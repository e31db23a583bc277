// Untrusted strings made safe for human output (terminals, text tables, HTML): control characters, bidi controls and
// other invisible format characters become visible escapes such as `\x1b` or `\u202e`, so nothing a device or an
// imported file supplies can move the cursor, clear the screen, forge a table row or reorder what the reader sees.

// Cc: C0, DEL and C1 controls (ESC, CR, LF, TAB, NUL, CSI U+009B …). Cf: format characters, which include the bidi
// embeddings/overrides/isolates (U+202A–U+202E, U+2066–U+2069), marks (U+200E/U+200F, U+061C), zero-width characters,
// the BOM, soft hyphen and tag characters. Zl/Zp: line and paragraph separators (some terminals break lines on them).
// Cs: lone surrogates, which terminals render unpredictably.
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;
const ANY_UNSAFE = new RegExp(UNSAFE.source, 'u');

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** The visible escape of one unsafe character: `\n`, `\r`, `\t`, `\xHH`, `\uHHHH` or `\u{HHHHH}`. */
function visible(ch: string): string {
  const named = NAMED[ch];
  if (named) return named;
  const cp = ch.codePointAt(0) ?? 0;
  const hex = cp.toString(16);
  if (cp < 0x100) return `\\x${hex.padStart(2, '0')}`;
  if (cp < 0x10000) return `\\u${hex.padStart(4, '0')}`;
  return `\\u{${hex}}`;
}

/** True when `text` holds a character that `terminalCell` would escape (for validation messages and tests). */
export function hasUnsafeCharacters(text: string): boolean {
  return ANY_UNSAFE.test(text);
}

/** One value inside a line (a table cell, a `key: value` field, a name in a sentence): every unsafe character,
 * line breaks and tabs included, is escaped visibly. */
export function terminalCell(text: string): string {
  return text.replace(UNSAFE, visible);
}

/** A whole block of human output: like `terminalCell` but line feeds stay line feeds. Apply it at the sink as a
 * second line of defence; values must still go through `terminalCell` where a line break would forge a row. */
export function terminalText(text: string): string {
  return text.replace(UNSAFE, (ch) => (ch === '\n' ? ch : visible(ch)));
}

/** A value for an HTML page: unsafe characters escaped visibly (bidi controls would reorder the page's text too),
 * then `& < > " '` as entities, so it is safe in element content and in quoted attributes. */
export function htmlText(text: string): string {
  return terminalCell(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
