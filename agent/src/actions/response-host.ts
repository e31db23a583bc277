// What a host (a real OS or a simulated device) must offer the response-action executor (issue 17): one primitive
// per action, each doing the OS work only. Verification, the replay ledger, durable results and the updates to the
// endpoint belong to the executor; which host implements this is decided in platform/index.ts.
import { AttacheError, type ErrorCode } from '../../../common/errors.js';
import type { ActionParametersOf, ActionResult, ActionResultOf } from '../../../policy-schemas/src/actions.js';
import type { SoftwareInventory } from '../../../policy-schemas/src/software.js';
import type { IsolationResponder } from './isolation/isolation.js';

/** An investigation package built on disk, ready to upload (the executor deletes it after the upload). */
export interface CollectedPackage {
  /** A root-only file under the agent's state dir. */
  readonly path: string;
  readonly sizeBytes: number;
  readonly sha256: string;
  /** Entries in the archive, manifest.json included. */
  readonly entries: number;
  /** Content was left out to stay under maxBytes (manifest.json lists what and why). */
  readonly truncated: boolean;
}

/**
 * A failed action that still has a result to report (updateSoftware: each package's version before and after, or the
 * manual steps): the executor records both the error and the result (ActionUpdate allows a result with `failed`).
 */
export class ActionFailure extends AttacheError {
  constructor(
    code: ErrorCode,
    message: string,
    readonly result: ActionResult,
  ) {
    super(code, message);
  }
}

/** updateSoftware's request as the host gets it: the packages, and how to list the installed software afresh. */
export interface SoftwareUpdateRequest {
  readonly packages: ActionParametersOf<'updateSoftware'>['packages'];
  /** A fresh inventory (the agent's collector; `signal` kills its tool): names are checked and versions read there. */
  readonly inventory: (signal?: AbortSignal) => Promise<SoftwareInventory>;
  /** The device's last updateSoftware before this one was cut short by an agent stop or kill: dpkg may be half-way. */
  readonly afterInterruption?: boolean;
  /** Something the agent's log should say (a dpkg repair that ran first). */
  readonly notice?: (message: string) => void;
}

/** Progress of a long action (0–100), as the action center shows it. */
export type ProgressSink = (percent: number) => void;

export interface ResponseHost {
  /** isolate / release: the per-OS isolation (persisted intent, re-applied at start). */
  readonly isolation: IsolationResponder;
  /**
   * runAntivirusScan: runs the OS's antivirus (mdatp, Start-MpScan); SCAN_UNAVAILABLE when there is none. `signal`
   * aborts it (a cancelled action): the scan process is stopped and the promise rejects with the abort reason.
   */
  scan(scanType: 'quick' | 'full', signal: AbortSignal, progress: ProgressSink): Promise<ActionResultOf<'runAntivirusScan'>>;
  /**
   * collectInvestigationPackage: a .tar.gz with manifest.json (naming `deviceId`), at most maxBytes; `signal` aborts
   * and removes it.
   */
  collect(request: { readonly maxBytes: number; readonly deviceId: string }, signal: AbortSignal, progress: ProgressSink): Promise<CollectedPackage>;
  /**
   * stopAndQuarantineFile: every process running a file with this SHA-256 (at `path` when given, else the running
   * executables) is killed, then the file moved to the quarantine; FILE_NOT_FOUND when no such file exists.
   */
  stopAndQuarantine(request: {
    readonly sha256: string;
    readonly path?: string;
    /** The action asking: recorded with each quarantined file, so recovery after a kill can find what it moved. */
    readonly actionId?: string;
  }): Promise<ActionResultOf<'stopAndQuarantineFile'>>;
  /**
   * The files the quarantine holds for action `actionId` with this SHA-256 (recovery of a stopAndQuarantineFile that
   * was killed half-way). Absent: such an action is reported failed ACTION_INTERRUPTED.
   */
  quarantinedBy?(actionId: string, sha256: string): Promise<ActionResultOf<'stopAndQuarantineFile'>['items']>;
  /** restoreFromQuarantine: puts the file back at its path, mode and owner (QUARANTINE_NOT_FOUND, QUARANTINE_RESTORE_FAILED). */
  restore(quarantineId: string): Promise<ActionResultOf<'restoreFromQuarantine'>>;
  /** offboard, last step: stop the agent's service and keep it from starting again (systemd, launchd, SCM). */
  disableService(): Promise<void>;
  /**
   * updateSoftware: updates the named packages with the OS's package manager (actions/software-update/), argv only;
   * ACTION_INVALID before anything runs when a name is not in the fresh inventory; `signal` kills the manager.
   * Absent: the action fails ACTION_UNSUPPORTED.
   */
  updateSoftware?(request: SoftwareUpdateRequest, signal: AbortSignal, progress: ProgressSink): Promise<ActionResultOf<'updateSoftware'>>;
}
