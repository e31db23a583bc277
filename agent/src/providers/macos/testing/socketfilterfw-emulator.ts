// An in-memory socketfilterfw for boundary and contract tests (this machine has no macOS): it keeps the application
// firewall's state, answers get/set commands with the wording of one macOS generation (the variants in testdata/),
// can play an MDM-managed Mac that refuses changes, and records every call through a ScriptedCommandRunner.
import { type CommandResult, type CommandSpec, ScriptedCommandRunner } from '../../../system/command-runner.js';
import { SOCKETFILTERFW } from '../socketfilterfw.js';
import { LOGGING_OPTIONS, type LoggingOption } from '../socketfilterfw-parse.js';

/** `current`: macOS 13+ wording; `legacy`: the "Block all DISABLED!" / "Stealth mode enabled" generation. */
export type SocketFilterWording = 'current' | 'legacy';

export interface SocketFilterState {
  globalState: 0 | 1 | 2;
  blockAll: boolean;
  stealth: boolean;
  logging: boolean;
  loggingOption: LoggingOption;
  allowSigned: boolean;
  allowSignedApp: boolean;
}

/** A fresh Mac: everything off, logging throttled, signed software allowed. */
export const MAC_DEFAULTS: Readonly<SocketFilterState> = {
  globalState: 0,
  blockAll: false,
  stealth: false,
  logging: false,
  loggingOption: 'throttled',
  allowSigned: true,
  allowSignedApp: true,
};

const MANAGED = 'Firewall settings cannot be modified from command line on managed Mac computers.\n';

export class SocketFilterEmulator {
  readonly runner = new ScriptedCommandRunner((spec) => this.respond(spec));
  state: SocketFilterState;
  /** Plays a Mac whose firewall a configuration profile manages: sets print a refusal, exit 0, and change nothing. */
  managed = false;
  private readonly wording: SocketFilterWording;

  constructor(options: { readonly wording?: SocketFilterWording; readonly state?: Partial<SocketFilterState> } = {}) {
    this.wording = options.wording ?? 'current';
    this.state = { ...MAC_DEFAULTS, ...options.state };
  }

  /** The argument lists of the calls so far. */
  get argv(): string[][] {
    return this.runner.calls.map((c) => [...c.args]);
  }

  private get(flag: string): string | undefined {
    const s = this.state;
    const legacy = this.wording === 'legacy';
    switch (flag) {
      case '--getglobalstate':
        return s.globalState === 0 ? 'Firewall is disabled. (State = 0)\n' : `Firewall is enabled. (State = ${s.globalState})\n`;
      case '--getblockall':
        if (legacy) return `Block all ${s.blockAll ? 'ENABLED' : 'DISABLED'}! \n`;
        return `Firewall has block all state set to ${s.blockAll ? 'enabled' : 'disabled'}.\n`;
      case '--getstealthmode':
        if (legacy) return `Stealth mode ${s.stealth ? 'enabled' : 'disabled'}\n`;
        return `Firewall stealth mode is ${s.stealth ? 'on' : 'off'}\n`;
      case '--getloggingmode':
        return `Log mode is ${s.logging ? 'on' : 'off'} \n`;
      case '--getloggingopt':
        return `Log Option is ${s.loggingOption} \n`;
      case '--getallowsigned': {
        const word = (on: boolean) => (on ? 'ENABLED' : 'DISABLED');
        if (legacy)
          return `Automatically allow signed built-in software ${word(s.allowSigned)}\nAutomatically allow downloaded signed software ${word(s.allowSignedApp)}\n`;
        return `Automatically allow built-in signed software ${word(s.allowSigned)}.\nAutomatically allow downloaded signed software ${word(s.allowSignedApp)}.\n`;
      }
      default:
        return undefined;
    }
  }

  /** Applies a set command; returns the getter whose output the tool echoes, or undefined for a bad command. */
  private set(flag: string, value: string | undefined): string | undefined {
    const on = value === 'on' ? true : value === 'off' ? false : undefined;
    const s = this.state;
    switch (flag) {
      case '--setglobalstate':
        if (on === undefined) return undefined;
        s.globalState = on ? (s.globalState === 0 ? 1 : s.globalState) : 0;
        return '--getglobalstate';
      case '--setblockall':
        if (on === undefined) return undefined;
        s.blockAll = on;
        return '--getblockall';
      case '--setstealthmode':
        if (on === undefined) return undefined;
        s.stealth = on;
        return '--getstealthmode';
      case '--setloggingmode':
        if (on === undefined) return undefined;
        s.logging = on;
        return '--getloggingmode';
      case '--setallowsigned':
        if (on === undefined) return undefined;
        s.allowSigned = on;
        return '--getallowsigned';
      case '--setallowsignedapp':
        if (on === undefined) return undefined;
        s.allowSignedApp = on;
        return '--getallowsigned';
      case '--setloggingopt':
        if (!(LOGGING_OPTIONS as readonly (string | undefined)[]).includes(value)) return undefined;
        s.loggingOption = value as LoggingOption;
        return '--getloggingopt';
      default:
        return undefined;
    }
  }

  private respond(spec: CommandSpec): Partial<CommandResult> {
    if (spec.file !== SOCKETFILTERFW) return { code: null, spawnError: `ENOENT: spawn ${spec.file}` };
    const [flag = '', value, ...rest] = spec.args;
    const usage = { code: 1, stderr: 'usage: socketfilterfw [-d] [-l] [-T] [-U] [-B] [-L] [--getglobalstate] …\n' };
    if (flag.startsWith('--get')) {
      const text = value === undefined ? this.get(flag) : undefined;
      return text === undefined ? usage : { stdout: text };
    }
    if (rest.length > 0 || !flag.startsWith('--set')) return usage;
    if (this.managed) return { stdout: MANAGED };
    const getter = this.set(flag, value);
    return getter === undefined ? usage : { stdout: this.get(getter) as string };
  }
}
