// Fuzz: disk-encryption readings from `lsblk -J` (Linux) and `fdesetup status` (macOS): a clear Error naming lsblk, or
// one of the three states; fdesetup never throws (anything unknown is the "unknown" state).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clearOutcome, FUZZ_RUNS, hostileJsonText, hostileText, pathologicalTexts } from '../../../test/fuzz.js';
import { parseFdesetup, parseLsblk } from './disk-encryption.js';

/** lsblk 2.37+ (the `mountpoints` array), root on LVM inside LUKS, plus a plain data disk. */
const LSBLK = {
  blockdevices: [
    { name: 'sdb', type: 'disk', fstype: 'ext4', mountpoints: ['/srv/data'] },
    {
      name: 'sda',
      type: 'disk',
      fstype: null,
      mountpoints: [null],
      children: [
        {
          name: 'sda3',
          type: 'part',
          fstype: 'crypto_LUKS',
          mountpoints: [null],
          children: [{ name: 'luks-1', type: 'crypt', fstype: 'LVM2_member', children: [{ name: 'vg-root', type: 'lvm', fstype: 'xfs', mountpoints: ['/'] }] }],
        },
      ],
    },
  ],
};
const FDESETUP = ['FileVault is On.\n', 'FileVault is Off.\n', 'Encryption in progress: Percent completed = 42.1\n'];
const STATES = ['encrypted', 'notEncrypted', 'unknown'];

function check(input: string): void {
  const lsblk = clearOutcome(parseLsblk, input, [Error]);
  if (lsblk.ok) expect(STATES).toContain(lsblk.value.state);
  const fde = clearOutcome(parseFdesetup, input, []);
  if (fde.ok) expect(STATES).toContain(fde.value.state);
}

describe('disk encryption parsers under fuzzing', () => {
  it('lsblk JSON and fdesetup text: clear error or a state', () => {
    fc.assert(fc.property(fc.oneof(hostileJsonText([LSBLK]), hostileText(FDESETUP)), check), FUZZ_RUNS);
  });

  it.each(pathologicalTexts(JSON.stringify(LSBLK)))('pathological input finishes clearly: $name', ({ text }) => check(text));

  it('10k nested lsblk children finish clearly (the tree walk recurses)', () => {
    // Built as text: JSON.stringify of the tree would itself overflow.
    const open = '{"name":"d","type":"part","children":['.repeat(10_000);
    check(`{"blockdevices":[${open}{"name":"leaf","type":"crypt","mountpoint":"/"}${']}'.repeat(10_000)}]}`);
  });

  it.each([
    ['children that is a number', { blockdevices: [{ name: 'sda', type: 'disk', children: 5 }] }],
    ['a null device', { blockdevices: [null, { name: 'sda', type: 'disk', mountpoint: '/' }] }],
    ['mountpoints that is a string', { blockdevices: [{ name: 'sda', type: 'disk', mountpoints: '/' }] }],
  ])('regression: %s is skipped, not a TypeError', (_name, doc) => {
    expect(STATES).toContain(parseLsblk(JSON.stringify(doc)).state);
  });
});
