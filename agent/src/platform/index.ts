// The one place that decides which platform we run on and returns its host: providers, device facts, default paths.
// No other module reads process.platform (scripts/check-boundaries.ts enforces it).
import { createHash, randomUUID } from 'node:crypto';
import { arch, hostname, release, tmpdir, version } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../../common/clock.js';
import type { DeviceFacts, HostConfig, Platform } from '../../../policy-schemas/src/index.js';
import { createNativeResponder } from '../actions/native-responder.js';
import { FileHasher } from '../actions/processes/file-hasher.js';
import { HASH_MAX_BYTES } from '../actions/quarantine-fs.js';
import type { ResponseHost } from '../actions/response-host.js';
import { createSimulatedResponder } from '../actions/simulated-responder.js';
import { SimulatedHost } from '../hosts/simulated-host.js';
import { INDICATORS_FILE, IndicatorStoreProvider } from '../providers/indicators/indicator-store.js';
import type { SettingsProvider } from '../providers/provider.js';
import { createSimulatedProviders } from '../providers/simulated.js';
import { NodeCommandRunner } from '../system/command-runner.js';
import { MemoryFileStore, NodeFileStore } from '../system/file-store.js';
import { statedHostname } from '../system/hostname.js';
import { AGENT_VERSION } from '../version.js';
import { nativeProviders, watchedFiles, watchFiles } from './native-providers.js';
import { nativeOsType } from './os-type.js';

export { nativeOsType } from './os-type.js';

/** Everything platform-specific the rest of the agent needs. */
export interface AgentHost {
  readonly platform: Platform;
  readonly providers: readonly SettingsProvider[];
  facts(agentVersion: string): DeviceFacts;
  /**
   * Where the OS can notify changes to the stores the providers manage: calls `onChange` (perhaps spuriously, perhaps
   * for the agent's own writes) and returns a function that stops watching. Absent when the host cannot watch.
   */
  watchChanges?(onChange: () => void): () => void;
  /** What carries out response actions (isolate, scan, collect, quarantine, offboard); absent: every action fails ACTION_UNSUPPORTED. */
  readonly responder?: ResponseHost;
  /** Present for simulated hosts: the device itself, so QA can inject faults. */
  readonly simulated?: SimulatedHost;
}

/** Maps Node's platform name to ours; undefined for platforms the agent does not support. */
export function nativePlatform(): Platform | undefined {
  switch (process.platform) {
    case 'win32':
      return 'windows';
    case 'darwin':
      return 'macos';
    case 'linux':
      return 'linux';
    default:
      return undefined;
  }
}

/**
 * Picks the real host for this OS, or a simulated one when the config asks for it. A simulated host keeps its
 * values in `stateFile`, by default `simulated-host.json` in the state dir (memory only when neither is given).
 */
export function selectHost(config: HostConfig | undefined, options: { readonly stateDir?: string; readonly logDir?: string } = {}): AgentHost {
  if (config?.kind === 'simulated') {
    const stateFile = config.stateFile ?? (options.stateDir ? join(options.stateDir, 'simulated-host.json') : undefined);
    const host = new SimulatedHost({
      platform: config.platform,
      hostname: config.hostname ?? statedHostname(`sim-${config.platform}-${hostname()}`),
      stateFile,
      ...(config.osType ? { osType: config.osType } : {}),
    });
    return {
      platform: host.platform,
      providers: simulatedProviders(host, options.stateDir),
      facts: (agentVersion) => host.facts(agentVersion),
      watchChanges: (onChange: () => void) => host.watch(onChange),
      responder: simulatedResponder(host, options.stateDir),
      simulated: host,
    };
  }
  const platform = nativePlatform();
  if (!platform) throw new Error(`unsupported platform ${process.platform}`);
  const stateDir = options.stateDir ?? defaultPaths().stateDir;
  const watched = watchedFiles(platform);
  const facts = (agentVersion: string): DeviceFacts => {
    const osType = nativeOsType(platform, version());
    return { hostname: statedHostname(hostname()), platform, osVersion: release(), ...(osType ? { osType } : {}), arch: arch(), agentVersion };
  };
  return {
    platform,
    providers: nativeProviders(platform, stateDir),
    responder: nativeResponder({ platform, stateDir, logDir: options.logDir ?? defaultPaths().logDir, facts }),
    ...(watched.length > 0 ? { watchChanges: (onChange: () => void) => watchFiles(watched, onChange) } : {}),
    facts,
  };
}

/**
 * The simulated host's providers; with a state dir, indicators go to the same owner-only file as on a real host, so
 * on-device detection reads them the same way.
 */
function simulatedProviders(host: SimulatedHost, stateDir: string | undefined): SettingsProvider[] {
  const providers = createSimulatedProviders(host);
  if (!stateDir) return providers;
  const indicators = new IndicatorStoreProvider({ path: join(stateDir, INDICATORS_FILE) }, { files: new NodeFileStore() });
  return providers.map((p) => (p.kind === 'indicators' ? indicators : p));
}

/**
 * The simulated host's response actions: isolation.json and the investigation packages in the state dir, as on a real
 * host; without a state dir, isolation.json in memory and packages in the OS temp dir.
 */
function simulatedResponder(host: SimulatedHost, stateDir: string | undefined): ResponseHost {
  const where = stateDir
    ? { stateDir, packageDir: stateDir, files: new NodeFileStore() }
    : { stateDir: '/sim', packageDir: tmpdir(), files: new MemoryFileStore() };
  return createSimulatedResponder(
    { stateDir: where.stateDir, packageDir: where.packageDir },
    { host, files: where.files, clock: systemClock, newId: randomUUID },
  );
}

/** The real device's response actions: its isolation, quarantine and service, the agent's own process protected. */
function nativeResponder(host: {
  readonly platform: Platform;
  readonly stateDir: string;
  readonly logDir: string;
  readonly facts: (agentVersion: string) => DeviceFacts;
}): ResponseHost {
  const { platform, stateDir, logDir } = host;
  return createNativeResponder(
    { platform, stateDir, logDir, ownExecutable: process.execPath, agentVersion: AGENT_VERSION, deviceFacts: () => host.facts(AGENT_VERSION) },
    {
      runner: new NodeCommandRunner(),
      files: new NodeFileStore(),
      clock: systemClock,
      newId: randomUUID,
      hasher: new FileHasher({ maxBytes: HASH_MAX_BYTES }),
      ownPid: process.pid,
      kill: (pid) => process.kill(pid, 'SIGKILL'),
    },
  );
}

/** OS-conventional locations of the agent's files. */
export function defaultPaths(): { readonly stateDir: string; readonly configFile: string; readonly logDir: string } {
  switch (nativePlatform()) {
    case 'windows': {
      const programData = process.env.ProgramData ?? 'C:\\ProgramData';
      return { stateDir: join(programData, 'Attache'), configFile: join(programData, 'Attache', 'agent.json'), logDir: join(programData, 'Attache', 'logs') };
    }
    case 'macos':
      return {
        stateDir: '/Library/Application Support/Attache',
        configFile: '/Library/Application Support/Attache/agent.json',
        logDir: '/Library/Logs/Attache',
      };
    default:
      return { stateDir: '/var/lib/attache', configFile: '/etc/attache/agent.json', logDir: '/var/log/attache' };
  }
}

/** Address of the daemon's control channel: a Unix socket in the state dir, or a named pipe on Windows. */
export function controlAddress(stateDir: string): string {
  if (nativePlatform() === 'windows') return `\\\\.\\pipe\\attache-${createHash('sha256').update(stateDir).digest('hex').slice(0, 16)}`;
  return join(stateDir, 'control.sock');
}

/** Whether file modes mean anything here (Windows uses ACLs, set by the installer). */
export function posixPermissions(): boolean {
  return nativePlatform() !== 'windows';
}
