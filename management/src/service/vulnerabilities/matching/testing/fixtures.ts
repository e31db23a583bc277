// Realistic inventory items and advisories for the matching and service tests (test support only): Debian 12 with
// old openssl/libssl3, Windows 7-Zip and Firefox, macOS Firefox; OSV and NVD advisories in their normalised form.
import type { SoftwareItem } from '../../../../../../policy-schemas/src/index.js';
import type { NormalizedAdvisory, NvdConfiguration, OsvAffectedEntry } from '../../../../advisories/model.js';
import type { StoredPackage } from '../../../../store/vulnerability-store.js';
import { type InventoryOs, packageIdentity } from '../package-identity.js';

export const DEBIAN_12: InventoryOs = { name: 'Debian GNU/Linux', version: '12' };
export const UBUNTU_2204: InventoryOs = { name: 'Ubuntu', version: '22.04' };
export const RHEL_9: InventoryOs = { name: 'Red Hat Enterprise Linux', version: '9.3' };
export const WINDOWS_11: InventoryOs = { name: 'Windows 11 Pro', version: '10.0.22631' };
export const MACOS_14: InventoryOs = { name: 'macOS', version: '14.4.1' };

/** libssl3 as dpkg-query prints it on Debian 12 before DSA-5532-1: binary package of source openssl. */
export const LIBSSL3_OLD: SoftwareItem = {
  name: 'libssl3',
  version: '3.0.11-1~deb12u1',
  vendor: 'Debian OpenSSL Team <pkg-openssl-devel@alioth-lists.debian.net>',
  architecture: 'amd64',
  source: 'dpkg',
  scheme: 'dpkg',
  sourceName: 'openssl',
};
export const OPENSSL_OLD: SoftwareItem = { ...LIBSSL3_OLD, name: 'openssl', sourceName: undefined } as SoftwareItem;

export function item(fields: Partial<SoftwareItem> & Pick<SoftwareItem, 'name' | 'version' | 'source' | 'scheme'>): SoftwareItem {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as SoftwareItem;
}

let nextId = 1;
/** A package identity as the store would hand it back (with an id). */
export function stored(platform: 'linux' | 'windows' | 'macos', os: InventoryOs, software: SoftwareItem): StoredPackage {
  return { ...packageIdentity(platform, os, software), packageId: nextId++ };
}

export function osvAdvisory(id: string, affected: OsvAffectedEntry[], extra: Partial<NormalizedAdvisory> = {}): NormalizedAdvisory {
  return {
    source: 'osv',
    id,
    aliases: [],
    modified: '2024-01-01T00:00:00.000Z',
    summary: `${id} summary`,
    severity: { level: 'high', cvssScore: 7.5 },
    affected,
    ...extra,
  } as NormalizedAdvisory;
}

export function nvdAdvisory(id: string, affected: NvdConfiguration[], extra: Partial<NormalizedAdvisory> = {}): NormalizedAdvisory {
  return {
    source: 'nvd',
    id,
    aliases: [],
    modified: '2024-01-01T00:00:00.000Z',
    summary: `${id} summary`,
    severity: { level: 'critical', cvssScore: 9.8 },
    affected,
    ...extra,
  } as NormalizedAdvisory;
}

export const ecosystemRange = (ecosystem: string, name: string, events: Record<string, string>[]): OsvAffectedEntry => ({
  package: { ecosystem, name },
  ranges: [{ type: 'ECOSYSTEM', events }],
});

export const cpe = (criteria: string, bounds: Record<string, string> = {}, vulnerable = true) => ({ vulnerable, criteria, ...bounds });
export const orNode = (...cpeMatch: ReturnType<typeof cpe>[]) => ({ operator: 'OR' as const, negate: false, cpeMatch });
