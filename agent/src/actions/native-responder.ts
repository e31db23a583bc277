// The ResponseHost of a real device: isolation through the OS's IsolationController (isolation/), stop-and-quarantine
// by hash and restore through the quarantine (processes/stop-and-quarantine.ts, quarantine.ts), disabling the agent's
// own service per OS with constant commands, and scan / collect from package C's modules (see nativeScanAndCollect).
import { join } from 'node:path';
import type { Clock } from '../../../common/clock.js';
import { AttacheError } from '../../../common/errors.js';
import type { Platform } from '../../../policy-schemas/src/index.js';
import type { CommandRunner } from '../system/command-runner.js';
import type { FileStore } from '../system/file-store.js';
import { LaunchdServiceControl, type ServiceDisabler, SystemdServiceControl, WindowsServiceControl } from '../system/service-control.js';
import { createIsolationResponder, type IsolationController } from './isolation/index.js';
import type { FileHasher } from './processes/file-hasher.js';
import type { ProcessApi } from './processes/process-table.js';
import { quarantinedBy, stopAndQuarantine } from './processes/stop-and-quarantine.js';
import { FileQuarantine, QUARANTINE_DIR } from './quarantine.js';
import type { ResponseHost } from './response-host.js';

/** The agent's own service as the installers register it (installers/linux, installers/macos, installers/windows). */
export const AGENT_SERVICE: Readonly<Record<Platform, string>> = {
  linux: 'attache-agent.service',
  macos: 'com.attache.agent',
  windows: 'AttacheAgent',
};

export interface NativeResponderOptions {
  readonly platform: Platform;
  readonly stateDir: string;
  /** The agent's own executable: never quarantined. */
  readonly ownExecutable?: string;
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

/**
 * scan and collect of a real device. Placeholder until package C's modules are merged: the lead replaces this body with
 * `{ scan: createScanner(platform, { runner, clock }), collect: (limits, signal, progress) =>
 * collectInvestigationPackage({ ...limits, platform, stateDir }, deps, signal, progress) }` (agent/src/actions/scan/,
 * agent/src/actions/collect/).
 */
export function nativeScanAndCollect(
  platform: Platform,
  _deps: { readonly runner: CommandRunner; readonly clock: Clock },
): Pick<ResponseHost, 'scan' | 'collect'> {
  const unsupported = (what: string) => async (): Promise<never> => {
    throw new AttacheError('ACTION_UNSUPPORTED', `${what} is not available in this agent build on ${platform}`);
  };
  return { scan: unsupported('runAntivirusScan'), collect: unsupported('collectInvestigationPackage') };
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
    ...(deps.processApi ? { api: deps.processApi } : {}),
  };
  const services = serviceDisabler(platform, deps.runner);
  return {
    isolation: createIsolationResponder({ platform, stateDir }, { runner: deps.runner, files: deps.files, clock: deps.clock }),
    ...nativeScanAndCollect(platform, deps),
    stopAndQuarantine: (request) => stopAndQuarantine(stopper, request),
    quarantinedBy: (actionId, sha256) => quarantinedBy(quarantine, actionId, sha256),
    restore: async (quarantineId) => {
      const record = await quarantine.restore(quarantineId);
      return { quarantineId: record.quarantineId, restoredPath: record.originalPath };
    },
    disableService: () => services.disable(AGENT_SERVICE[platform]),
  };
}
