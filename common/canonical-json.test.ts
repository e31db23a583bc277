// Pins the canonical JSON that signatures cover: key order independence, no whitespace, and the documented
// rejections (anything JSON.stringify would silently drop or change is a TypeError).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json.js';

/** The same object with its keys inserted in reverse order, recursively. */
function reversedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversedKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .reverse()
        .map(([k, v]) => [k, reversedKeys(v)]),
    );
  }
  return value;
}

describe('canonicalJson', () => {
  it('sorts keys and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: 'x', c: [true, null] })).toBe('{"a":"x","b":1,"c":[true,null]}');
  });

  it('does not depend on key insertion order', () => {
    expect(canonicalJson({ z: 1, a: { y: 2, b: 3 } })).toBe(canonicalJson({ a: { b: 3, y: 2 }, z: 1 }));
    fc.assert(fc.property(fc.jsonValue(), (value) => canonicalJson(reversedKeys(value)) === canonicalJson(value)));
  });

  it('sorts nested objects, including objects inside arrays', () => {
    expect(canonicalJson({ outer: { d: 1, c: { f: 2, e: 3 } }, list: [{ y: 1, x: 2 }] })).toBe('{"list":[{"x":2,"y":1}],"outer":{"c":{"e":3,"f":2},"d":1}}');
  });

  it('keeps array order', () => {
    expect(canonicalJson([3, 1, 2])).toBe('[3,1,2]');
    expect(canonicalJson(['b', 'a'])).not.toBe(canonicalJson(['a', 'b']));
  });

  it('sorts by UTF-16 code units, not locale', () => {
    // 'Z' (0x5a) < 'a' (0x61) < 'é' (0xe9) < '😀' (0xd83d…); a locale sort would put 'é' next to 'e'.
    expect(canonicalJson({ '😀': 4, é: 3, a: 2, Z: 1 })).toBe('{"Z":1,"a":2,"é":3,"😀":4}');
    // U+FF01 sorts after U+1F600 by code units (0xff01 > 0xd83d), before it by code points (RFC 8785 uses code units).
    expect(canonicalJson({ '\uff01': 1, '😀': 2 })).toBe('{"😀":2,"\uff01":1}');
  });

  it('escapes strings exactly as JSON.stringify does', () => {
    expect(canonicalJson({ 'k"ey': 'line\nbreak \u0001 "quoted" \\' })).toBe(`{${JSON.stringify('k"ey')}:${JSON.stringify('line\nbreak \u0001 "quoted" \\')}}`);
  });

  it('is stable under a JSON round trip and parses back to the same canonical form', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const canonical = canonicalJson(value);
        expect(canonicalJson(JSON.parse(JSON.stringify(value)))).toBe(canonical);
        expect(canonicalJson(JSON.parse(canonical))).toBe(canonical);
      }),
    );
  });

  it('omits object members whose value is undefined, as JSON.stringify does', () => {
    expect(canonicalJson({ a: 1, b: undefined })).toBe('{"a":1}');
    expect(canonicalJson({ a: 1, b: undefined })).toBe(canonicalJson(JSON.parse(JSON.stringify({ a: 1, b: undefined }))));
  });

  it('rejects what JSON.stringify would silently change', () => {
    expect(() => canonicalJson(Number.NaN)).toThrow(TypeError);
    expect(() => canonicalJson({ a: Number.POSITIVE_INFINITY })).toThrow(/non-finite/);
    expect(() => canonicalJson([Number.NEGATIVE_INFINITY])).toThrow(/non-finite/);
    // JSON.stringify writes null for these; a signer must not sign something other than what it was given.
    expect(() => canonicalJson([1, undefined])).toThrow(/undefined/);
    expect(() => canonicalJson(undefined)).toThrow(/undefined/);
    // biome-ignore lint/suspicious/noSparseArray: the hole is the point of the test
    expect(() => canonicalJson([, 1])).toThrow(/undefined/);
    expect(() => canonicalJson({ f: () => 1 })).toThrow(/function/);
    expect(() => canonicalJson(Symbol('s'))).toThrow(/symbol/);
    expect(() => canonicalJson(10n)).toThrow(/bigint/);
  });

  it('rejects objects that are not plain JSON objects', () => {
    expect(() => canonicalJson({ at: new Date(0) })).toThrow(/Date/);
    expect(() => canonicalJson(new Map([['a', 1]]))).toThrow(/Map/);
    expect(() => canonicalJson({ toJSON: () => 'x' })).toThrow(TypeError);
    expect(canonicalJson(Object.assign(Object.create(null), { b: 1, a: 2 }))).toBe('{"a":2,"b":1}');
  });
});
