// Reads device health (antivirus + firewall) per OS through the command runner, and from a simulated host's state.
// Never throws: a tool that is missing, slow or prints something unknown becomes an `unknown` field with a detail,
// so one broken reader never hides the other half. Per-platform readers are a table, picked by the platform given.
import type { AntivirusHealth, FirewallHealth, IsolationHealth, Platform } from '../../../policy-schemas/src/index.js';
import type { SimulatedHost } from '../hosts/simulated-host.js';
import { NFT_NOT_INSTALLED } from '../providers/linux/nftables-provider.js';
import { SOCKETFILTERFW } from '../providers/macos/socketfilterfw.js';
import { parseGlobalState } from '../providers/macos/socketfilterfw-parse.js';
import { MDATP_PATHS, readMdatpHealth } from '../providers/mdatp/cli.js';
import { readDefenderHealth } from '../providers/windows/defender-health.js';
import { readFirewallHealth } from '../providers/windows/firewall-health.js';
import { type CommandRunner, describeFailure } from '../system/command-runner.js';
import { antivirusFromDefender, antivirusFromMdatp, unknownAntivirus } from './antivirus.js';
import { firewallFromNftChains, firewallFromSocketFilter, firewallFromWindowsProfiles, parseNftChains, unknownFirewall } from './firewall.js';

/** One health reading, without its collection time. */
export interface HealthReading {
  readonly antivirus: AntivirusHealth;
  readonly firewall: FirewallHealth;
  /** The device's isolation (added by the risk monitor from the response host; absent without one). */
  readonly isolation?: IsolationHealth;
}

export interface HealthReader {
  read(): Promise<HealthReading>;
}

export interface NativeHealthDeps {
  readonly runner: CommandRunner;
  readonly now: () => number;
}

/** Per tool run: health must never hold a check up for long. */
const TOOL_TIMEOUT_MS = 30_000;

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

async function linuxFirewall(runner: CommandRunner): Promise<FirewallHealth> {
  const spec = { file: 'nft', args: ['-j', 'list', 'chains'], timeoutMs: TOOL_TIMEOUT_MS, maxOutputBytes: 4 * 1024 * 1024 };
  const result = await runner.run(spec);
  if (result.spawnError?.startsWith('ENOENT')) return unknownFirewall('nftables', NFT_NOT_INSTALLED);
  if (result.code !== 0 || result.timedOut || result.truncated) return unknownFirewall('nftables', describeFailure(spec, result));
  try {
    return firewallFromNftChains(parseNftChains(result.stdout));
  } catch (err) {
    return unknownFirewall('nftables', `nft -j list chains: ${message(err)}`);
  }
}

async function macosFirewall(runner: CommandRunner): Promise<FirewallHealth> {
  const spec = { file: SOCKETFILTERFW, args: ['--getglobalstate'], timeoutMs: TOOL_TIMEOUT_MS };
  const result = await runner.run(spec);
  if (result.code !== 0 || result.timedOut || result.spawnError) return unknownFirewall('socketfilterfw', describeFailure(spec, result));
  try {
    return firewallFromSocketFilter(parseGlobalState(result.stdout));
  } catch (err) {
    return unknownFirewall('socketfilterfw', message(err));
  }
}

async function windowsAntivirus(deps: NativeHealthDeps): Promise<AntivirusHealth> {
  try {
    return antivirusFromDefender(await readDefenderHealth(deps.runner), deps.now());
  } catch (err) {
    return unknownAntivirus('defender', message(err));
  }
}

async function windowsFirewall(runner: CommandRunner): Promise<FirewallHealth> {
  try {
    return firewallFromWindowsProfiles(await readFirewallHealth(runner));
  } catch (err) {
    return unknownFirewall('windowsFirewall', message(err));
  }
}

const mdatp = (platform: 'linux' | 'macos') => async (deps: NativeHealthDeps) =>
  antivirusFromMdatp(await readMdatpHealth(deps.runner, { mdatpPath: MDATP_PATHS[platform], timeoutMs: TOOL_TIMEOUT_MS }), deps.now());

const NATIVE: Record<Platform, { antivirus(deps: NativeHealthDeps): Promise<AntivirusHealth>; firewall(runner: CommandRunner): Promise<FirewallHealth> }> = {
  linux: { antivirus: mdatp('linux'), firewall: linuxFirewall },
  macos: { antivirus: mdatp('macos'), firewall: macosFirewall },
  windows: { antivirus: windowsAntivirus, firewall: windowsFirewall },
};

/** Health of the real OS of `platform`: both halves read in parallel. */
export function nativeHealthReader(platform: Platform, deps: NativeHealthDeps): HealthReader {
  const readers = NATIVE[platform];
  return {
    async read() {
      const [antivirus, firewall] = await Promise.all([readers.antivirus(deps), readers.firewall(deps.runner)]);
      return { antivirus, firewall };
    },
  };
}

/** Versions a healthy simulated Defender reports. */
const SIMULATED_VERSIONS = { engineVersion: '1.1.24090.11', platformVersion: '4.18.24090.11', signatureVersion: '1.421.1234.0' };

/**
 * A simulated Windows host's real-time protection follows the value in effect of Defender's AllowRealtimeMonitoring
 * (0 = off; a Group Policy's value when one imposes it), as Get-MpComputerStatus follows the effective policy.
 */
function realTimeMonitoringInEffect(host: SimulatedHost): boolean {
  return host.platform !== 'windows' || host.read('defender.AllowRealtimeMonitoring') !== 0;
}

/**
 * Health of a simulated host: healthy (AV active, real-time protection on unless AllowRealtimeMonitoring is 0 in effect, signatures 2 hours old, firewall on)
 * unless the state file's `health` says otherwise. Tamper protection follows the host's injected fault.
 */
export function simulatedHealthReader(host: SimulatedHost): HealthReader {
  return {
    async read() {
      await host.refresh();
      const h = host.riskSignals.health;
      const mode = h.antivirusMode ?? 'active';
      const enabled = h.firewallEnabled ?? true;
      const antivirus: AntivirusHealth = {
        source: 'simulated',
        mode,
        realTimeProtection: mode === 'off' ? false : (h.realTimeProtection ?? realTimeMonitoringInEffect(host)),
        tamperProtection: host.faults.tamperProtection,
        ...SIMULATED_VERSIONS,
        signatureAgeHours: h.signatureAgeHours ?? 2,
      };
      const profiles = host.platform === 'windows' ? { profiles: { Domain: enabled, Private: enabled, Public: enabled } } : {};
      return { antivirus, firewall: { source: 'simulated', enabled, ...profiles } };
    },
  };
}
