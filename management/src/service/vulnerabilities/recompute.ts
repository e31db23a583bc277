// Findings and exposure kept current (docs/vulnerabilities.md "Matching", "Exposure score"): packages matched once
// against the advisories of their lookup keys (shared by every device that has them), then each affected device's
// finding rows and exposure rebuilt from its packages' findings. One recompute at a time (imports and uploads queue).
import { type Clock, endOfTurn } from '../../../../common/clock.js';
import { isoTime } from '../../../../common/iso-time.js';
import type { NormalizedAdvisory } from '../../advisories/model.js';
import { errorFields, type Logger } from '../../logging.js';
import type {
  DeviceFindingRow,
  PackageFinding,
  StoredDeviceSoftware,
  StoredExposure,
  StoredPackage,
  VulnerabilityStore,
} from '../../store/vulnerability-store.js';
import type { RecomputeListener } from './contracts.js';
import type { CompiledAdvisoryCache } from './matching/compiled-advisory.js';
import { computeExposure } from './matching/exposure.js';
import { matchPackage } from './matching/matcher.js';
import { recommendationId } from './matching/recommendations.js';

/** Packages matched per advisory read (bounds the advisories held at once). */
const MATCH_BATCH = 500;
/**
 * Packages matched between two yields to the event loop (review18 H2): a package against hundreds of advisories takes
 * milliseconds, so other requests and push sockets are served every few dozen packages, never after a whole batch.
 */
export const MATCH_SLICE = 16;
/** Devices read and saved per page (a full recompute, an import's affected devices). */
const DEVICE_PAGE = 200;

export interface RecomputeDeps {
  readonly store: VulnerabilityStore;
  readonly clock: Pick<Clock, 'now'>;
  readonly logger: Logger;
  readonly cache: CompiledAdvisoryCache;
}

/** What matching a set of packages found (the import and upload logs; the CLI's recompute count). */
export interface MatchTotals {
  packages: number;
  findings: number;
  notEvaluated: number;
  unsupported: number;
}

type Severity = Pick<DeviceFindingRow, 'severity' | 'cvssScore'>;

export class Recomputer {
  private readonly listeners: RecomputeListener[] = [];
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: RecomputeDeps) {}

  onRecomputed(listener: RecomputeListener): void {
    this.listeners.push(listener);
  }

  /** Runs `work` after every recompute queued before it (imports and uploads never interleave their writes). */
  serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Matches packages against the advisories of their keys and replaces their findings (evaluated now). */
  async matchPackages(packages: readonly StoredPackage[]): Promise<MatchTotals> {
    const totals: MatchTotals = { packages: 0, findings: 0, notEvaluated: 0, unsupported: 0 };
    for (let at = 0; at < packages.length; at += MATCH_BATCH) {
      const batch = packages.slice(at, at + MATCH_BATCH);
      const keys = [...new Set(batch.flatMap((p) => p.keys))];
      const byKey = new Map<string, NormalizedAdvisory[]>();
      for (const stored of keys.length === 0 ? [] : await this.deps.store.advisoriesByKeys(keys)) {
        for (const key of stored.keys) {
          const list = byKey.get(key) ?? [];
          list.push(stored.advisory);
          byKey.set(key, list);
        }
      }
      const findings: PackageFinding[] = [];
      for (const [i, pkg] of batch.entries()) {
        if (i > 0 && i % MATCH_SLICE === 0) await endOfTurn();
        const candidates = [...new Set(pkg.keys.flatMap((k) => byKey.get(k) ?? []))];
        const outcome = matchPackage(pkg, candidates, this.deps.cache);
        findings.push(...outcome.findings);
        totals.notEvaluated += outcome.notEvaluated.length;
        if (outcome.unsupported) totals.unsupported++;
      }
      await this.deps.store.replacePackageFindings(
        batch.map((p) => p.packageId),
        findings,
        isoTime(this.deps.clock.now()),
      );
      totals.packages += batch.length;
      totals.findings += findings.length;
    }
    return totals;
  }

  /** One device's finding rows and exposure from its packages' findings (`findings` holds every package of the device). */
  private async exposureEntry(software: StoredDeviceSoftware, findings: ReadonlyMap<number, readonly PackageFinding[]>, lookups: RecomputeLookups) {
    const own = [...new Set(software.packageIds)].flatMap((id) => findings.get(id) ?? []);
    const packages = await lookups.packages(own.map((f) => f.packageId));
    const rows: DeviceFindingRow[] = [];
    for (const f of own) {
      const pkg = packages.get(f.packageId);
      const severity = await lookups.severity(f.advisoryId);
      if (!pkg || !severity) continue; // removed meanwhile: the next recompute has it right
      rows.push({
        packageId: f.packageId,
        advisoryId: f.advisoryId,
        recommendationId: recommendationId(pkg.ecosystem, pkg.matchedName),
        ...severity,
        fixedVersion: f.fixedVersion,
      });
    }
    const figures = computeExposure(rows);
    // Never dated before the software it was computed from (another replica's clock may lag): "exposure older than its
    // software" (the re-sent upload and the consistency sweep) then means exactly "not computed from it".
    const now = this.deps.clock.now();
    const exposure: StoredExposure = {
      deviceId: software.deviceId,
      level: figures.level,
      score: figures.score,
      findings: figures.findings,
      advisories: figures.advisories,
      bySeverity: figures.bySeverity,
      vulnerableSoftware: figures.vulnerableSoftware,
      softwareItems: software.packageIds.length,
      softwareTruncated: software.truncated,
      softwareCollectedAt: software.collectedAt,
      computedAt: isoTime(Math.max(now, Date.parse(software.receivedAt) || now)),
    };
    return { exposure, findings: rows, softwareDigest: software.digest };
  }

  /**
   * Rebuilds a page of devices' finding rows and exposure: one read of their packages' findings, one transaction for
   * all their saves (one per device cost ~5 ms, bench/vulnerabilities.bench.ts). Returns the devices saved: not those
   * deleted meanwhile, nor those whose software another replica replaced (its own recompute saves that result).
   */
  private async recomputePage(page: readonly StoredDeviceSoftware[], lookups: RecomputeLookups): Promise<string[]> {
    const findings = new Map<number, PackageFinding[]>();
    for (const f of await this.deps.store.packageFindings([...new Set(page.flatMap((s) => s.packageIds))])) {
      const list = findings.get(f.packageId) ?? [];
      list.push(f);
      findings.set(f.packageId, list);
    }
    const entries = [];
    for (const software of page) entries.push(await this.exposureEntry(software, findings, lookups));
    const skipped = new Set(await this.deps.store.saveExposures(entries));
    return page.map((s) => s.deviceId).filter((id) => !skipped.has(id));
  }

  /** Recomputes these devices (those without software are left alone) a page at a time, and tells the listeners. */
  async recomputeDevices(deviceIds: readonly string[]): Promise<number> {
    const held: StoredDeviceSoftware[] = [];
    for (const deviceId of deviceIds) {
      const software = await this.deps.store.getDeviceSoftware(deviceId);
      if (software) held.push(software);
    }
    return this.recomputeSoftware(held);
  }

  /** recomputeDevices over software already read (the stale sweep holds it), in pages of DEVICE_PAGE. */
  async recomputeSoftware(held: readonly StoredDeviceSoftware[]): Promise<number> {
    const lookups = new RecomputeLookups(this.deps.store);
    const done: string[] = [];
    for (let at = 0; at < held.length; at += DEVICE_PAGE) done.push(...(await this.recomputePage(held.slice(at, at + DEVICE_PAGE), lookups)));
    await this.notify(done);
    return done.length;
  }

  /** Every device, page by page; each distinct package is matched once. */
  async recomputeAll(): Promise<number> {
    const lookups = new RecomputeLookups(this.deps.store);
    const matched = new Set<number>();
    let devices = 0;
    for await (const page of this.deps.store.deviceSoftwarePages(DEVICE_PAGE)) {
      const fresh = [...new Set(page.flatMap((s) => s.packageIds))].filter((id) => !matched.has(id));
      for (const id of fresh) matched.add(id);
      if (fresh.length > 0) await this.matchPackages(await this.deps.store.packagesByIds(fresh));
      const done = await this.recomputePage(page, lookups);
      await this.notify(done);
      devices += done.length;
      await endOfTurn();
    }
    this.deps.logger.info('vulnerabilities recomputed', { devices, packages: matched.size });
    return devices;
  }

  private async notify(deviceIds: readonly string[]): Promise<void> {
    if (deviceIds.length === 0) return;
    for (const listener of this.listeners) {
      try {
        await listener(deviceIds);
      } catch (err) {
        // A listener's failure (a task or compliance update) must not undo the recompute that was saved.
        this.deps.logger.error('recompute listener failed', { devices: deviceIds.length, ...errorFields(err) });
      }
    }
  }
}

/** Per-recompute memo of package identities and advisory severities (a full recompute reads each once). */
export class RecomputeLookups {
  private readonly packageMap = new Map<number, StoredPackage>();
  private readonly severities = new Map<string, Severity | null>();

  constructor(private readonly store: VulnerabilityStore) {}

  async packages(ids: readonly number[]): Promise<ReadonlyMap<number, StoredPackage>> {
    const missing = [...new Set(ids)].filter((id) => !this.packageMap.has(id));
    if (missing.length > 0) for (const p of await this.store.packagesByIds(missing)) this.packageMap.set(p.packageId, p);
    return this.packageMap;
  }

  async severity(advisoryId: string): Promise<Severity | undefined> {
    if (!this.severities.has(advisoryId)) {
      const stored = await this.store.getAdvisory(advisoryId);
      this.severities.set(advisoryId, stored ? { severity: stored.advisory.severity.level, cvssScore: stored.advisory.severity.cvssScore ?? null } : null);
    }
    return this.severities.get(advisoryId) ?? undefined;
  }
}
