// An in-memory device of one platform (Windows, macOS or Linux): Defender and firewall state, with injectable faults.
// A real implementation of host behaviour used by the demo, the tests and the fleet simulator, not a canned double.
import { defaultFor, type Platform, SETTINGS, type SettingValue, settingById } from '../../../policy-schemas/src/index.js';

/** Faults QA can inject into a simulated host. */
export interface SimulatedFaults {
  /** Settings whose writes fail, with the error message the OS would give. */
  readonly failWrites: Map<string, string>;
  /** Windows tamper protection: while on, writes to tamper-protected Defender settings are silently ignored (as Defender does). */
  tamperProtection: boolean;
}

const OS_VERSIONS: Record<Platform, string> = { windows: '10.0.22631', macos: '14.6.1', linux: '6.1.0-28-amd64' };

/** Starting state of a simulated device: every catalog setting of its platform at its default. */
export class SimulatedHost {
  readonly platform: Platform;
  readonly hostname: string;
  readonly osVersion: string;
  readonly arch = 'x64';
  readonly faults: SimulatedFaults = { failWrites: new Map(), tamperProtection: false };
  private readonly values = new Map<string, SettingValue>();

  constructor(options: { platform: Platform; hostname: string }) {
    this.platform = options.platform;
    this.hostname = options.hostname;
    this.osVersion = OS_VERSIONS[options.platform];
    for (const setting of SETTINGS) {
      if (!setting.platforms.includes(this.platform)) continue;
      const value = defaultFor(setting, this.platform);
      if (value !== undefined) this.values.set(setting.id, value);
    }
  }

  /** True when this platform has the setting at all. */
  has(settingId: string): boolean {
    return settingById(settingId)?.platforms.includes(this.platform) ?? false;
  }

  read(settingId: string): SettingValue | undefined {
    const value = this.values.get(settingId);
    return value === undefined ? undefined : structuredClone(value);
  }

  /** Writes a value as the OS would: may throw an injected fault, may be silently ignored under tamper protection. */
  write(settingId: string, value: SettingValue): void {
    const failure = this.faults.failWrites.get(settingId);
    if (failure !== undefined) throw new Error(failure);
    if (this.faults.tamperProtection && settingById(settingId)?.tamperProtected) return;
    this.values.set(settingId, structuredClone(value));
  }

  /** Changes a value behind the agent's back (a local admin, malware): drift for the agent to find. */
  tamper(settingId: string, value: SettingValue): void {
    this.values.set(settingId, value);
  }
}
