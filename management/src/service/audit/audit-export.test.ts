// Tests of the CSV cells of the audit export: RFC 4180 quoting and the formula-injection guard.
import { describe, expect, it } from 'vitest';
import { auditCsvLine, csvCell } from './audit-export.js';

describe('audit CSV', () => {
  it('quotes cells with commas, quotes and line breaks', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(42)).toBe('42');
  });

  it('defuses cells a spreadsheet would run as a formula', () => {
    for (const start of ['=', '+', '-', '@', '\t', '\r']) expect(csvCell(`${start}cmd|' /C calc'!A0`).replace(/^"/, '')).toMatch(/^'/);
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell('=A1,B1')).toBe(`"'=A1,B1"`);
  });

  it('writes one line per entry with before/after as JSON text', () => {
    const line = auditCsvLine({
      seq: 7,
      at: '2026-01-01T00:00:00.000Z',
      actor: null,
      sourceAddress: '::1',
      action: 'session.loginFailed',
      target: null,
      outcome: 'failure',
      errorCode: 'LOGIN_FAILED',
      before: null,
      after: { a: 'x,y' },
      prevHash: 'a'.repeat(64),
      hash: 'b'.repeat(64),
    });
    expect(line).toBe(
      `7,2026-01-01T00:00:00.000Z,,,,::1,session.loginFailed,,,failure,LOGIN_FAILED,,"{""a"":""x,y""}",${'a'.repeat(64)},${'b'.repeat(64)}\r\n`,
    );
  });
});
