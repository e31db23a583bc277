// The seams of vulnerability management (issue 18) between its parts: what the HTTP routes, the admin CLI's answers,
// security tasks and compliance call on the vulnerability service, and what the service tells them after a recompute.
import type {
  AdvisoryDetail,
  AdvisoryImportResult,
  DeviceExposureList,
  DeviceSoftware,
  DeviceVulnerabilities,
  ExposureLevel,
  RecommendationDetail,
  RecommendationList,
  SoftwareUploadAck,
  VulnerabilityDashboard,
} from '../../../../policy-schemas/src/index.js';

/** Who made an admin change (audit, task history). */
export interface Actor {
  readonly adminId: string | null;
  readonly username: string;
}

/** One advisory file as the admin sent it (the route's raw body, the CLI's file). */
export interface AdvisoryFileInput {
  readonly bytes: Buffer;
  /** The file's name as given (`all.zip`, `nvdcve-2.0-2024.json`): only shown in errors and the audit entry. */
  readonly fileName: string;
}

/** A device's exposure as compliance reads it. */
export interface ExposureSummary {
  readonly level: ExposureLevel;
  readonly score: number;
  readonly computedAt: string;
  /** When the endpoint received the software behind it (null: unknown); compliance refuses to trust old software. */
  readonly softwareReceivedAt: string | null;
  /** The last advisory import (null: none ever: no exposure can be judged). */
  readonly lastImportAt: string | null;
}

/** Called with the devices whose exposure was just recomputed and saved (tasks complete themselves, compliance moves). */
export type RecomputeListener = (deviceIds: readonly string[]) => Promise<void>;

/** Keyset page request of the fleet views. */
export interface PageQuery {
  readonly limit: number;
  readonly cursor?: string;
}

/**
 * The vulnerability service (service/vulnerabilities/vulnerability-service.ts). Every method throws AttacheError with
 * a stable code: ADVISORY_INVALID (file), SCHEMA_INVALID (upload), DEVICE_NOT_FOUND, RECOMMENDATION_NOT_FOUND,
 * ADVISORY_NOT_FOUND.
 */
export interface VulnerabilityService {
  /** Parses, stores in one transaction (nothing half-imported), then recomputes the devices whose findings changed. */
  importAdvisories(file: AdvisoryFileInput, by: Actor): Promise<AdvisoryImportResult>;
  /** POST /v1/device/software: validates, stores when newer, recomputes this device (off the sync path). */
  acceptSoftware(signerId: string, body: unknown): Promise<SoftwareUploadAck>;
  dashboard(): Promise<VulnerabilityDashboard>;
  deviceSoftware(deviceId: string): Promise<DeviceSoftware>;
  deviceVulnerabilities(deviceId: string): Promise<DeviceVulnerabilities>;
  exposures(query: PageQuery & { readonly level?: ExposureLevel }): Promise<DeviceExposureList>;
  recommendations(query: PageQuery & { readonly ecosystem?: string; readonly search?: string }): Promise<RecommendationList>;
  recommendation(recommendationId: string): Promise<RecommendationDetail>;
  advisory(advisoryId: string): Promise<AdvisoryDetail>;
  /** Null: the device never uploaded software, or its exposure was never computed. */
  exposureOf(deviceId: string): Promise<ExposureSummary | null>;
  /** Full recompute of every device (after an upgrade, or `attache-admin vulnerabilities recompute`); returns devices done. */
  recomputeAll(): Promise<number>;
  /** One device's packages matched again and its exposure recomputed (`recompute --device`); NOT_FOUND without software. */
  recomputeDevice(deviceId: string): Promise<number>;
  /**
   * The consistency sweep (leader, periodic; stale-sweep.ts): packages left unevaluated (an import that failed after its
   * commit) matched, and devices whose exposure is missing or older than their software recomputed, in bounded pages;
   * returns devices done.
   */
  recomputeStale(): Promise<number>;
  onRecomputed(listener: RecomputeListener): void;
}
