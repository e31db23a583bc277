// Fuzz: the XML property-list reader (managed preferences, com.microsoft.wdav.plist). Mutated real plists and
// serialised arbitrary dictionaries give a PlistError naming the offset, or a value that writes back and reads equal.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clearOutcome, deepObject, FUZZ_RUNS, hostileText, pathologicalTexts } from '../../../../test/fuzz.js';
import { PlistError, parsePlist, serializePlist } from './plist.js';

const SAMPLE = readFileSync(new URL('testdata/wdav-managed-expected.plist', import.meta.url), 'utf8');

/** Parsing is a clear error, or a value whose serialisation reads back to the same value. */
function check(xml: string): void {
  const out = clearOutcome(parsePlist, xml, [PlistError]);
  if (!out.ok) return;
  const again = clearOutcome(serializePlist, out.value, [PlistError]);
  if (again.ok) expect(parsePlist(again.value)).toEqual(out.value);
}

describe('plist reader under fuzzing', () => {
  it('mutated real plists: PlistError or a value that round-trips', () => {
    fc.assert(fc.property(hostileText([SAMPLE]), check), FUZZ_RUNS);
  });

  it('written dictionaries of arbitrary JSON, then mutated: PlistError or a round-trip', () => {
    const written = fc
      .dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 })
      .map((d) => clearOutcome(serializePlist, d, [PlistError]))
      .filter((o) => o.ok)
      .map((o) => (o.ok ? o.value : ''));
    fc.assert(fc.property(fc.oneof(written, hostileText([SAMPLE])), check), FUZZ_RUNS);
  });

  it.each(pathologicalTexts(SAMPLE))('pathological input finishes clearly: $name', ({ text }) => check(text));

  it('10k nested <dict> is refused by depth, not a stack overflow', () => {
    const deep = `<plist version="1.0">${'<dict><key>a</key>'.repeat(10_000)}<true/>${'</dict>'.repeat(10_000)}</plist>`;
    expect(() => parsePlist(deep)).toThrow(PlistError);
    expect(() => serializePlist(deepObject(10_000))).toThrow(PlistError);
  });
});
