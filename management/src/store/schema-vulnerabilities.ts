// Table shapes of vulnerability management (migration 0018, migration-vulnerabilities.ts), camelCase as kysely sees them.
import type { Generated } from 'kysely';

/** advisories: one imported advisory; `body` is the NormalizedAdvisory's JSON, `keys` the JSON array of its lookup keys. */
export interface AdvisoryTable {
  advisoryId: string;
  source: string;
  modified: string;
  published: string | null;
  severity: string;
  cvssScore: number | null;
  cvssVector: string | null;
  summary: string;
  keys: string;
  body: string;
  importedAt: string;
}

/** advisory_keys: lookup key → advisory (`osv:Debian:openssl`, `cpe:firefox`). */
export interface AdvisoryKeyTable {
  key: string;
  advisoryId: string;
}

/** advisory_imports: one row per import run (the dashboard's lastImportAt). */
export interface AdvisoryImportTable {
  importId: Generated<number>;
  importedAt: string;
  stored: number;
  unchanged: number;
  removed: number;
}

/** software_packages: one distinct package identity (identityHash: SHA-256 of its canonical identity without keys). */
export interface SoftwarePackageTable {
  packageId: Generated<number>;
  identityHash: string;
  ecosystem: string;
  source: string;
  scheme: string;
  name: string;
  version: string;
  vendor: string | null;
  architecture: string | null;
  installPath: string | null;
  matchedName: string;
  matchedVersion: string;
  /** JSON array of the package's lookup keys. */
  keys: string;
  /** When its findings were last computed; null until the first time. */
  evaluatedAt: string | null;
}

/** software_package_keys: lookup key → package. */
export interface SoftwarePackageKeyTable {
  key: string;
  packageId: number;
}

/** package_findings: one advisory matching one package. */
export interface PackageFindingTable {
  packageId: number;
  advisoryId: string;
  fixedVersion: string | null;
  affectedRange: string;
}

/** device_software: a device's latest software; packageIds = little-endian uint32 ids (itemCount of them). */
export interface DeviceSoftwareTable {
  deviceId: string;
  /** JSON of SoftwareInventory['os']. */
  os: string;
  collectedAt: string;
  receivedAt: string;
  digest: string;
  truncated: number;
  itemCount: number;
  packageIds: Buffer;
}

/** device_findings: one advisory on one package of one device, denormalised for the fleet views. */
export interface DeviceFindingTable {
  deviceId: string;
  packageId: number;
  advisoryId: string;
  recommendationId: string;
  severity: string;
  cvssScore: number | null;
  fixedVersion: string | null;
}

/** device_exposure: a device's computed exposure; bySeverity is JSON SeverityCounts. */
export interface DeviceExposureTable {
  deviceId: string;
  level: string;
  score: number;
  findings: number;
  advisories: number;
  bySeverity: string;
  vulnerableSoftware: number;
  softwareItems: number;
  softwareTruncated: number;
  softwareCollectedAt: string | null;
  computedAt: string;
}
