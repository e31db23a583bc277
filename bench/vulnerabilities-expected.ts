// What the vulnerability benchmark expects the service to find, computed from the generated facts alone (the ladder
// versions and each entry's range, compared with common/versions, and the generator's own notion of which ecosystems
// apply), so a fast but wrong matching path fails the benchmark instead of improving it.
import { compareVersions } from '../common/versions/index.js';
import type { AdvisorySet, AdvisorySpec, EntryFacts, Level } from './vulnerabilities-advisories.js';
import { type FleetDevice, LADDER, NOT_INSTALLED, type ReleasePool, type SourcePackage } from './vulnerabilities-fleet.js';

/** The scoring rule as docs/vulnerabilities.md states it ("Exposure score"), restated here on purpose. */
const WEIGHT: Readonly<Record<Level, number>> = { critical: 70, high: 30, medium: 10, low: 3, unknown: 10 };

export interface ExpectedExposure {
  readonly score: number;
  readonly level: 'none' | 'low' | 'medium' | 'high';
  readonly findings: number;
  readonly advisories: number;
}

function affects(scheme: 'dpkg' | 'rpm' | 'dotted', e: EntryFacts, version: string): boolean {
  if (!e.applies) return false;
  if (e.introduced !== '0' && compareVersions(scheme, version, e.introduced) < 0) return false;
  if (e.fixed !== undefined) return compareVersions(scheme, version, e.fixed) < 0;
  if (e.lastAffected !== undefined) return compareVersions(scheme, version, e.lastAffected) <= 0;
  return true;
}

/** Advisories hitting each (release, source package, ladder position): `hits[release][source][k]`. */
export function expectedHits(pools: readonly ReleasePool[], set: AdvisorySet): AdvisorySpec[][][][] {
  const hits = pools.map((pool) => pool.sources.map(() => Array.from({ length: LADDER }, () => [] as AdvisorySpec[])));
  for (const spec of set.fleet.values()) {
    if (spec.withdrawn) continue;
    const pool = pools[spec.release] as ReleasePool;
    const src = pool.sources[spec.source] as SourcePackage;
    for (let k = 0; k < LADDER; k++) {
      const version = src.versions[k] as string;
      if (spec.entries.some((e) => affects(pool.release.scheme, e, version))) hits[spec.release]?.[spec.source]?.[k]?.push(spec);
    }
  }
  return hits;
}

/** One device's expected exposure: every installed binary's source at its position, an advisory weighed once. */
export function expectedExposure(pools: readonly ReleasePool[], hits: AdvisorySpec[][][][], device: FleetDevice): ExpectedExposure {
  const pool = pools[device.release] as ReleasePool;
  const advisories = new Map<string, Level>();
  let findings = 0;
  device.positions.forEach((k, j) => {
    if (k === NOT_INSTALLED) return;
    const source = pool.binaries[j]?.source as number;
    for (const spec of hits[device.release]?.[source]?.[k] ?? []) {
      findings++;
      advisories.set(spec.id, spec.level);
    }
  });
  let sum = 0;
  for (const level of advisories.values()) sum += WEIGHT[level];
  const score = Math.min(100, sum);
  const level = findings === 0 ? 'none' : score >= 70 ? 'high' : score >= 30 ? 'medium' : 'low';
  return { score, level, findings, advisories: advisories.size };
}
