// Test support for the vulnerability service and routes: Debian 12 and Windows software uploads with a real digest,
// an OSV file with DSA-5532-1 and a curl advisory, an NVD page with 7-Zip, and a device in a store.
import { createHash, randomUUID } from 'node:crypto';
import type { SoftwareInventory, SoftwareItem, SoftwareUpload } from '../../../../../policy-schemas/src/index.js';
import { CVE_2024_11477, nvdPage } from '../../../advisories/testing/nvd-page.js';
import { DSA_5532_1 } from '../../../advisories/testing/osv-records.js';
import type { ManagementStore } from '../../../store/store.js';
import { TEST_PUBLIC_KEY } from '../../../store/testing/store-fixtures.js';
import { LIBSSL3_OLD } from '../matching/testing/fixtures.js';

/** A Debian curl advisory in OSV (DSA-5587-1 shape): curl fixed in 7.88.1-10+deb12u5, severity from its CVSS vector. */
export const DSA_CURL = {
  schema_version: '1.6.0',
  id: 'DSA-5587-1',
  modified: '2023-12-20T10:00:00Z',
  published: '2023-12-19T00:00:00Z',
  aliases: ['CVE-2023-46218'],
  summary: 'curl - security update',
  severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
  affected: [
    { package: { ecosystem: 'Debian:12', name: 'curl' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '7.88.1-10+deb12u5' }] }] },
  ],
};

export const OSV_FILE = Buffer.from(JSON.stringify([DSA_5532_1, DSA_CURL]));
export const NVD_FILE = Buffer.from(JSON.stringify(nvdPage([CVE_2024_11477])));
/** DSA-5532-1 withdrawn by a newer record. */
export const OSV_WITHDRAWN = Buffer.from(JSON.stringify([{ ...DSA_5532_1, modified: '2024-06-01T00:00:00Z', withdrawn: '2024-06-01T00:00:00Z' }]));

export const DEBIAN_ITEMS: SoftwareItem[] = [
  LIBSSL3_OLD,
  { name: 'openssl', version: '3.0.11-1~deb12u1', architecture: 'amd64', source: 'dpkg', scheme: 'dpkg' },
  { name: 'curl', version: '7.88.1-10+deb12u4', vendor: 'Alessandro Ghedini <ghedo@debian.org>', architecture: 'amd64', source: 'dpkg', scheme: 'dpkg' },
  { name: 'bash', version: '5.2.15-2+b2', architecture: 'amd64', source: 'dpkg', scheme: 'dpkg', sourceVersion: '5.2.15-2' },
];

export const SEVEN_ZIP: SoftwareItem = { name: '7-Zip 23.01 (x64)', version: '23.01', vendor: 'Igor Pavlov', source: 'windowsRegistry', scheme: 'dotted' };

/** An inventory with a digest as the agent computes one (SHA-256 of the items' JSON; the endpoint only compares it). */
export function inventoryOf(items: readonly SoftwareItem[], os: SoftwareInventory['os'], collectedAt: string): SoftwareInventory {
  const digest = createHash('sha256').update(JSON.stringify(items)).digest('hex');
  return { collectedAt, os, items: [...items], truncated: false, digest };
}

export function debianUpload(deviceId: string, items: readonly SoftwareItem[] = DEBIAN_ITEMS, collectedAt = '2025-03-01T00:00:00.000Z'): SoftwareUpload {
  return { deviceId, inventory: inventoryOf(items, { name: 'Debian GNU/Linux', version: '12' }, collectedAt) };
}

/** A device enrolled in `store` (platform linux by default). */
export async function deviceIn(store: ManagementStore, now: string, hostname = 'deb-01', platform: 'linux' | 'windows' | 'macos' = 'linux'): Promise<string> {
  const tokenHash = randomUUID();
  await store.createEnrollmentToken({ tokenHash, createdAt: now, expiresAt: new Date(Date.parse(now) + 86_400_000).toISOString(), maxUses: 1, tags: [] });
  const facts = { hostname, platform, osVersion: platform === 'linux' ? '12' : '10.0.22631', arch: 'x64', agentVersion: '0.1.0' };
  return (await store.enrollDevice({ tokenHash, now, deviceId: randomUUID(), publicKey: TEST_PUBLIC_KEY, facts })).deviceId;
}
