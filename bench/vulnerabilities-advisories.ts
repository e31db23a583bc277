// The generated advisories of the vulnerability benchmark, seeded: OSV records as Debian (DSA, DEBIAN-CVE), Ubuntu
// (USN, UBUNTU-CVE) and Red Hat (RHSA) publish them and NVD CVEs for the Windows applications, a few per fleet package
// (many for the popular ones, fixed at versions on the package's ladder, some with another release's entry too) and
// most on names no device has; written as osv.dev-style zips (one record per entry), JSON arrays and NVD pages.
import { seededRandom } from '../common/clock.js';
import { buildZip } from '../management/src/advisories/testing/zip-writer.js';
import { LADDER, RELEASES, type ReleasePool, type SourcePackage, sourceName } from './vulnerabilities-fleet.js';

export type Level = 'critical' | 'high' | 'medium' | 'low' | 'unknown';

const LEVELS: readonly [Level, number][] = [
  ['critical', 0.08],
  ['high', 0.25],
  ['medium', 0.4],
  ['low', 0.1],
  ['unknown', 0.17],
];
const VECTORS: Readonly<Record<Exclude<Level, 'unknown'>, string>> = {
  critical: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
  high: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H',
  medium: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N',
  low: 'CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N',
};

/** One affected entry, and whether its ecosystem applies to the fleet's release (decided here, not by the matcher). */
export interface EntryFacts {
  readonly ecosystem: string;
  readonly applies: boolean;
  readonly introduced: string;
  readonly fixed?: string;
  readonly lastAffected?: string;
}

/** An advisory about a fleet package, kept whole: the expected findings are computed from these. */
export interface AdvisorySpec {
  readonly id: string;
  readonly release: number;
  readonly source: number;
  readonly name: string;
  /** NVD: the CPE vendor. */
  readonly vendor: string;
  readonly level: Level;
  entries: EntryFacts[];
  revision: number;
  withdrawn: boolean;
}

export interface AdvisorySet {
  readonly total: number;
  /** Advisories on fleet packages by their position in the stream (the rest are generated from the position). */
  readonly fleet: Map<number, AdvisorySpec>;
  /** Revisions of changed advisories that are not on fleet packages. */
  readonly revisions: Map<number, number>;
}

const pickLevel = (x: number): Level => {
  let acc = 0;
  for (const [level, p] of LEVELS) {
    acc += p;
    if (x < acc) return level;
  }
  return 'unknown';
};

/** Where an advisory's fix sits on the ladder: mostly below every installed version, else ahead of old ones. */
function fleetEntry(ecosystem: string, versions: readonly string[], hot: boolean, r: () => number): EntryFacts {
  // Sometimes introduced later than "0", always below the fix (OSV sorts the events: a fix below it would not end it).
  const introduced = (k: number) => (k >= 2 && r() < 0.1 ? (versions[1] as string) : '0');
  if (hot)
    return r() < 0.5
      ? { ecosystem, applies: true, introduced: introduced(LADDER) }
      : { ecosystem, applies: true, introduced: introduced(LADDER), fixed: versions[LADDER - 1] as string };
  const x = r();
  if (x < 0.05) return { ecosystem, applies: true, introduced: introduced(3), lastAffected: versions[3] as string };
  const k = x < 0.6 ? Math.floor(r() * 3) : x < 0.8 ? 3 : 4;
  return { ecosystem, applies: true, introduced: introduced(k), fixed: versions[k] as string };
}

function fleetSpec(pool: ReleasePool, release: number, s: number, n: number, r: () => number): AdvisorySpec {
  const rel = pool.release;
  const src = pool.sources[s] as SourcePackage;
  const ids = { debian: `DSA-${4000 + n}-1`, ubuntu: `USN-${6000 + n}-1`, rhel: `RHSA-2024:${1000 + n}`, windows: `CVE-2024-${100000 + n}` };
  const id = ids[rel.key];
  const pickOf = (list: readonly string[]) => list[Math.floor(r() * list.length)] as string;
  const entries: EntryFacts[] = [];
  if (r() >= 0.05) entries.push(fleetEntry(pickOf(rel.applying), src.versions, src.hot, r));
  if ((rel.key === 'rhel' || rel.key === 'windows') && r() < 0.2) entries.push(fleetEntry(pickOf(rel.applying), src.versions, false, r));
  if (entries.length === 0 || r() < 0.5) {
    const fixed = (src.versions[3] as string).replace('deb12', 'deb11').replace('22.04', '20.04').replace('el9', 'el8');
    entries.push({ ecosystem: pickOf(rel.foreign), applies: false, introduced: '0', fixed });
  }
  return { id, release, source: s, name: src.name, vendor: src.vendor ?? '', level: pickLevel(r()), entries, revision: 0, withdrawn: false };
}

/** `total` advisories; those on fleet packages spread evenly through the stream (capped at half of it). */
export function generateAdvisories(pools: readonly ReleasePool[], total: number, seed: number): AdvisorySet {
  const r = seededRandom(seed);
  const specs: AdvisorySpec[] = [];
  pools.forEach((pool, release) => {
    const popular = Math.ceil(pool.sources.length * 0.05);
    pool.sources.forEach((src, s) => {
      const y = r();
      const count = src.hot ? 2 : s < popular ? 6 + Math.floor(r() * 15) : y < 0.4 ? 0 : y < 0.75 ? 1 : y < 0.9 ? 2 : 3;
      for (let c = 0; c < count; c++) specs.push(fleetSpec(pool, release, s, specs.length, r));
    });
  });
  const kept = specs.slice(0, Math.floor(total / 2));
  const fleet = new Map<number, AdvisorySpec>();
  for (const [t, spec] of kept.entries()) fleet.set(Math.floor((t * total) / kept.length), spec);
  return { total, fleet, revisions: new Map() };
}

const day = (n: number) => new Date(Date.UTC(2020, 0, 1) + n * 86_400_000).toISOString().replace('.000Z', 'Z');

function severityOf(releaseKey: string, level: Level): object {
  if (level === 'unknown') return {};
  if (releaseKey === 'ubuntu') return { severity: [{ type: 'Ubuntu', score: level }] };
  return { severity: [{ type: 'CVSS_V3', score: VECTORS[level] }] };
}

function entryJson(e: EntryFacts, name: string): object {
  const events: object[] = [{ introduced: e.introduced }];
  if (e.fixed !== undefined) events.push({ fixed: e.fixed });
  if (e.lastAffected !== undefined) events.push({ last_affected: e.lastAffected });
  const purlType = e.ecosystem.startsWith('Red Hat') ? 'rpm/redhat' : e.ecosystem.startsWith('Ubuntu') ? 'deb/ubuntu' : 'deb/debian';
  return { package: { ecosystem: e.ecosystem, name, purl: `pkg:${purlType}/${name}?arch=source` }, ranges: [{ type: 'ECOSYSTEM', events }] };
}

function record(id: string, releaseKey: string, name: string, level: Level, entries: readonly EntryFacts[], n: number, revision: number): object {
  const cve = `CVE-${2015 + (n % 10)}-${10000 + (n % 90000)}`;
  return {
    schema_version: '1.6.0',
    id,
    modified: day(1000 + (n % 500) + revision * 30),
    published: day(n % 1000),
    aliases: releaseKey === 'rhel' ? [cve] : [],
    upstream: [cve],
    summary: `${name} - security update${revision > 0 ? ` (revision ${revision})` : ''}`,
    details: `\nA flaw was found in ${name} that could let a remote attacker cause a denial of service or run code (${cve}).\n`,
    ...severityOf(releaseKey, level),
    affected: entries.map((e) => entryJson(e, name)),
    references: [{ type: 'ADVISORY', url: `https://security.example.org/${releaseKey}/${id}` }],
  };
}

/** Advisory at stream position g: a fleet one (withdrawn: its record says so), or one on a name no device has. */
export function recordAt(set: AdvisorySet, pools: readonly ReleasePool[], g: number): object {
  const spec = set.fleet.get(g);
  if (spec) {
    const key = (RELEASES[spec.release] as (typeof RELEASES)[number]).key;
    if (key === 'windows') return nvdItem(spec.id, spec.vendor, spec.name, spec.level, spec.entries, g, spec.revision, spec.withdrawn);
    const rec = record(spec.id, key, spec.name, spec.level, spec.entries, g, spec.revision) as Record<string, unknown>;
    return spec.withdrawn ? { ...rec, withdrawn: rec.modified } : rec;
  }
  const r = seededRandom(g * 7919 + 17);
  const releaseIndex = g % 20 === 19 ? 3 : g % 10 < 5 ? 0 : g % 10 < 8 ? 1 : 2;
  const pool = pools[releaseIndex] as ReleasePool;
  const rel = pool.release;
  // One in ten names a fleet package under another release or vendor (same lookup key, must not match).
  const foreign = r() < 0.1;
  const name = foreign ? (pool.sources[Math.floor(r() * pool.sources.length)] as SourcePackage).name : sourceName(1_000_000 + Math.floor(r() * 30_000));
  const revision = set.revisions.get(g) ?? 0;
  const fixed = `${1 + (g % 7)}.${g % 13}.${g % 5}-${1 + (g % 4)}${rel.key === 'rhel' ? '.el9' : ''}`;
  if (rel.key === 'windows') {
    const entry: EntryFacts = { ecosystem: 'windows', applies: false, introduced: '0', fixed: `${1 + (g % 7)}.${g % 13}.${g % 5}` };
    return nvdItem(`CVE-2023-${200000 + g}`, sourceName(2_000_000 + (g % 5000)), name, pickLevel(r()), [entry], g, revision);
  }
  const ecosystem = foreign ? (rel.foreign[Math.floor(r() * rel.foreign.length)] as string) : (rel.applying[0] as string);
  const prefix = rel.key === 'debian' ? 'DEBIAN-CVE' : rel.key === 'ubuntu' ? 'UBUNTU-CVE' : 'RHBA';
  const entry: EntryFacts = { ecosystem, applies: false, introduced: '0', fixed };
  return record(`${prefix}-${2010 + (g % 15)}-${100000 + g}`, rel.key, name, pickLevel(r()), [entry], g, revision);
}

const SCORES: Readonly<Record<Exclude<Level, 'unknown'>, number>> = { critical: 9.8, high: 7.5, medium: 5.3, low: 1.8 };

function cpeMatch(vendor: string, product: string, e: EntryFacts): object {
  const bounds = {
    ...(e.introduced === '0' ? {} : { versionStartIncluding: e.introduced }),
    ...(e.fixed === undefined ? {} : { versionEndExcluding: e.fixed }),
    ...(e.lastAffected === undefined ? {} : { versionEndIncluding: e.lastAffected }),
  };
  return { vulnerable: true, criteria: `cpe:2.3:a:${vendor}:${product}:*:*:*:*:*:*:*:*`, matchCriteriaId: '8E2D5C4B-1F6B-4C3A-9A7E-0C2F2F1D9E11', ...bounds };
}

/** An NVD CVE API 2.0 item; entries of ecosystem "macos" become an AND with the macOS platform (never Windows). */
function nvdItem(
  id: string,
  vendor: string,
  product: string,
  level: Level,
  entries: readonly EntryFacts[],
  n: number,
  revision: number,
  rejected = false,
): object {
  const time = (d: number) => day(d).replace('Z', '.000');
  const configurations = entries.map((e) => {
    const app = { operator: 'OR', negate: false, cpeMatch: [cpeMatch(vendor, product, e)] };
    if (e.ecosystem !== 'macos') return { nodes: [app] };
    const mac = { vulnerable: false, criteria: 'cpe:2.3:o:apple:macos:-:*:*:*:*:*:*:*', matchCriteriaId: '4E2D5C4B-1F6B-4C3A-9A7E-0C2F2F1D9E11' };
    return { operator: 'AND', nodes: [app, { operator: 'OR', negate: false, cpeMatch: [mac] }] };
  });
  const metrics =
    level === 'unknown'
      ? {}
      : {
          cvssMetricV31: [
            {
              source: 'nvd@nist.gov',
              type: 'Primary',
              cvssData: { version: '3.1', vectorString: VECTORS[level], baseScore: SCORES[level], baseSeverity: level.toUpperCase() },
              exploitabilityScore: 3.9,
              impactScore: 3.6,
            },
          ],
        };
  const description = `A flaw in ${vendor} ${product} lets a crafted file run code${revision > 0 ? ` (revision ${revision})` : ''}.`;
  return {
    cve: {
      id,
      sourceIdentifier: 'nvd@nist.gov',
      published: time(n % 1000),
      lastModified: time(1000 + (n % 500) + revision * 30),
      vulnStatus: rejected ? 'Rejected' : 'Analyzed',
      descriptions: [{ lang: 'en', value: description }],
      metrics,
      configurations,
      references: [{ url: `https://security.example.org/nvd/${id}`, source: 'nvd@nist.gov' }],
    },
  };
}

/**
 * The files of these records: the OSV ones as an osv.dev-style zip (even `index`) or a JSON array (odd), the NVD
 * ones as an NVD CVE API 2.0 page.
 */
export function advisoryFiles(records: readonly object[], index: number): { name: string; bytes: Buffer }[] {
  const osv = records.filter((rec) => !('cve' in rec));
  const nvd = records.filter((rec) => 'cve' in rec);
  const files: { name: string; bytes: Buffer }[] = [];
  if (osv.length > 0 && index % 2 === 1) files.push({ name: `osv-${index}.json`, bytes: Buffer.from(JSON.stringify(osv)) });
  if (osv.length > 0 && index % 2 === 0) {
    const entries = osv.map((rec) => ({ name: `${(rec as { id: string }).id}.json`, data: JSON.stringify(rec) }));
    files.push({ name: `osv-${index}.zip`, bytes: buildZip(entries) });
  }
  if (nvd.length > 0) {
    const page = {
      resultsPerPage: nvd.length,
      startIndex: 0,
      totalResults: nvd.length,
      format: 'NVD_CVE',
      version: '2.0',
      timestamp: '2026-01-31T00:00:00.000',
    };
    files.push({ name: `nvdcve-2.0-${index}.json`, bytes: Buffer.from(JSON.stringify({ ...page, vulnerabilities: nvd })) });
  }
  return files;
}

/**
 * Changes `count` advisories for an incremental re-import (positions returned): 5 % fleet ones get a new fix, 1 %
 * fleet ones are withdrawn, the rest (random positions off the fleet: mostly names no device has) a new revision.
 */
export function changeAdvisories(set: AdvisorySet, pools: readonly ReleasePool[], count: number, seed: number): number[] {
  const r = seededRandom(seed);
  const fleet = [...set.fleet.keys()];
  const picked = new Set<number>();
  const fleetCount = Math.min(fleet.length, Math.round(count * 0.06));
  while (picked.size < fleetCount) picked.add(fleet[Math.floor(r() * fleet.length)] as number);
  for (const g of picked) {
    const spec = set.fleet.get(g) as AdvisorySpec;
    spec.revision++;
    if (r() < 1 / 6) spec.withdrawn = true;
    else {
      const pool = pools[spec.release] as ReleasePool;
      const src = pool.sources[spec.source] as SourcePackage;
      spec.entries = spec.entries.map((e) => (e.applies ? fleetEntry(e.ecosystem, src.versions, src.hot, r) : e));
    }
  }
  while (picked.size < Math.min(count, set.total)) {
    const g = Math.floor(r() * set.total);
    if (picked.has(g) || set.fleet.has(g)) continue;
    picked.add(g);
    set.revisions.set(g, (set.revisions.get(g) ?? 0) + 1);
  }
  return [...picked].sort((a, b) => a - b);
}
