// One device's software and vulnerabilities as the admin API shows them: the inventory rebuilt from its stored
// packages, and every finding with its advisory and installed item (severity, then CVSS score, then id).
import { AttacheError } from '../../../../common/errors.js';
import type {
  DeviceExposure,
  DeviceSoftware,
  DeviceVulnerabilities,
  FindingSoftware,
  SoftwareItem,
  VulnerabilityFinding,
} from '../../../../policy-schemas/src/index.js';
import type { DeviceRecord } from '../../store/store.js';
import type { StoredExposure, StoredPackage, VulnerabilityStore } from '../../store/vulnerability-store.js';
import { AdvisoryMemo, cveIdsOf } from './advisory-views.js';
import { SEVERITY_RANK } from './matching/exposure.js';

/** The store's exposure row with the device's name, as the API answers it. */
export function exposureView(e: StoredExposure, deviceName: string): DeviceExposure {
  return {
    deviceId: e.deviceId,
    deviceName,
    level: e.level,
    score: e.score,
    findings: e.findings,
    advisories: e.advisories,
    bySeverity: e.bySeverity,
    vulnerableSoftware: e.vulnerableSoftware,
    softwareItems: e.softwareItems,
    softwareTruncated: e.softwareTruncated,
    softwareCollectedAt: e.softwareCollectedAt,
    computedAt: e.computedAt,
  };
}

/** A stored package as the inventory item the device reported (dpkg source fields only where they differ). */
export function itemOf(p: StoredPackage): SoftwareItem {
  return {
    name: p.name,
    version: p.version,
    ...(p.vendor !== null ? { vendor: p.vendor } : {}),
    ...(p.architecture !== null ? { architecture: p.architecture } : {}),
    source: p.source,
    scheme: p.scheme,
    ...(p.installPath !== null ? { installPath: p.installPath } : {}),
    ...(p.source === 'dpkg' && p.matchedName !== p.name ? { sourceName: p.matchedName } : {}),
    ...(p.source === 'dpkg' && p.matchedVersion !== p.version ? { sourceVersion: p.matchedVersion } : {}),
  };
}

function findingSoftware(p: StoredPackage): FindingSoftware {
  return {
    name: p.name,
    version: p.version,
    source: p.source,
    scheme: p.scheme,
    ...(p.vendor !== null ? { vendor: p.vendor } : {}),
    ...(p.architecture !== null ? { architecture: p.architecture } : {}),
    ...(p.matchedName !== p.name ? { matchedName: p.matchedName } : {}),
    ...(p.matchedVersion !== p.version ? { matchedVersion: p.matchedVersion } : {}),
  };
}

/** The device record, or NOT_FOUND naming it. */
export async function requireDevice(devices: { getDevice(id: string): Promise<DeviceRecord | undefined> }, deviceId: string): Promise<DeviceRecord> {
  const device = await devices.getDevice(deviceId);
  if (!device) throw new AttacheError('NOT_FOUND', `no device ${deviceId}`);
  return device;
}

export async function deviceSoftwareView(store: VulnerabilityStore, deviceId: string): Promise<DeviceSoftware> {
  const software = await store.getDeviceSoftware(deviceId);
  if (!software) return { deviceId, receivedAt: null, inventory: null };
  const byId = new Map((await store.packagesByIds(software.packageIds)).map((p) => [p.packageId, p]));
  const items = software.packageIds.flatMap((id) => {
    const p = byId.get(id);
    return p ? [itemOf(p)] : [];
  });
  return {
    deviceId,
    receivedAt: software.receivedAt,
    inventory: { collectedAt: software.collectedAt, os: software.os, items, truncated: software.truncated, digest: software.digest },
  };
}

export async function deviceVulnerabilitiesView(store: VulnerabilityStore, device: DeviceRecord): Promise<DeviceVulnerabilities> {
  const exposure = await store.getExposure(device.deviceId);
  const rows = await store.deviceFindingRows(device.deviceId);
  const packageIds = [...new Set(rows.map((r) => r.packageId))];
  const packages = new Map((await store.packagesByIds(packageIds)).map((p) => [p.packageId, p]));
  const ranges = new Map((await store.packageFindings(packageIds)).map((f) => [`${f.packageId}\u0000${f.advisoryId}`, f.affectedRange]));
  const memo = new AdvisoryMemo(store);
  const findings: VulnerabilityFinding[] = [];
  for (const row of rows) {
    const pkg = packages.get(row.packageId);
    const stored = await memo.get(row.advisoryId);
    if (!pkg || !stored) continue;
    const a = stored.advisory;
    findings.push({
      advisoryId: a.id,
      cveIds: cveIdsOf(a),
      source: a.source,
      severity: row.severity,
      cvssScore: row.cvssScore,
      cvssVector: a.severity.cvssVector ?? null,
      published: a.published ?? null,
      summary: a.summary,
      software: findingSoftware(pkg),
      fixedVersion: row.fixedVersion,
      affectedRange: ranges.get(`${row.packageId}\u0000${row.advisoryId}`) ?? '',
    });
  }
  findings.sort(
    (x, y) =>
      SEVERITY_RANK[y.severity] - SEVERITY_RANK[x.severity] ||
      (y.cvssScore ?? -1) - (x.cvssScore ?? -1) ||
      (x.advisoryId < y.advisoryId ? -1 : x.advisoryId > y.advisoryId ? 1 : 0) ||
      (x.software.name < y.software.name ? -1 : x.software.name > y.software.name ? 1 : 0),
  );
  return { exposure: exposure ? exposureView(exposure, device.hostname) : null, findings };
}
