// The XML property-list reader and writer: exact output, round trips, hostile strings as inert text, and refusal of
// everything outside the supported subset.
import { describe, expect, it } from 'vitest';
import { PlistError, PlistNumber, parsePlist, serializePlist } from './plist.js';

const HEADER =
  '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n<plist version="1.0">\n';

function wrap(body: string): string {
  return `${HEADER}${body}\n</plist>\n`;
}

describe('serializePlist', () => {
  it('writes every supported type in Apple layout', () => {
    const text = serializePlist({ s: 'a', i: 42, neg: -7, r: 2.5, t: true, f: false, list: ['x', 1], empty: {}, none: [], nested: { k: '' } });
    expect(text).toBe(
      wrap(
        [
          '<dict>',
          '\t<key>s</key>',
          '\t<string>a</string>',
          '\t<key>i</key>',
          '\t<integer>42</integer>',
          '\t<key>neg</key>',
          '\t<integer>-7</integer>',
          '\t<key>r</key>',
          '\t<real>2.5</real>',
          '\t<key>t</key>',
          '\t<true/>',
          '\t<key>f</key>',
          '\t<false/>',
          '\t<key>list</key>',
          '\t<array>',
          '\t\t<string>x</string>',
          '\t\t<integer>1</integer>',
          '\t</array>',
          '\t<key>empty</key>',
          '\t<dict/>',
          '\t<key>none</key>',
          '\t<array/>',
          '\t<key>nested</key>',
          '\t<dict>',
          '\t\t<key>k</key>',
          '\t\t<string></string>',
          '\t</dict>',
          '</dict>',
        ].join('\n'),
      ),
    );
  });

  it('escapes markup in strings and keys, so hostile text stays text', () => {
    const hostile = ']]></string><true/><string>&amp;<!-- "quoted" \'single\' $(rm -rf /) `id` ; | & \n line2 \r cr';
    const key = 'k<&>"\'';
    const text = serializePlist({ [key]: hostile });
    expect(text).toContain(
      '<key>k&lt;&amp;&gt;&quot;&apos;</key>\n\t<string>]]&gt;&lt;/string&gt;&lt;true/&gt;&lt;string&gt;&amp;amp;&lt;!-- &quot;quoted&quot; &apos;single&apos; $(rm -rf /) `id` ; | &amp; \n line2 &#13; cr</string>',
    );
    expect(text).not.toContain(']]>');
    expect(parsePlist(text)).toEqual({ [key]: hostile });
  });

  it('refuses NUL and other characters XML 1.0 cannot carry, naming them', () => {
    expect(() => serializePlist({ a: 'x\0y' })).toThrow(new PlistError('string at root.a contains a NUL character'));
    expect(() => serializePlist({ 'k\0': 'v' })).toThrow(/key at root contains a NUL character/);
    expect(() => serializePlist({ a: 'bell\u0007' })).toThrow(/U\+0007, which XML 1.0 cannot carry/);
    expect(() => serializePlist({ a: 'half \uD800 surrogate' })).toThrow(/U\+D800/);
  });

  it('refuses values a property list cannot hold exactly', () => {
    expect(() => serializePlist({ a: null })).toThrow(/null cannot be written/);
    expect(() => serializePlist({ a: undefined })).toThrow(/undefined cannot be written/);
    expect(() => serializePlist({ a: Number.NaN })).toThrow(/cannot be written exactly/);
    expect(() => serializePlist({ a: 2 ** 60 })).toThrow(/cannot be written exactly/);
    expect(() => serializePlist({ a: new Date(0) })).toThrow(/object cannot be written/);
  });

  it('keeps the exact text of foreign numbers', () => {
    const doc = parsePlist(wrap('<dict><key>r</key><real>1.0</real><key>big</key><integer>9007199254740993</integer><key>p</key><integer>+5</integer></dict>'));
    const out = serializePlist(doc);
    expect(out).toContain('<real>1.0</real>');
    expect(out).toContain('<integer>9007199254740993</integer>');
    expect(out).toContain('<integer>+5</integer>');
    expect((doc as Record<string, PlistNumber>).r).toEqual(new PlistNumber('real', '1.0'));
  });
});

describe('parsePlist', () => {
  it('reads what it writes', () => {
    const value = { a: ['x', 'y z', ''], b: { c: 1, d: false, e: 0.25 }, 'sp ace': '  padded\t' };
    expect(parsePlist(serializePlist(value))).toEqual({ ...value, b: { c: 1, d: false, e: new PlistNumber('real', '0.25') } });
  });

  it('reads Apple-style files: BOM, CRLF, empty elements, whitespace between elements', () => {
    const text = `\uFEFF<?xml version="1.0" encoding="UTF-8"?>\r\n<plist version="1.0">\r\n<dict>\r\n  <key>a</key>\r\n  <string>one\r\ntwo&#13;</string>\r\n  <key>b</key><string/>\r\n  <key>c</key><true></true>\r\n</dict>\r\n</plist>\r\n`;
    expect(parsePlist(text)).toEqual({ a: 'one\ntwo\r', b: '', c: true });
  });

  it('decodes the five XML entities and numeric references, nothing else', () => {
    expect(parsePlist(wrap('<string>&lt;&gt;&amp;&quot;&apos;&#65;&#x42;</string>'))).toBe('<>&"\'AB');
    expect(() => parsePlist(wrap('<string>&nbsp;</string>'))).toThrow(/unsupported entity &nbsp;/);
    expect(() => parsePlist(wrap('<string>a & b</string>'))).toThrow(/bare &/);
    expect(() => parsePlist(wrap('<string>&#0;</string>'))).toThrow(/NUL/);
  });

  it('keeps a __proto__ key as data', () => {
    const doc = parsePlist(wrap('<dict><key>__proto__</key><dict><key>polluted</key><true/></dict></dict>')) as Record<string, unknown>;
    expect(Object.keys(doc)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(serializePlist(doc)).toContain('<key>__proto__</key>');
  });

  it.each([
    ['a binary plist', 'bplist00\u00d1\u0001\u0002', /binary property lists are not supported/],
    ['<date>', wrap('<date>2024-01-01T00:00:00Z</date>'), /unsupported plist element <date>/],
    ['<data>', wrap('<data>AAEC</data>'), /unsupported plist element <data>/],
    ['a comment', wrap('<dict><!-- x --></dict>'), /comments are not accepted/],
    ['CDATA', wrap('<string><![CDATA[x]]></string>'), /CDATA sections are not accepted/],
    ['an internal DTD subset', '<?xml version="1.0"?><!DOCTYPE plist [<!ENTITY x "y">]><plist version="1.0"><string>&x;</string></plist>', /internal subset/],
    ['attributes', wrap('<string id="1">x</string>'), /attributes/],
    ['a duplicate key', wrap('<dict><key>a</key><true/><key>a</key><false/></dict>'), /duplicate key "a"/],
    ['a key without value', wrap('<dict><key>a</key></dict>'), /unexpected <\/dict>/],
    ['text in a dict', wrap('<dict>junk<key>a</key><true/></dict>'), /expected an element/],
    ['a bad integer', wrap('<integer>12a</integer>'), /invalid <integer>/],
    ['a bad real', wrap('<real>1..2</real>'), /invalid <real>/],
    ['content in <true>', wrap('<true>yes</true>'), /must be empty/],
    ['a mismatched close', wrap('<string>x</integer>'), /expected <\/string>/],
    ['trailing content', `${wrap('<true/>')}<true/>`, /content after <\/plist>/],
    ['truncation', wrap('<dict><key>a</key><string>x').slice(0, -10), /unexpected end|expected/],
    ['a raw NUL', wrap('<string>a\0b</string>'), /NUL/],
    ['no plist element', '<dict/>', /expected <plist version="1.0">/],
  ])('refuses %s', (_what, text, error) => {
    expect(() => parsePlist(text)).toThrow(error);
  });

  it('refuses nesting deeper than 64 levels instead of overflowing the stack', () => {
    expect(() => parsePlist(wrap(`${'<array>'.repeat(100)}${'</array>'.repeat(100)}`))).toThrow(/deeper than 64/);
  });
});
