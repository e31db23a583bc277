// Agent configuration: the config file (validated) merged with environment variables, command-line overrides and
// OS defaults. Precedence: flag > ATTACHE_* environment variable > config file > OS default.
import { isAbsolute } from 'node:path';
import { readConfigFile } from '../../common/config-file.js';
import { AttacheError } from '../../common/errors.js';
import { AgentConfig, type AgentConfig as AgentConfigT, type HostConfig, type Platform } from '../../policy-schemas/src/index.js';
import { defaultPaths } from './platform/index.js';

/** Configuration with every default filled in. */
export interface ResolvedConfig {
  readonly configFile: string;
  readonly stateDir: string;
  readonly logDir: string | undefined;
  readonly logLevel: 'error' | 'warn' | 'info' | 'debug';
  readonly checkinIntervalMinutes: number;
  /** Rotate the device key after this many days; 0 = only when asked. */
  readonly deviceKeyRotationDays: number;
  readonly checkinJitterPercent: number;
  /** Period of the local drift check (driftCheckSeconds, else driftCheckMinutes, default 15 min). */
  readonly driftCheckMs: number;
  /** Check for drift when the host reports a change to a managed store (hosts that can watch), not only on the timer. */
  readonly driftWatch: boolean;
  readonly host: HostConfig;
  /** Risk signals, health and inventory cadences and thresholds (agent-config schema documents each). */
  readonly signals: SignalsConfig;
  /** Period of the software inventory (agent.json softwareInventoryIntervalHours, default 12 h). */
  readonly softwareInventoryIntervalMs: number;
}

/** Cadences and thresholds of the risk signals engine, health and inventory, in milliseconds where they are times. */
export interface SignalsConfig {
  readonly riskCheckMs: number;
  readonly healthCheckMs: number;
  readonly inventoryIntervalMs: number;
  readonly signatureMaxAgeHours: number;
  readonly applyErrorSyncs: number;
  readonly tamperAlertMs: number;
  readonly hashMaxBytes: number;
}

/** Defaults of SignalsConfig (agent.json fields riskCheckSeconds, healthCheckSeconds, …). */
export const DEFAULT_SIGNALS: SignalsConfig = {
  riskCheckMs: 60_000,
  healthCheckMs: 300_000,
  inventoryIntervalMs: 24 * 3_600_000,
  // Defender calls signatures out of date after 7 days (AVSignatureDue default), which Intune's compliance mirrors.
  signatureMaxAgeHours: 168,
  applyErrorSyncs: 3,
  tamperAlertMs: 24 * 3_600_000,
  hashMaxBytes: 256 * 1024 * 1024,
};

export interface ConfigOverrides {
  readonly configFile?: string;
  readonly stateDir?: string;
  readonly simulated?: Platform;
  readonly logLevel?: ResolvedConfig['logLevel'];
}

/** Installed software is listed twice a day by default (issue 18): packages change rarely, a listing costs seconds. */
export const DEFAULT_SOFTWARE_INVENTORY_HOURS = 12;
/** MDE devices check in every 90 minutes (mde-domain.md §1.6); ±10 % jitter spreads a fleet. */
export const DEFAULT_CHECKIN_MINUTES = 90;
/** Rotate the device key after this many days by default (docs/protocol.md "Device-key rotation"). */
export const DEFAULT_KEY_ROTATION_DAYS = 90;
export const DEFAULT_JITTER_PERCENT = 10;
/** Managed settings are re-read locally this often to find drift (tamper events). */
export const DEFAULT_DRIFT_CHECK_MINUTES = 15;

/** The environment variables the agent reads (docs/install.md); service definitions set them. */
export const CONFIG_ENV = {
  configFile: 'ATTACHE_CONFIG',
  stateDir: 'ATTACHE_STATE_DIR',
  logDir: 'ATTACHE_LOG_DIR',
  logLevel: 'ATTACHE_LOG_LEVEL',
} as const;

const LOG_LEVELS: readonly ResolvedConfig['logLevel'][] = ['error', 'warn', 'info', 'debug'];

/** Values from the environment; a variable that is set must be valid (an empty one is an error, not "unset"). */
export function envOverrides(env: Readonly<Record<string, string | undefined>>): {
  configFile?: string;
  stateDir?: string;
  logDir?: string;
  logLevel?: ResolvedConfig['logLevel'];
} {
  const out: ReturnType<typeof envOverrides> = {};
  for (const key of ['configFile', 'stateDir', 'logDir'] as const) {
    const value = env[CONFIG_ENV[key]];
    if (value === undefined) continue;
    // Services set these; a relative path would depend on the service manager's working directory.
    if (!isAbsolute(value)) throw new AttacheError('CONFIG_INVALID', `${CONFIG_ENV[key]} must be an absolute path (got "${value}")`);
    out[key] = value;
  }
  const level = env[CONFIG_ENV.logLevel];
  if (level !== undefined) {
    if (!LOG_LEVELS.includes(level as ResolvedConfig['logLevel']))
      throw new AttacheError('CONFIG_INVALID', `${CONFIG_ENV.logLevel} must be one of ${LOG_LEVELS.join(', ')} (got "${level}")`);
    out.logLevel = level as ResolvedConfig['logLevel'];
  }
  return out;
}

export async function loadConfig(overrides: ConfigOverrides, env: Readonly<Record<string, string | undefined>> = process.env): Promise<ResolvedConfig> {
  const defaults = defaultPaths();
  const fromEnv = envOverrides(env);
  const named = overrides.configFile ?? fromEnv.configFile;
  const configFile = named ?? defaults.configFile;
  // A missing default config file is normal; a missing file the user named is an error.
  const file: AgentConfigT = (await readConfigFile(configFile, AgentConfig, { optional: named === undefined })) ?? {};
  return {
    configFile,
    stateDir: overrides.stateDir ?? fromEnv.stateDir ?? file.stateDir ?? defaults.stateDir,
    logDir: fromEnv.logDir ?? file.logDir,
    logLevel: overrides.logLevel ?? fromEnv.logLevel ?? file.logLevel ?? 'info',
    checkinIntervalMinutes: file.checkinIntervalMinutes ?? DEFAULT_CHECKIN_MINUTES,
    deviceKeyRotationDays: file.deviceKeyRotationDays ?? DEFAULT_KEY_ROTATION_DAYS,
    checkinJitterPercent: file.checkinJitterPercent ?? DEFAULT_JITTER_PERCENT,
    driftCheckMs: file.driftCheckSeconds !== undefined ? file.driftCheckSeconds * 1000 : (file.driftCheckMinutes ?? DEFAULT_DRIFT_CHECK_MINUTES) * 60_000,
    driftWatch: file.driftWatch ?? true,
    host: simulatedOverride(file.host, overrides.simulated) ?? file.host ?? { kind: 'native' },
    signals: signalsConfig(file),
    softwareInventoryIntervalMs: (file.softwareInventoryIntervalHours ?? DEFAULT_SOFTWARE_INVENTORY_HOURS) * 3_600_000,
  };
}

function signalsConfig(file: AgentConfigT): SignalsConfig {
  const d = DEFAULT_SIGNALS;
  return {
    riskCheckMs: file.riskCheckSeconds !== undefined ? file.riskCheckSeconds * 1000 : d.riskCheckMs,
    healthCheckMs: file.healthCheckSeconds !== undefined ? file.healthCheckSeconds * 1000 : d.healthCheckMs,
    inventoryIntervalMs: file.inventoryIntervalHours !== undefined ? file.inventoryIntervalHours * 3_600_000 : d.inventoryIntervalMs,
    signatureMaxAgeHours: file.signatureMaxAgeHours ?? d.signatureMaxAgeHours,
    applyErrorSyncs: file.applyErrorSyncs ?? d.applyErrorSyncs,
    tamperAlertMs: file.tamperAlertHours !== undefined ? file.tamperAlertHours * 3_600_000 : d.tamperAlertMs,
    hashMaxBytes: file.hashMaxMegabytes !== undefined ? file.hashMaxMegabytes * 1024 * 1024 : d.hashMaxBytes,
  };
}

/** `--simulated <platform>` wins over the file; a simulated host from the file keeps its name and state file. */
function simulatedOverride(fromFile: HostConfig | undefined, platform: Platform | undefined): HostConfig | undefined {
  if (!platform) return undefined;
  if (fromFile?.kind === 'simulated') return { ...fromFile, platform };
  return { kind: 'simulated', platform };
}
