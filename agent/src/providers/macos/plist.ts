// A small, strict XML property-list reader and writer for managed preferences (com.microsoft.wdav.plist): dict, array,
// string, integer, real, true, false; anything else (date, data, CDATA, comments, DTD entities, binary) is refused, so
// a file it cannot represent exactly is never rewritten. Strings are XML-escaped; numbers keep their exact text.

/** A number as written in the file: the element and its exact text (a real, or an integer beyond 2^53). */
export class PlistNumber {
  constructor(
    readonly type: 'integer' | 'real',
    readonly text: string,
  ) {
    if (!(type === 'integer' ? INTEGER : REAL).test(text)) throw new PlistError(`invalid <${type}> ${JSON.stringify(text)}`);
  }

  get value(): number {
    const t = this.text.toLowerCase().replace(/^\+/, '');
    if (/^-?inf(inity)?$/.test(t)) return t.startsWith('-') ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
    return t === 'nan' ? Number.NaN : Number(t);
  }
}

/** A value a property list holds; dictionaries are plain objects. */
export type PlistValue = string | number | boolean | PlistNumber | PlistValue[] | { [key: string]: PlistValue };

export class PlistError extends Error {
  override readonly name = 'PlistError';
}

const INTEGER = /^[+-]?[0-9]+$/;
const REAL = /^[+-]?(([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?|inf|infinity|nan)$/i;
const MAX_DEPTH = 64;
const HEADER =
  '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n<plist version="1.0">\n';

// XML 1.0 Char production: tab, LF, CR, U+0020–U+D7FF, U+E000–U+FFFD, and paired surrogates.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding the control characters XML cannot carry is the point
const NOT_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function checkChars(text: string, what: string): void {
  const bad = NOT_XML_CHAR.exec(text);
  if (!bad) return;
  const code = (bad[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
  const name = code === '0000' ? 'a NUL character' : `character U+${code}, which XML 1.0 cannot carry`;
  throw new PlistError(`${what} contains ${name}`);
}

// ---------------------------------------------------------------------------------------------------------- writer

/** The XML text of a property list whose root is the given value (a dictionary for managed preferences). */
export function serializePlist(root: unknown): string {
  return `${HEADER}${writeValue(root, 0, 'root')}\n</plist>\n`;
}

function escapeText(text: string, what: string): string {
  checkChars(text, what);
  // CR is written as a reference: XML readers turn a literal CR (or CRLF) into LF.
  return text.replace(/[&<>"'\r]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\r': '&#13;' })[c] ?? c);
}

function writeValue(value: unknown, depth: number, where: string): string {
  if (depth > MAX_DEPTH) throw new PlistError(`${where}: nested deeper than ${MAX_DEPTH} levels`);
  const pad = '\t'.repeat(depth);
  if (typeof value === 'string') return `${pad}<string>${escapeText(value, `string at ${where}`)}</string>`;
  if (typeof value === 'boolean') return `${pad}<${value}/>`;
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value)) return `${pad}<integer>${value}</integer>`;
    if (Number.isFinite(value) && !Number.isInteger(value)) return `${pad}<real>${value}</real>`;
    throw new PlistError(`${where}: number ${value} cannot be written exactly`);
  }
  if (value instanceof PlistNumber) return `${pad}<${value.type}>${value.text}</${value.type}>`;
  if (Array.isArray(value)) {
    if (value.length === 0) return `${pad}<array/>`;
    const items = value.map((item, i) => writeValue(item, depth + 1, `${where}[${i}]`));
    return `${pad}<array>\n${items.join('\n')}\n${pad}</array>`;
  }
  if (value !== null && typeof value === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(value))) {
    const keys = Object.keys(value);
    if (keys.length === 0) return `${pad}<dict/>`;
    const lines = keys.map((key) => {
      const item = writeValue((value as Record<string, unknown>)[key], depth + 1, `${where}.${key}`);
      return `${pad}\t<key>${escapeText(key, `key at ${where}`)}</key>\n${item}`;
    });
    return `${pad}<dict>\n${lines.join('\n')}\n${pad}</dict>`;
  }
  throw new PlistError(`${where}: ${value === null ? 'null' : typeof value} cannot be written to a property list`);
}

// ---------------------------------------------------------------------------------------------------------- reader

const ELEMENTS = new Set(['dict', 'key', 'array', 'string', 'integer', 'real', 'true', 'false']);

interface Tag {
  readonly name: string;
  readonly close: boolean;
  readonly empty: boolean;
}

/** Parses an XML property list. Throws PlistError, naming the offset, for anything outside the supported subset. */
export function parsePlist(xml: string): PlistValue {
  if (xml.startsWith('bplist')) throw new PlistError('binary property lists are not supported (expected XML)');
  return new Reader(xml.replace(/^\uFEFF/, '')).document();
}

class Reader {
  private pos = 0;
  constructor(private readonly s: string) {
    checkChars(s, 'property list');
  }

  document(): PlistValue {
    this.skipSpace();
    if (this.s.startsWith('<?xml', this.pos)) this.skipPast('?>', 'XML declaration');
    this.skipSpace();
    if (this.s.startsWith('<!DOCTYPE', this.pos)) {
      const end = this.s.indexOf('>', this.pos);
      if (end < 0 || this.s.slice(this.pos, end).includes('[')) this.fail('DOCTYPE with an internal subset (entity definitions) is not accepted');
      this.pos = end + 1;
    }
    this.skipSpace();
    const open = /^<plist(\s+version="1\.0")?\s*>/.exec(this.s.slice(this.pos, this.pos + 40));
    if (!open) this.fail('expected <plist version="1.0">');
    this.pos += open[0].length;
    this.skipSpace();
    const value = this.value(this.tag(), 0);
    this.skipSpace();
    const close = this.tag();
    if (!close.close || close.name !== 'plist') this.fail('expected </plist> after the root value');
    this.skipSpace();
    if (this.pos !== this.s.length) this.fail('content after </plist>');
    return value;
  }

  private value(tag: Tag, depth: number): PlistValue {
    if (depth > MAX_DEPTH) this.fail(`nested deeper than ${MAX_DEPTH} levels`);
    if (tag.close || !ELEMENTS.has(tag.name) || tag.name === 'key') this.fail(`unexpected <${tag.close ? '/' : ''}${tag.name}>`);
    switch (tag.name) {
      case 'dict':
        return tag.empty ? {} : this.dict(depth);
      case 'array':
        return tag.empty ? [] : this.array(depth);
      case 'true':
      case 'false':
        if (!tag.empty) {
          if (this.text() !== '') this.fail(`<${tag.name}> must be empty`);
          this.closing(tag.name);
        }
        return tag.name === 'true';
      default:
        return this.scalar(tag);
    }
  }

  private scalar(tag: Tag): PlistValue {
    const text = tag.empty ? '' : this.text();
    if (!tag.empty) this.closing(tag.name);
    if (tag.name === 'string') return text;
    const trimmed = text.trim();
    if (tag.name === 'integer') {
      if (!INTEGER.test(trimmed)) this.fail(`invalid <integer> ${JSON.stringify(text)}`);
      // Kept as written unless the text is the canonical form of a safe integer ("+5", "007", "-0", 2^60 stay text).
      const n = Number(trimmed);
      return Number.isSafeInteger(n) && String(n) === trimmed ? n : new PlistNumber('integer', trimmed);
    }
    if (!REAL.test(trimmed)) this.fail(`invalid <real> ${JSON.stringify(text)}`);
    return new PlistNumber('real', trimmed);
  }

  private dict(depth: number): Record<string, PlistValue> {
    const out: Record<string, PlistValue> = {};
    for (;;) {
      this.skipSpace();
      const tag = this.tag();
      if (tag.close && tag.name === 'dict') return out;
      if (tag.name !== 'key' || tag.close) this.fail(`expected <key> in <dict>, found <${tag.close ? '/' : ''}${tag.name}>`);
      const key = tag.empty ? '' : this.text();
      if (!tag.empty) this.closing('key');
      if (Object.hasOwn(out, key)) this.fail(`duplicate key ${JSON.stringify(key)}`);
      this.skipSpace();
      const value = this.value(this.tag(), depth + 1);
      Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
    }
  }

  private array(depth: number): PlistValue[] {
    const out: PlistValue[] = [];
    for (;;) {
      this.skipSpace();
      const tag = this.tag();
      if (tag.close && tag.name === 'array') return out;
      out.push(this.value(tag, depth + 1));
    }
  }

  private tag(): Tag {
    if (this.s[this.pos] !== '<') this.fail(this.pos >= this.s.length ? 'unexpected end of input' : 'expected an element');
    if (this.s.startsWith('<!--', this.pos)) this.fail('comments are not accepted');
    if (this.s.startsWith('<![CDATA[', this.pos)) this.fail('CDATA sections are not accepted');
    const m = /^<(\/?)([A-Za-z][A-Za-z0-9]*)\s*(\/?)>/.exec(this.s.slice(this.pos, this.pos + 20));
    if (!m) this.fail('malformed tag or a tag with attributes');
    const [all, slash, name, selfClose] = m as unknown as [string, string, string, string];
    if (!ELEMENTS.has(name) && name !== 'plist') this.fail(`unsupported plist element <${name}>`);
    if (slash && selfClose) this.fail('malformed tag');
    this.pos += all.length;
    return { name, close: slash === '/', empty: selfClose === '/' };
  }

  /** Character data up to the next tag, with line ends normalised and references decoded. */
  private text(): string {
    const end = this.s.indexOf('<', this.pos);
    if (end < 0) this.fail('unexpected end of input in text');
    const raw = this.s.slice(this.pos, end).replace(/\r\n?/g, '\n');
    const at = this.pos;
    this.pos = end;
    return raw.replace(/&([^;]{0,10});?/g, (match, ref: string) => {
      if (!match.endsWith(';')) this.fail(`bare & in text at offset ${at}`);
      const named: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
      if (named[ref] !== undefined) return named[ref];
      const num = /^#(?:x([0-9A-Fa-f]{1,6})|([0-9]{1,7}))$/.exec(ref);
      if (!num) this.fail(`unsupported entity &${ref};`);
      const code = num[1] !== undefined ? Number.parseInt(num[1], 16) : Number(num[2]);
      if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) this.fail(`invalid character reference &${ref};`);
      const ch = String.fromCodePoint(code);
      checkChars(ch, `character reference &${ref};`);
      return ch;
    });
  }

  private closing(name: string): void {
    const tag = this.tag();
    if (!tag.close || tag.name !== name) this.fail(`expected </${name}>`);
  }

  private skipSpace(): void {
    while (this.pos < this.s.length && ' \t\r\n'.includes(this.s[this.pos] as string)) this.pos++;
  }

  private skipPast(token: string, what: string): void {
    const end = this.s.indexOf(token, this.pos);
    if (end < 0) this.fail(`unterminated ${what}`);
    this.pos = end + token.length;
  }

  private fail(message: string): never {
    throw new PlistError(`property list, offset ${this.pos}: ${message}`);
  }
}
