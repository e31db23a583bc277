import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildZip } from './testing/zip-writer.js';
import { looksLikeZip, zipEntries } from './zip.js';

const limits = { maxEntryBytes: 1 << 20, maxTotalBytes: 4 << 20, maxRatio: 100 };
const read = (bytes: Buffer, l = limits) => [...zipEntries(bytes, 'all.zip', l)].map((e) => [e.name, e.data.toString()]);

describe('zipEntries', () => {
  it('reads an archive written by Info-ZIP zip (deflated and stored entries, a directory left out)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'attache-zip-'));
    try {
      mkdirSync(join(dir, 'Debian'));
      writeFileSync(join(dir, 'Debian', 'DSA-5532-1.json'), JSON.stringify({ id: 'DSA-5532-1' }).repeat(50));
      writeFileSync(join(dir, 'tiny.json'), '{}');
      execFileSync('zip', ['-q', '-r', 'all.zip', 'Debian', 'tiny.json'], { cwd: dir });
      const bytes = readFileSync(join(dir, 'all.zip'));
      expect(looksLikeZip(bytes)).toBe(true);
      expect(read(bytes)).toEqual([
        ['Debian/DSA-5532-1.json', JSON.stringify({ id: 'DSA-5532-1' }).repeat(50)],
        ['tiny.json', '{}'],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads our own stored and deflated entries, and an empty archive', () => {
    expect(
      read(
        buildZip([
          { name: 'a.json', data: '[1]', method: 0 },
          { name: 'b.json', data: '[2]' },
        ]),
      ),
    ).toEqual([
      ['a.json', '[1]'],
      ['b.json', '[2]'],
    ]);
    expect(read(buildZip([]))).toEqual([]);
  });

  it('refuses what it cannot read safely, naming the archive and the entry', () => {
    const cases: [Buffer, RegExp][] = [
      [Buffer.from('PK\u0003\u0004 but nothing else'), /"all.zip" cannot be read: no end of central directory record/],
      [buildZip([{ name: 'a.json', data: '{}' }], { zip64Locator: true }), /ZIP64 archives are not supported/],
      [buildZip([{ name: 'a.json', data: '{}', method: 12 }]), /entry "a.json" uses compression method 12/],
      [buildZip([{ name: 'a.json', data: '{}', flags: 1 }]), /entry "a.json" is encrypted/],
      [buildZip([{ name: 'a.json', data: '{}', crc: 1 }]), /entry "a.json" fails its CRC-32 check/],
      [buildZip([{ name: 'a.json', data: 'x'.repeat(5000), declaredSize: 10 }]), /entry "a.json" inflates to more than the 10 bytes its header states/],
      [buildZip([{ name: '../../etc/passwd', data: '{}' }]), /entry name "..\/..\/etc\/passwd" is not a relative path/],
      [buildZip([{ name: 'a\u001b[2J.json', data: '{}' }]), /entry name .* is not a relative path of printable characters/],
      [buildZip([{ name: 'big.json', data: 'x'.repeat(2 << 20) }]), /entry "big.json" is 2097152 bytes, more than the 1048576 allowed/],
      [
        buildZip([{ name: 'bomb.json', data: '{},'.repeat(300_000) }]),
        /entry "bomb.json" would inflate \d+ times its compressed size \(\d+ bytes\), more than the 100 allowed/,
      ],
    ];
    for (const [bytes, message] of cases) expect(() => read(bytes)).toThrow(message);
    const many = buildZip(Array.from({ length: 5 }, (_, k) => ({ name: `${k}.json`, data: randomBytes(3 << 18).toString('base64') })));
    expect(() => read(many)).toThrow(/its entries hold more than 4194304 bytes/);
  });
});
