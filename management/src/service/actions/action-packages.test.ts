// The download's file name: only safe characters of the device name, never a path, quote or control character.
import { describe, expect, it } from 'vitest';
import { packageFilename } from './action-packages.js';

const ID = '0b7c8f4e-1111-4222-8333-944455556666';

describe('packageFilename', () => {
  it('keeps a plain hostname and replaces anything else', () => {
    expect(packageFilename('ws-042.corp', ID)).toBe(`ws-042.corp-${ID}.tar.gz`);
    expect(packageFilename('../"evil"\u0007\u202e name', ID)).toBe(`evil_name-${ID}.tar.gz`);
    expect(packageFilename('...', ID)).toBe(`device-${ID}.tar.gz`);
  });
});
