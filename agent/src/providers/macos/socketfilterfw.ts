// The macOS application firewall (kind `firewall`, settings `macosFirewall.*`) through
// /usr/libexec/ApplicationFirewall/socketfilterfw (mde-domain.md §5.3): one `--get…` per setting to observe, one
// `--set… <value>` and a read-back per change. Values reach the tool only as fixed words (on, off, or a logging
// level from a closed list), never as free text.
import type { SettingValue } from '../../../../policy-schemas/src/index.js';
import { settingById } from '../../../../policy-schemas/src/index.js';
import type { SettingChange } from '../../core/plan.js';
import { type CommandResult, type CommandRunner, describeFailure } from '../../system/command-runner.js';
import type { ApplyResult, SettingsProvider } from '../provider.js';
import {
  LOGGING_OPTIONS,
  MANAGED_REFUSAL,
  parseAllowSigned,
  parseBlockAll,
  parseGlobalState,
  parseLoggingMode,
  parseLoggingOption,
  parseStealthMode,
} from './socketfilterfw-parse.js';

export const SOCKETFILTERFW = '/usr/libexec/ApplicationFirewall/socketfilterfw';
const TIMEOUT_MS = 30_000;

interface FirewallSetting {
  readonly get: string;
  readonly set: string;
  readonly parse: (output: string) => SettingValue;
  /** The tool argument for a value; undefined when the value is not one this setting takes. */
  readonly argument: (value: SettingValue) => string | undefined;
}

const onOff = (value: SettingValue) => (value === true ? 'on' : value === false ? 'off' : undefined);

/** Every setting this provider enforces, by catalog id. */
const SETTINGS: Readonly<Record<string, FirewallSetting>> = {
  'macosFirewall.EnableFirewall': {
    get: '--getglobalstate',
    set: '--setglobalstate',
    parse: (o) => parseGlobalState(o).enabled,
    argument: onOff,
  },
  'macosFirewall.BlockAllIncoming': { get: '--getblockall', set: '--setblockall', parse: parseBlockAll, argument: onOff },
  'macosFirewall.EnableStealthMode': { get: '--getstealthmode', set: '--setstealthmode', parse: parseStealthMode, argument: onOff },
  'macosFirewall.EnableLogging': { get: '--getloggingmode', set: '--setloggingmode', parse: parseLoggingMode, argument: onOff },
  'macosFirewall.LoggingOption': {
    get: '--getloggingopt',
    set: '--setloggingopt',
    parse: parseLoggingOption,
    argument: (v) => (typeof v === 'string' && (LOGGING_OPTIONS as readonly string[]).includes(v) ? v : undefined),
  },
  // One getter prints both switches; each setting reads its own line.
  'macosFirewall.AllowSigned': { get: '--getallowsigned', set: '--setallowsigned', parse: (o) => parseAllowSigned(o).builtIn, argument: onOff },
  'macosFirewall.AllowSignedApp': {
    get: '--getallowsigned',
    set: '--setallowsignedapp',
    parse: (o) => parseAllowSigned(o).downloaded,
    argument: onOff,
  },
};

const ENABLE = 'macosFirewall.EnableFirewall';

/** The ids this provider enforces (the catalog's macOS firewall settings). */
export const SOCKETFILTERFW_SETTING_IDS: readonly string[] = Object.keys(SETTINGS);

/**
 * The value a removed setting goes back to: the catalog default, which is the macOS default (firewall, block all,
 * stealth mode and logging off; logging level throttled; signed software allowed). The engine restores a recorded pre-management value itself,
 * so this applies only where none was recorded.
 */
export function unmanagedValue(settingId: string): SettingValue {
  const value = settingById(settingId)?.default;
  if (value === undefined) throw new Error(`${settingId} has no catalog default`);
  return value;
}

/**
 * Turning the firewall on comes before changing its modes and turning it off after them: some releases ignore or
 * couple block-all and stealth changes while the firewall is off. Returns change indices in execution order.
 */
function executionOrder(changes: readonly SettingChange[]): number[] {
  const target = (c: SettingChange) => c.to ?? unmanagedValue(c.settingId);
  const indices = changes.map((_, i) => i);
  const first = indices.filter((i) => changes[i]?.settingId === ENABLE && target(changes[i] as SettingChange) === true);
  const last = indices.filter((i) => changes[i]?.settingId === ENABLE && target(changes[i] as SettingChange) !== true);
  return [...first, ...indices.filter((i) => changes[i]?.settingId !== ENABLE), ...last];
}

export class SocketFilterFirewallProvider implements SettingsProvider {
  readonly kind = 'firewall' as const;
  private readonly runner: CommandRunner;

  constructor(deps: { readonly runner: CommandRunner }) {
    this.runner = deps.runner;
  }

  unsupportedReason(settingId: string): string | undefined {
    return SETTINGS[settingId] ? undefined : `${settingId} is not a macOS application firewall setting (socketfilterfw)`;
  }

  async observe(settingIds: readonly string[]): Promise<Map<string, SettingValue | undefined>> {
    const out = new Map<string, SettingValue | undefined>();
    for (const id of settingIds) {
      const setting = SETTINGS[id];
      out.set(id, setting ? setting.parse(output(await this.run([setting.get]), setting.get)) : undefined);
    }
    return out;
  }

  async apply(changes: readonly SettingChange[]): Promise<ApplyResult[]> {
    const results: ApplyResult[] = new Array(changes.length);
    for (const i of executionOrder(changes)) results[i] = await this.applyOne(changes[i] as SettingChange);
    return results;
  }

  private async applyOne(change: SettingChange): Promise<ApplyResult> {
    const { settingId } = change;
    const setting = SETTINGS[settingId];
    if (!setting) return { settingId, ok: false, code: 'SETTING_NOT_APPLICABLE', message: this.unsupportedReason(settingId) as string };
    const target = change.to ?? unmanagedValue(settingId);
    const argument = setting.argument(target);
    if (argument === undefined) return fail(settingId, `${settingId} cannot be ${JSON.stringify(target)}`);
    try {
      output(await this.run([setting.set, argument]), `${setting.set} ${argument}`);
      // The tool's exit status is not proof (it prints a refusal and may still exit 0), so read the state back.
      const now = setting.parse(output(await this.run([setting.get]), setting.get));
      if (now !== target) return fail(settingId, `socketfilterfw ${setting.set} ${argument} did not take effect: it reports ${JSON.stringify(now)}`);
      return { settingId, ok: true };
    } catch (err) {
      return fail(settingId, (err as Error).message);
    }
  }

  private async run(args: readonly string[]): Promise<{ args: readonly string[]; result: CommandResult }> {
    return { args, result: await this.runner.run({ file: SOCKETFILTERFW, args, timeoutMs: TIMEOUT_MS }) };
  }
}

function fail(settingId: string, message: string): ApplyResult {
  return { settingId, ok: false, code: 'SETTING_APPLY_FAILED', message };
}

/** The output of a command that ran and was accepted; throws with a description otherwise. */
function output(run: { args: readonly string[]; result: CommandResult }, what: string): string {
  const { result } = run;
  const text = `${result.stdout}\n${result.stderr}`;
  if (MANAGED_REFUSAL.test(text))
    throw new Error(`socketfilterfw ${what}: the application firewall is managed by a configuration profile (MDM), which refuses local changes`);
  if (result.spawnError || result.timedOut || result.code !== 0) throw new Error(describeFailure({ file: SOCKETFILTERFW, args: run.args }, result));
  return result.stdout.trim() === '' ? result.stderr : result.stdout;
}
