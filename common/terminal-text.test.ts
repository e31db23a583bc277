// Tests of safe rendering: control, bidi and invisible characters become visible escapes; ordinary text is untouched.
import { describe, expect, it } from 'vitest';
import { hasUnsafeCharacters, htmlText, terminalCell, terminalText } from './terminal-text.js';

const ATTACK = 'evil\x1b[2J\x1b[H\nFAKE-DEVICE-ROW';

describe('terminalCell', () => {
  it('escapes ESC, CR, LF, TAB, NUL, DEL and C1 controls visibly', () => {
    expect(terminalCell(ATTACK)).toBe('evil\\x1b[2J\\x1b[H\\nFAKE-DEVICE-ROW');
    expect(terminalCell('a\rb\tc\x00d\x7fe\x9bf')).toBe('a\\rb\\tc\\x00d\\x7fe\\x9bf');
  });

  it('escapes bidi controls, marks and zero-width characters', () => {
    expect(terminalCell('invoice\u202Efdp.exe')).toBe('invoice\\u202efdp.exe');
    expect(terminalCell('\u2066a\u2069\u200e\u200f\u061c\u200b\ufeff')).toBe('\\u2066a\\u2069\\u200e\\u200f\\u061c\\u200b\\ufeff');
    expect(terminalCell('x\u2028y\u{e0041}')).toBe('x\\u2028y\\u{e0041}');
  });

  it('escapes lone surrogates and leaves ordinary Unicode alone', () => {
    expect(terminalCell('a\ud800b')).toBe('a\\ud800b');
    expect(terminalCell('Müller-PC Ωmega 日本 😀 café')).toBe('Müller-PC Ωmega 日本 😀 café');
  });
});

describe('terminalText', () => {
  it('keeps line feeds and escapes everything else', () => {
    expect(terminalText('one\ntwo\x1b[2J\r')).toBe('one\ntwo\\x1b[2J\\r');
  });

  it('is idempotent on already escaped text', () => {
    expect(terminalText(terminalCell(ATTACK))).toBe(terminalCell(ATTACK));
  });
});

describe('htmlText', () => {
  it('escapes markup and neutralises bidi controls', () => {
    expect(htmlText(`<b x="1">'&\u202e`)).toBe('&lt;b x=&quot;1&quot;&gt;&#39;&amp;\\u202e');
  });
});

describe('hasUnsafeCharacters', () => {
  it('says whether anything would be escaped', () => {
    expect(hasUnsafeCharacters(ATTACK)).toBe(true);
    expect(hasUnsafeCharacters('a\u2067')).toBe(true);
    expect(hasUnsafeCharacters('host-01.example.com')).toBe(false);
    expect(hasUnsafeCharacters('a\ud800')).toBe(true);
  });
});
