// The indicator list the risk checks read: items checked one by one (a bad one is skipped and named), and checked
// again only when the list changed (5,000 items cost seconds of CPU per check otherwise).
import { describe, expect, it } from 'vitest';
import { MemoryFileStore } from '../system/file-store.js';
import { IndicatorSource } from './indicator-source.js';

const PATH = '/state/indicators.json';
const file = (items: unknown[]) => `${JSON.stringify({ formatVersion: 1, items })}\n`;
const good = { type: 'fileMd5', value: 'ab'.repeat(16), action: 'blockAndRemediate' };

describe('indicator source', () => {
  it('parses and checks the list once while it is unchanged, again when it changes', async () => {
    const files = new MemoryFileStore();
    const invalid: string[] = [];
    const source = new IndicatorSource({ files, path: PATH, onInvalid: (m) => invalid.push(m) });
    expect(await source.read()).toEqual([]);
    await files.writeAtomic(PATH, file([good]));
    expect(await source.read()).toEqual([good]);
    expect(await source.read()).toEqual([good]);
    expect(source.parses).toBe(2);
    const expiredBadly = { ...good, value: 'cd'.repeat(16), expirationTime: 'tomorrow' };
    await files.writeAtomic(PATH, `${JSON.stringify({ formatVersion: 1, items: [good, expiredBadly] })}\n`);
    // The whole-list check refuses the file (STATE_CORRUPT naming it): the read fails, as before the memo.
    await expect(source.read()).rejects.toMatchObject({ code: 'STATE_CORRUPT' });
    await files.writeAtomic(PATH, file([good, { ...good, value: 'ef'.repeat(16) }]));
    expect((await source.read()).map((i) => i.value)).toEqual(['ab'.repeat(16), 'ef'.repeat(16)]);
    expect(source.parses).toBe(4);
    expect(invalid).toEqual([]);
  });
});
