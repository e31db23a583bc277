// The ResponseHost of a simulated device (issue 17): every response action done to the SimulatedHost's state instead
// of an OS — isolation rules in its persisted state under the real IsolationController (intent in isolation.json),
// scans that report its injected detections, a real .tar.gz of its state, quarantine of its simulated files and
// processes — with the failures QA injects per action type (host.faults.failActions: an error code, or a hang).
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { writeFileAtomic } from '../../../common/atomic-file.js';
import { type Clock, isoNow, sleep } from '../../../common/clock.js';
import { AttacheError, type ErrorCode, isErrorCode } from '../../../common/errors.js';
import { tarEnd, tarEntry } from '../../../common/tar.js';
import type { ActionResultOf } from '../../../policy-schemas/src/actions.js';
import type { SimulatedHost } from '../hosts/simulated-host.js';
import type { FileStore } from '../system/file-store.js';
import type { IsolationBackend, IsolationEndpoint, IsolationMode } from './isolation/isolation.js';
import { IsolationController } from './isolation/responder.js';
import type { ResponseHost } from './response-host.js';
import { simulatedSoftwareUpdate } from './software-update/simulated.js';

/** How long a simulated scan takes, by type (default: quick 2 s, full 10 s). */
export const DEFAULT_SCAN_MS = { quick: 2_000, full: 10_000 } as const;

/** The error an injected failure ends with when its fault names no code. */
const DEFAULT_FAULT_CODES: Readonly<Record<string, ErrorCode>> = {
  isolate: 'ISOLATION_FAILED',
  release: 'ISOLATION_FAILED',
  runAntivirusScan: 'SCAN_FAILED',
  collectInvestigationPackage: 'STATE_WRITE_FAILED',
  stopAndQuarantineFile: 'QUARANTINE_FAILED',
  restoreFromQuarantine: 'QUARANTINE_RESTORE_FAILED',
  offboard: 'OFFBOARD_FAILED',
  updateSoftware: 'SOFTWARE_UPDATE_FAILED',
};

export interface SimulatedResponderOptions {
  /** The agent's state dir in `files` (isolation.json lives there). */
  readonly stateDir: string;
  /** A real directory where investigation packages are written (the executor uploads and deletes them). */
  readonly packageDir: string;
  readonly scanMs?: { readonly quick: number; readonly full: number };
}

export interface SimulatedResponderDeps {
  readonly host: SimulatedHost;
  /** The agent's state files (the disk, or the fleet simulator's memory). */
  readonly files: FileStore;
  readonly clock: Clock;
  readonly newId: () => string;
}

/** Where the simulated OS keeps isolation rules: the host's persisted state. `selective` is refused as on Linux. */
class SimulatedIsolationBackend implements IsolationBackend {
  constructor(private readonly host: SimulatedHost) {}

  unsupportedMode(mode: IsolationMode): string | undefined {
    return mode === 'selective' ? 'selective isolation is not supported on this device (simulated): use full' : undefined;
  }

  async snapshot(): Promise<undefined> {
    return undefined;
  }

  async apply(endpoints: readonly IsolationEndpoint[]): Promise<void> {
    await this.host.refresh();
    this.host.setResponse({ isolation: { endpoints: endpoints.map(({ host, port, addresses }) => ({ host, port, addresses: [...addresses] })) } });
    await this.host.persist();
  }

  async remove(): Promise<void> {
    await this.host.refresh();
    if (!this.host.response.isolation) return;
    this.host.setResponse({ isolation: undefined });
    await this.host.persist();
  }

  async present(): Promise<boolean> {
    await this.host.refresh();
    return this.host.response.isolation !== undefined;
  }
}

/** A stable TEST-NET-3 address per host name: the simulated DNS (no lookup leaves the machine). */
function simulatedAddress(name: string): string {
  const digest = createHash('sha256').update(name).digest();
  return `203.0.113.${1 + ((digest[0] ?? 0) % 254)}`;
}

/** A quarantined file as the stopAndQuarantineFile result lists it. */
type QuarantinedItem = ActionResultOf<'stopAndQuarantineFile'>['items'][number];

/**
 * The simulated ResponseHost; `actionId` on stopAndQuarantine and `quarantinedBy` (the files an action quarantined, for
 * the executor's recovery after a kill) are the executor's additions to the ResponseHost contract (package B).
 */
export function createSimulatedResponder(
  options: SimulatedResponderOptions,
  deps: SimulatedResponderDeps,
): ResponseHost & {
  stopAndQuarantine(request: { readonly sha256: string; readonly path?: string; readonly actionId?: string }): Promise<ActionResultOf<'stopAndQuarantineFile'>>;
  quarantinedBy(actionId: string, sha256: string): Promise<QuarantinedItem[]>;
} {
  const { host, clock } = deps;
  const scanMs = options.scanMs ?? DEFAULT_SCAN_MS;
  const controller = new IsolationController(
    { stateDir: options.stateDir },
    { backend: new SimulatedIsolationBackend(host), files: deps.files, resolve: async (name) => [simulatedAddress(name)], clock },
  );

  /** Throws the injected failure of `type`, or never settles for a hang (until `signal` aborts, when there is one). */
  const injected = async (type: string, signal?: AbortSignal): Promise<void> => {
    const fault = host.faults.failActions.get(type);
    if (!fault) return;
    host.faults.onActionFailed?.(type);
    if (fault.hang) {
      await new Promise<never>((_, reject) => signal?.addEventListener('abort', () => reject(signal.reason), { once: true }));
    }
    const code = fault.code !== undefined && isErrorCode(fault.code) ? fault.code : (DEFAULT_FAULT_CODES[type] ?? 'INTERNAL');
    throw new AttacheError(code, fault.message ?? `${type} failed on this device (simulated ${code})`);
  };

  return {
    isolation: {
      isolate: async (plan) => {
        await injected('isolate');
        return controller.isolate(plan);
      },
      release: async () => {
        await injected('release');
        return controller.release();
      },
      state: () => controller.state(),
      reapply: () => controller.reapply(),
    },

    async scan(scanType, signal, progress) {
      await injected('runAntivirusScan', signal);
      const started = clock.now();
      const total = scanMs[scanType];
      for (const percent of [25, 50, 75, 100]) {
        await sleep(clock, total / 4, signal);
        if (signal.aborted) throw signal.reason;
        if (percent < 100) progress(percent);
      }
      await host.refresh();
      const threats = host.riskSignals.detections.slice(0, 100).map((d) => ({ name: d.name, ...(d.path ? { path: d.path } : {}), status: 'active' }));
      return { scanType, engine: 'simulated', durationMs: Math.round(clock.now() - started), threatsFound: host.riskSignals.detections.length, threats };
    },

    async collect(request, signal, progress) {
      await injected('collectInvestigationPackage', signal);
      await host.refresh();
      const built = buildPackage(host, { createdAt: isoNow(clock), deviceId: request.deviceId }, request.maxBytes);
      if (signal.aborted) throw signal.reason;
      progress(50);
      const path = join(options.packageDir, `investigation-${deps.newId()}.tar.gz`);
      await writeFileAtomic(path, built.gz, 0o600);
      return {
        path,
        sizeBytes: built.gz.length,
        sha256: createHash('sha256').update(built.gz).digest('hex'),
        entries: built.entries,
        truncated: built.truncated,
      };
    },

    async stopAndQuarantine(request) {
      await injected('stopAndQuarantineFile');
      return quarantineFile(host, request, { now: isoNow(clock), newId: deps.newId });
    },

    async quarantinedBy(actionId, sha256) {
      await host.refresh();
      return (host.response.quarantine ?? [])
        .filter((q) => q.actionId === actionId && q.sha256 === sha256.toLowerCase())
        .map((q) => ({ quarantineId: q.quarantineId, originalPath: q.path, sizeBytes: q.sizeBytes, sha256: q.sha256 }));
    },

    async restore(quarantineId) {
      await injected('restoreFromQuarantine');
      await host.refresh();
      const response = host.response;
      const entry = response.quarantine?.find((q) => q.quarantineId === quarantineId);
      if (!entry) throw new AttacheError('QUARANTINE_NOT_FOUND', `no quarantined file has id ${quarantineId}`);
      if (response.files?.some((f) => f.path === entry.path))
        throw new AttacheError('QUARANTINE_RESTORE_FAILED', `${entry.path} exists again: the quarantine never replaces a file`);
      const { quarantineId: _id, quarantinedAt: _at, actionId: _action, ...file } = entry;
      host.setResponse({ files: [...(response.files ?? []), file], quarantine: response.quarantine?.filter((q) => q !== entry) });
      await host.persist();
      return { quarantineId, restoredPath: entry.path };
    },

    async disableService() {
      await injected('offboard');
      await host.refresh();
      host.setResponse({ serviceDisabled: true });
      await host.persist();
    },

    async updateSoftware(request, signal, progress) {
      await injected('updateSoftware', signal);
      return simulatedSoftwareUpdate(host, request, signal, progress);
    },
  };
}

/**
 * Kills every simulated process running the file and moves the file into the quarantine: the file at `path` (it must
 * have that SHA-256), else the executable of each running process with it. FILE_NOT_FOUND when there is none.
 */
async function quarantineFile(
  host: SimulatedHost,
  request: { readonly sha256: string; readonly path?: string; readonly actionId?: string },
  deps: { readonly now: string; readonly newId: () => string },
): Promise<ActionResultOf<'stopAndQuarantineFile'>> {
  await host.refresh();
  const sha256 = request.sha256.toLowerCase();
  const files = host.response.files ?? [];
  const processes = host.riskSignals.processes;
  const running = processes.filter((p) => p.sha256?.toLowerCase() === sha256 && (request.path === undefined || p.path === request.path));
  const paths = request.path !== undefined ? [request.path] : [...new Set(running.map((p) => p.path))];
  const found = paths.filter((path) => files.some((f) => f.path === path && f.sha256 === sha256) || running.some((p) => p.path === path));
  if (found.length === 0) {
    throw new AttacheError('FILE_NOT_FOUND', `no file with SHA-256 ${sha256}${request.path === undefined ? ' is running' : ` at ${request.path}`}`);
  }
  const items = found.map((originalPath) => ({
    quarantineId: deps.newId(),
    originalPath,
    sizeBytes: files.find((f) => f.path === originalPath)?.sizeBytes ?? 0,
    sha256,
  }));
  host.setRiskSignals({ processes: processes.filter((p) => !running.includes(p)) });
  host.setResponse({
    files: files.filter((f) => !found.includes(f.path)),
    quarantine: [
      ...(host.response.quarantine ?? []),
      ...items.map(({ originalPath, ...item }) => ({
        ...item,
        path: originalPath,
        quarantinedAt: deps.now,
        ...(request.actionId ? { actionId: request.actionId } : {}),
      })),
    ],
  });
  await host.persist();
  return { sha256, killed: running.map((p) => ({ pid: p.pid, name: p.name })), items };
}

/** The package's content: manifest.json first, then the device's state split as a real package's sections are. */
function buildPackage(
  host: SimulatedHost,
  about: { readonly createdAt: string; readonly deviceId: string },
  maxBytes: number,
): { gz: Buffer; entries: number; truncated: boolean } {
  const { createdAt, deviceId } = about;
  const state = JSON.parse(host.stateText()) as Record<string, unknown>;
  const json = (value: unknown) => Buffer.from(`${JSON.stringify(value ?? null, null, 2)}\n`);
  let sections: [string, Buffer][] = [
    ['status/device.json', json({ hostname: host.hostname, platform: host.platform, osVersion: host.osVersion, arch: host.arch })],
    ['policy/settings.json', json(state.values)],
    ['system/processes.json', json(state.processes ?? [])],
    ['network/connections.json', json(state.connections ?? [])],
    ['defender/detections.json', json(state.detections ?? [])],
    ['defender/health.json', json(state.health ?? {})],
    ['firewall/response-state.json', json(state.response ?? {})],
  ];
  const omitted: string[] = [];
  for (;;) {
    const manifest = json({
      formatVersion: 1,
      createdAt,
      deviceId,
      device: host.hostname,
      engine: 'simulated',
      entries: sections.map(([name, data]) => ({ name, sizeBytes: data.length })),
      ...(omitted.length > 0 ? { omitted, omittedReason: `the package is capped at ${maxBytes} bytes` } : {}),
    });
    const gz = gzipSync(tar([['manifest.json', manifest], ...sections], new Date(createdAt)));
    const largest = [...sections].sort((a, b) => b[1].length - a[1].length)[0];
    if (gz.length <= maxBytes) return { gz, entries: sections.length + 1, truncated: omitted.length > 0 };
    if (!largest) throw new AttacheError('PACKAGE_TOO_LARGE', `even the manifest alone (${gz.length} bytes) exceeds the cap of ${maxBytes} bytes`);
    omitted.push(largest[0]);
    sections = sections.filter((s) => s !== largest);
  }
}

function tar(entries: readonly (readonly [string, Buffer])[], mtime: Date): Buffer {
  return Buffer.concat([...entries.flatMap(([name, data]) => [...tarEntry(name, data, mtime)]), tarEnd()]);
}
