import { describe, expect, it } from 'vitest';
import type { VulnerabilityFinding } from './types.js';
import { vulnerablePackages } from './vulnerable-packages.js';

const finding = (advisoryId: string, name: string, version: string, fixedVersion: string | null): VulnerabilityFinding => ({
  advisoryId,
  cveIds: [],
  source: 'osv',
  severity: 'high',
  cvssScore: null,
  cvssVector: null,
  published: null,
  summary: '',
  software: { name, version, source: 'dpkg', scheme: 'dpkg', matchedName: 'openssl' },
  fixedVersion,
  affectedRange: '',
});

describe('vulnerablePackages', () => {
  it('groups findings by installed package name with distinct fixed versions and advisory counts', () => {
    const packages = vulnerablePackages([
      finding('DSA-1', 'libssl3', '3.0.11-1~deb12u1', '3.0.13-1~deb12u1'),
      finding('DSA-2', 'libssl3', '3.0.11-1~deb12u1', '3.0.15-1~deb12u1'),
      finding('DSA-2', 'openssl', '3.0.11-1~deb12u1', '3.0.15-1~deb12u1'),
      finding('DSA-3', 'openssl', '3.0.11-1~deb12u1', null),
    ]);
    expect(packages).toEqual([
      { name: 'libssl3', installed: ['3.0.11-1~deb12u1'], fixedVersions: ['3.0.13-1~deb12u1', '3.0.15-1~deb12u1'], advisories: 2 },
      { name: 'openssl', installed: ['3.0.11-1~deb12u1'], fixedVersions: ['3.0.15-1~deb12u1'], advisories: 2 },
    ]);
  });

  it('keeps a hostile name as the exact string and lists nothing for no findings', () => {
    const name = '<img src=x onerror=alert(1)>\u202e';
    expect(vulnerablePackages([finding('OSV-1', name, '1.0', null)])).toEqual([{ name, installed: ['1.0'], fixedVersions: [], advisories: 1 }]);
    expect(vulnerablePackages([])).toEqual([]);
  });
});
