import { describe, expect, it } from 'vitest';
import { isoTime } from './iso-time.js';

describe('isoTime', () => {
  it('matches toISOString across eras, including extended years and fractional input', () => {
    const times = [0, 1, -1, 1796427247681, 1796427247681.9, 253402300799999, 253402300800000, -62167219200000, -62167219200001, 8.64e15, -8.64e15];
    for (let i = 0; i < 200; i++) times.push(Math.round((i * 7.3e13) % 8.64e15) * (i % 2 ? -1 : 1));
    for (const t of times) expect(isoTime(t)).toBe(new Date(t).toISOString());
  });

  it('accepts a Date', () => {
    expect(isoTime(new Date('2026-12-04T23:20:10.005Z'))).toBe('2026-12-04T23:20:10.005Z');
  });

  it('refuses an invalid time as toISOString does', () => {
    expect(() => isoTime(Number.NaN)).toThrow(RangeError);
    expect(() => isoTime(8.64e15 + 1)).toThrow('Invalid time value');
  });
});
