// The ResponseHost of a real device: isolation through the OS's IsolationController (isolation/), stop-and-quarantine
// by hash and restore through the quarantine (processes/stop-and-quarantine.ts, quarantine.ts), disabling the agent's
// own service per OS with constant commands, the scans (scan/) and investigation package (collect/), and updateSoftware
// through the OS's package manager (software-update/).
import { join, win32 } from 'node:path';
import type { Clock } from '../../../common/clock.js';
import type { Platform } from '../../../policy-schemas/src/index.js';
import type { CommandRunner } from '../system/command-runner.js';
import type { FileStore } from '../system/file-store.js';
import { LaunchdServiceControl, type ServiceDisabler, SystemdServiceControl, WindowsServiceControl } from '../system/service-control.js';
import { collectInvestigationPackage, type InvestigationSources } from './collect/index.js';
import { createIsolationResponder, type IsolationController } from './isolation/index.js';
import { FileHasher } from './processes/file-hasher.js';
import { listProcesses, type ProcessApi } from './processes/process-table.js';
import { quarantinedBy, stopAndQuarantine } from './processes/stop-and-quarantine.js';
import { FileQuarantine, QUARANTINE_DIR } from './quarantine.js';
import type { ResponseHost } from './response-host.js';
import { createScanner } from './scan/index.js';
import { nativeSoftwareUpdater } from './software-update/native.js';

/** The agent's own service as the installers register it (installers/linux, installers/macos, installers/windows). */
export const AGENT_SERVICE: Readonly<Record<Platform, string>> = {
  linux: 'attache-agent.service',
  macos: 'com.attache.agent',
  windows: 'AttacheAgent',
};

/**
 * The agent's own folders, never quarantined (review 17b #11): its state dir, and on Windows its install folder
 * (%ProgramFiles%\\Attache, which holds only the agent). On Linux and macOS the agent is one file in a shared bin
 * folder (/usr/bin, /usr/local/bin), protected as the own executable, not by folder.
 */
export function agentPaths(platform: Platform, stateDir: string, ownExecutable: string | undefined): string[] {
  return platform === 'windows' && ownExecutable ? [stateDir, win32.dirname(ownExecutable)] : [stateDir];
}

export interface NativeResponderOptions {
  readonly platform: Platform;
  readonly stateDir: string;
  /** The agent's own executable: never quarantined. */
  readonly ownExecutable?: string;
  /** Where the agent writes its logs (the investigation package takes the newest). */
  readonly logDir: string;
  readonly agentVersion: string;
  /** The device facts the agent reports, for the investigation package. */
  readonly deviceFacts: () => unknown;
}

export interface NativeResponderDeps {
  readonly runner: CommandRunner;
  readonly files: FileStore;
  readonly clock: Clock;
  readonly newId: () => string;
  readonly hasher: FileHasher;
  readonly ownPid: number;
  readonly kill: (pid: number) => void;
  /** The process table (systeminformation by default; tests pass a fake). */
  readonly processApi?: ProcessApi;
}

/** scan and collect of a real device: actions/scan/ and actions/collect/, the process table read without hashes. */
export function nativeScanAndCollect(
  options: Pick<NativeResponderOptions, 'platform' | 'stateDir' | 'logDir' | 'agentVersion' | 'deviceFacts'>,
  deps: Pick<NativeResponderDeps, 'runner' | 'clock' | 'processApi'>,
): Pick<ResponseHost, 'scan' | 'collect'> {
  const { platform } = options;
  const sources: InvestigationSources = {
    processes: () => listProcesses({ platform, hasher: new FileHasher({ maxBytes: 0 }), ...(deps.processApi ? { api: deps.processApi } : {}) }, {}),
    deviceFacts: () => options.deviceFacts(),
  };
  return {
    scan: createScanner(platform, { runner: deps.runner, clock: deps.clock }),
    collect: (request, signal, progress) =>
      collectInvestigationPackage(
        {
          stateDir: options.stateDir,
          logDir: options.logDir,
          platform,
          maxBytes: request.maxBytes,
          deviceId: request.deviceId,
          agentVersion: options.agentVersion,
        },
        { runner: deps.runner, clock: deps.clock, sources },
        signal,
        progress,
      ),
  };
}

function serviceDisabler(platform: Platform, runner: CommandRunner): ServiceDisabler {
  switch (platform) {
    case 'linux':
      return new SystemdServiceControl(runner);
    case 'macos':
      return new LaunchdServiceControl(runner);
    case 'windows':
      return new WindowsServiceControl(runner);
  }
}

/** A real device's responder; its isolation is an IsolationController (the runtime re-applies it and starts its refresh). */
export function createNativeResponder(options: NativeResponderOptions, deps: NativeResponderDeps): ResponseHost & { readonly isolation: IsolationController } {
  const { platform, stateDir } = options;
  const quarantine = new FileQuarantine({ root: join(stateDir, QUARANTINE_DIR) }, { now: () => deps.clock.now(), newId: deps.newId });
  const stopper = {
    platform,
    hasher: deps.hasher,
    quarantine,
    ownPid: deps.ownPid,
    kill: deps.kill,
    clock: deps.clock,
    ...(options.ownExecutable ? { ownExecutable: options.ownExecutable } : {}),
    agentPaths: agentPaths(platform, stateDir, options.ownExecutable),
    ...(deps.processApi ? { api: deps.processApi } : {}),
  };
  const services = serviceDisabler(platform, deps.runner);
  return {
    isolation: createIsolationResponder({ platform, stateDir }, { runner: deps.runner, files: deps.files, clock: deps.clock }),
    ...nativeScanAndCollect(options, deps),
    stopAndQuarantine: (request) => stopAndQuarantine(stopper, request),
    quarantinedBy: (actionId, sha256) => quarantinedBy(quarantine, actionId, sha256),
    restore: async (quarantineId) => {
      const record = await quarantine.restore(quarantineId);
      return { quarantineId: record.quarantineId, restoredPath: record.originalPath };
    },
    disableService: () => services.disable(AGENT_SERVICE[platform]),
    updateSoftware: nativeSoftwareUpdater(platform, { runner: deps.runner, files: deps.files }),
  };
}
