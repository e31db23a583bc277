// An in-memory device of one platform (Windows, macOS or Linux): Defender and firewall state, with injectable faults.
// A real implementation of host behaviour used by the demo, the tests and the fleet simulator, not a canned double.
// With a state file it behaves like an OS store others can edit: re-read before every observe, written after changes.
// Besides setting values the file holds the device's risk signals (processes, connections, AV detections, health
// overrides), which tests and QA inject by editing it; the agent's risk checks read them like an OS's process table.
import { watch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { writeFileAtomic } from '../../../common/atomic-file.js';
import { AttacheError } from '../../../common/errors.js';
import { validate } from '../../../common/validation.js';
import {
  type DeviceFacts,
  defaultFor,
  type OsType,
  type Platform,
  SETTINGS,
  type SettingValue,
  type SimulatedConnection,
  type SimulatedDetection,
  type SimulatedHealth,
  SimulatedHostState,
  type SimulatedProcess,
  type SimulatedResponseState,
  settingById,
} from '../../../policy-schemas/src/index.js';
import type { SimulatedSoftware } from './simulated-software.js';

/** What runs on a simulated device and how healthy it is; every list empty and health default unless injected. */
export interface SimulatedSignals {
  readonly processes: readonly SimulatedProcess[];
  readonly connections: readonly SimulatedConnection[];
  readonly detections: readonly SimulatedDetection[];
  readonly health: SimulatedHealth;
}

/** Faults QA can inject into a simulated host. */
export interface SimulatedFaults {
  /** Settings whose writes fail, with the error message the OS would give. */
  readonly failWrites: Map<string, string>;
  /** Windows tamper protection: while on, writes to tamper-protected Defender settings are silently ignored (as Defender does). */
  tamperProtection: boolean;
  /** Called each time an injected write failure fires (the fleet simulator counts the hosts a fault really hit). */
  onWriteFailed?: ((settingId: string) => void) | undefined;
  /** Response actions (by action type) that fail on this host; simulated-responder.ts reads them. */
  readonly failActions: Map<string, SimulatedActionFault>;
  /** Called each time an injected action failure fires. */
  onActionFailed?: ((type: string) => void) | undefined;
}

/** An injected response-action failure: the error it ends with, or `hang` (it never finishes). */
export interface SimulatedActionFault {
  readonly code?: string;
  readonly message?: string;
  readonly hang?: boolean;
}

/** A value another manager imposes on a setting (a GPO over MDM on Windows): in effect whatever the agent writes. */
export interface SimulatedGroupPolicy {
  readonly value: SettingValue;
  /** Who imposes it, as the real Windows provider names it: "Group Policy '<GPO name>'". */
  readonly source: string;
}

const OS_VERSIONS: Record<Platform, string> = { windows: '10.0.22631', macos: '14.6.1', linux: '6.1.0-28-amd64' };

/** Starting state of a simulated device: every catalog setting of its platform at its default. */
export class SimulatedHost {
  readonly platform: Platform;
  readonly hostname: string;
  readonly osVersion: string;
  /** `server` simulates a server edition (Windows Server with platform windows); undefined: a client, stated as none. */
  readonly osType: OsType | undefined;
  readonly arch = 'x64';
  readonly faults: SimulatedFaults = { failWrites: new Map(), tamperProtection: false, failActions: new Map() };
  /** JSON file holding the device's values (urn:attache:simulated-host-state); undefined: memory only. */
  readonly stateFile: string | undefined;
  /** Installed software (issue 18; memory only, set by the simulator's scenario profile); none: not listed. */
  software: SimulatedSoftware | undefined;
  private readonly values = new Map<string, SettingValue>();
  /** Injected risk signals (kept across persist: the agent writes values, QA writes signals). */
  private signals: SimulatedSignals = { processes: [], connections: [], detections: [], health: {} };
  /** What response actions changed (isolation rules, files, quarantine, service), persisted with the values. */
  private responseState: SimulatedResponseState = {};
  /** Text of the state file as this host last wrote it. */
  private lastPersisted: string | undefined;
  /** Watchers of a memory-only host (see watch()). */
  private readonly listeners = new Set<() => void>();
  /**
   * Values a Group Policy imposes (memory only, like `faults`): they win over `values`, which keep the agent's own
   * writes (its MDM store), so clearing a GPO brings the agent's value back into effect, as GP removal does on Windows.
   */
  private readonly groupPolicy = new Map<string, SimulatedGroupPolicy>();

  constructor(options: { platform: Platform; hostname: string; stateFile?: string; osType?: OsType }) {
    this.platform = options.platform;
    this.hostname = options.hostname;
    this.osVersion = OS_VERSIONS[options.platform];
    this.osType = options.osType;
    this.stateFile = options.stateFile;
    for (const setting of SETTINGS) {
      if (!setting.platforms.includes(this.platform)) continue;
      const value = this.platformDefault(setting.id);
      if (value !== undefined) this.values.set(setting.id, value);
    }
  }

  /** What the device states about itself at enrollment; osType only when it was given (absent = workstation). */
  facts(agentVersion: string): DeviceFacts {
    const { hostname, platform, osVersion, arch, osType } = this;
    return { hostname, platform, osVersion, ...(osType ? { osType } : {}), arch, agentVersion };
  }

  /** Reloads the values from the state file, if there is one yet (someone may have changed them behind our back). */
  async refresh(): Promise<void> {
    if (!this.stateFile) return;
    let text: string;
    try {
      text = await readFile(this.stateFile, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw new AttacheError('STATE_CORRUPT', `simulated host state ${this.stateFile} is unreadable`, { cause: err });
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (err) {
      throw new AttacheError('STATE_CORRUPT', `simulated host state ${this.stateFile} is not valid JSON`, { cause: err });
    }
    const state = validate(SimulatedHostState, data, `simulated host state ${this.stateFile}`, 'STATE_CORRUPT');
    if (state.platform !== this.platform) {
      throw new AttacheError('STATE_CORRUPT', `simulated host state ${this.stateFile} is for ${state.platform}, this host is ${this.platform}`);
    }
    this.values.clear();
    for (const [id, value] of Object.entries(state.values)) this.values.set(id, value);
    this.signals = { processes: state.processes ?? [], connections: state.connections ?? [], detections: state.detections ?? [], health: state.health ?? {} };
    this.responseState = state.response ?? {};
  }

  /**
   * Creates the state file with the starting values when there is none yet, so tests and QA always have a file to
   * edit (settings drift, injected risk signals) from the moment the agent runs.
   */
  async ensureStateFile(): Promise<void> {
    if (!this.stateFile) return;
    try {
      await readFile(this.stateFile, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      await this.persist();
    }
  }

  /** Writes the values to the state file (atomic, owner-only), as the OS would persist a changed setting. */
  async persist(): Promise<void> {
    if (!this.stateFile) return;
    const text = this.stateText();
    this.lastPersisted = text;
    await writeFileAtomic(this.stateFile, text, 0o600);
  }

  /** The device's whole state as the state file holds it (urn:attache:simulated-host-state, pretty JSON). */
  stateText(): string {
    const values = Object.fromEntries([...this.values.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    const { processes, connections, detections, health } = this.signals;
    const state: SimulatedHostState = {
      formatVersion: 1,
      platform: this.platform,
      values,
      ...(processes.length > 0 ? { processes: [...processes] } : {}),
      ...(connections.length > 0 ? { connections: [...connections] } : {}),
      ...(detections.length > 0 ? { detections: [...detections] } : {}),
      ...(Object.keys(health).length > 0 ? { health: { ...health } } : {}),
      ...(Object.keys(this.responseState).length > 0 ? { response: structuredClone(this.responseState) } : {}),
    };
    return `${JSON.stringify(state, null, 2)}\n`;
  }

  /**
   * Calls `onChange` whenever the state file may have changed (it is replaced by rename, so the directory is watched);
   * returns a function that stops watching. Notifications for the host's own last write are dropped (the file holds
   * exactly what it persisted), so an apply does not wake a drift check.
   */
  watch(onChange: () => void): () => void {
    const stateFile = this.stateFile;
    if (!stateFile) {
      // Memory only (the fleet simulator): tamper() and injectRiskSignals() are the outside changes to notify.
      this.listeners.add(onChange);
      return () => this.listeners.delete(onChange);
    }
    const name = basename(stateFile);
    const watcher = watch(dirname(stateFile), { persistent: false }, (_event, file) => {
      if (file !== null && file !== name) return;
      readFile(stateFile, 'utf8').then(
        (text) => {
          if (text !== this.lastPersisted) onChange();
        },
        () => onChange(),
      );
    });
    // A watch that breaks (directory removed) is not fatal: the periodic drift check still runs.
    watcher.on('error', () => watcher.close());
    return () => watcher.close();
  }

  /** True when this platform has the setting at all. */
  has(settingId: string): boolean {
    return settingById(settingId)?.platforms.includes(this.platform) ?? false;
  }

  /** The value in effect: a Group Policy's when one sets the setting, else the host's own. */
  read(settingId: string): SettingValue | undefined {
    const value = this.groupPolicy.get(settingId)?.value ?? this.values.get(settingId);
    return value === undefined ? undefined : structuredClone(value);
  }

  /** Writes a value as the OS would: may throw an injected fault, may be silently ignored under tamper protection. */
  write(settingId: string, value: SettingValue): void {
    this.failIfInjected(settingId);
    if (this.faults.tamperProtection && settingById(settingId)?.tamperProtected) return;
    this.values.set(settingId, structuredClone(value));
  }

  /** Removes a managed value as the OS would when a policy goes away: the platform default applies again. */
  remove(settingId: string): void {
    this.failIfInjected(settingId);
    if (this.faults.tamperProtection && settingById(settingId)?.tamperProtected) return;
    const value = this.platformDefault(settingId);
    if (value === undefined) this.values.delete(settingId);
    else this.values.set(settingId, value);
  }

  private failIfInjected(settingId: string): void {
    const failure = this.faults.failWrites.get(settingId);
    if (failure === undefined) return;
    this.faults.onWriteFailed?.(settingId);
    throw new Error(failure);
  }

  private platformDefault(settingId: string): SettingValue | undefined {
    const setting = settingById(settingId);
    return setting?.platforms.includes(this.platform) ? defaultFor(setting, this.platform) : undefined;
  }

  /** The injected risk signals as last read (call `refresh` first to see edits of the state file). */
  get riskSignals(): Readonly<SimulatedSignals> {
    return this.signals;
  }

  /** Replaces the risk signals (in memory; `persist` writes them). Used by block actions and tests. */
  setRiskSignals(signals: Partial<SimulatedSignals>): void {
    this.signals = { ...this.signals, ...signals };
  }

  /** What response actions changed, as last read (call `refresh` first to see edits of the state file). */
  get response(): Readonly<SimulatedResponseState> {
    return this.responseState;
  }

  /** Changes the response state (in memory; `persist` writes it); a field set to undefined is removed. */
  setResponse(change: { readonly [K in keyof SimulatedResponseState]?: SimulatedResponseState[K] | undefined }): void {
    const next: Record<string, unknown> = { ...this.responseState, ...change };
    for (const key of Object.keys(next)) if (next[key] === undefined) delete next[key];
    this.responseState = next as SimulatedResponseState;
  }

  /** Changes a value behind the agent's back (a local admin, malware; in memory only: with a state file, edit the file instead): drift for the agent to find. */
  tamper(settingId: string, value: SettingValue): void {
    this.values.set(settingId, value);
    this.notify();
  }

  /** The Group Policy that imposes the setting's value, if any. */
  groupPolicyOf(settingId: string): SimulatedGroupPolicy | undefined {
    const gpo = this.groupPolicy.get(settingId);
    return gpo && { value: structuredClone(gpo.value), source: gpo.source };
  }

  /**
   * A Group Policy starts (or, with `undefined`, stops) imposing a value, and watchers are told as a GP refresh would
   * wake the OS change watch. False when nothing changed: the platform has no such setting, or the same GPO value is there.
   */
  setGroupPolicy(settingId: string, gpo: SimulatedGroupPolicy | undefined): boolean {
    if (!this.has(settingId)) return false;
    const before = this.groupPolicy.get(settingId);
    if (gpo === undefined ? before === undefined : before?.source === gpo.source && isDeepStrictEqual(before.value, gpo.value)) return false;
    if (gpo === undefined) this.groupPolicy.delete(settingId);
    else this.groupPolicy.set(settingId, { value: structuredClone(gpo.value), source: gpo.source });
    this.notify();
    return true;
  }

  /** Risk signals appearing on the device from outside (a detection, a process): replaces them and notifies watchers. */
  injectRiskSignals(signals: Partial<SimulatedSignals>): void {
    this.setRiskSignals(signals);
    this.notify();
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }
}
