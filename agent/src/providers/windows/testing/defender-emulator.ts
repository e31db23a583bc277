// A test double for a Windows device's Defender: answers the three constant Defender scripts (identified by their exact
// encoded text) from an in-memory MpPreference and Group Policy registry, starting from the golden Get-MpPreference
// capture. It reads only what the scripts read (the JSON plan on stdin) and behaves as the cmdlets do: lists come
// back as null when empty, a removed preference returns to its default, an absent list item is not removed.
import { readFileSync } from 'node:fs';
import type { CommandResult, CommandSpec } from '../../../system/command-runner.js';
import { ScriptedCommandRunner } from '../../../system/command-runner.js';
import { ASR_KEY, ASR_PER_RULE_FLAG, ASR_PER_RULE_KEY, mpListParameters, mpParameters, registryKeys } from '../defender-mapping.js';
import type { DefenderApplyPlan } from '../defender-plan.js';
import { DEFENDER_SCRIPTS } from '../defender-scripts.js';
import { registryPath } from '../defender-values.js';
import { fullScript } from '../powershell.js';

/** A golden file of testdata/ as parsed JSON, without the CIM metadata blocks ConvertTo-Json adds. */
export function readGolden(name: string): Record<string, unknown> {
  const parsed = JSON.parse(readFileSync(new URL(`../testdata/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(parsed).filter(([key]) => !key.startsWith('Cim') && key !== 'PSComputerName'));
}

/** The name of the Defender script a PowerShell run executes, or undefined for anything else. */
export function defenderScriptOf(spec: Pick<CommandSpec, 'args'>): string | undefined {
  const i = spec.args.indexOf('-EncodedCommand');
  const text = i >= 0 ? Buffer.from(spec.args[i + 1] ?? '', 'base64').toString('utf16le') : '';
  return DEFENDER_SCRIPTS.find((s) => fullScript(s) === text)?.name;
}

/** TimeSpan as Windows PowerShell 5.1 serializes it. */
function timeSpan(minutes: number): Record<string, number> {
  const m = Math.round(minutes) % 1440;
  return {
    Ticks: m * 600_000_000,
    Days: 0,
    Hours: Math.floor(m / 60),
    Milliseconds: 0,
    Minutes: m % 60,
    Seconds: 0,
    TotalDays: m / 1440,
    TotalHours: m / 60,
    TotalMilliseconds: m * 60_000,
    TotalMinutes: m,
    TotalSeconds: m * 60,
  };
}

const same = (a: unknown, b: unknown) => typeof a === 'string' && typeof b === 'string' && a.toLowerCase() === b.toLowerCase();
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === null || v === undefined ? [] : [v]);

/** An emulated Defender host; `runner` is the CommandRunner to give the providers. */
export class DefenderEmulator {
  readonly preference: Record<string, unknown>;
  readonly status: Record<string, unknown>;
  /** Group Policy values by `<key>\<name>`. */
  readonly registry = new Map<string, { type: 'DWord' | 'String'; value: number | string }>();
  /** Step keys whose cmdlet fails, with the error Windows would give (e.g. tamper protection, access denied). */
  readonly failSteps = new Map<string, string>();
  readonly runner: ScriptedCommandRunner;
  private readonly defaults: Record<string, unknown>;

  constructor(options: { preference?: Record<string, unknown>; status?: Record<string, unknown> } = {}) {
    this.defaults = readGolden('defender-mppreference.json');
    this.preference = structuredClone(options.preference ?? this.defaults);
    this.status = structuredClone(options.status ?? readGolden('defender-mpcomputerstatus.json'));
    this.runner = new ScriptedCommandRunner((spec) => this.respond(spec));
  }

  /** False emulates a Windows Server without the Defender feature. */
  installed = true;

  private respond(spec: CommandSpec): Partial<CommandResult> {
    const script = defenderScriptOf(spec);
    try {
      const input = JSON.parse(spec.stdin ?? 'null') as Record<string, unknown>;
      const result =
        script === 'defender-apply'
          ? this.apply(input as unknown as DefenderApplyPlan)
          : script === 'defender-observe'
            ? this.observe(input)
            : script === 'defender-status'
              ? this.status
              : script === 'defender-probe'
                ? { module: this.installed, service: this.installed }
                : undefined;
      if (script === undefined) return { code: 1, stderr: 'not a Defender script' };
      return { code: 0, stdout: `\uFEFF${JSON.stringify({ ok: true, result })}` };
    } catch (err) {
      return { code: 1, stdout: JSON.stringify({ ok: false, error: (err as Error).message }) };
    }
  }

  private observe(input: Record<string, unknown>): unknown {
    const registry = [];
    for (const r of list(input.registry) as { key: string; name: string }[]) {
      if (!registryKeys().includes(r.key)) throw new Error(`refusing registry key ${r.key}: not in the allow-list`);
      const v = this.registry.get(registryPath(r.key, r.name));
      if (v) registry.push({ key: r.key, name: r.name, value: v.value });
    }
    const status = input.status === true ? { IsTamperProtected: this.status.IsTamperProtected } : null;
    return { preference: structuredClone(this.preference), registry, status };
  }

  private apply(plan: DefenderApplyPlan): unknown {
    this.validate(plan);
    const errors: { step: string; message: string }[] = [];
    const step = (key: string, action: () => void) => {
      const failure = this.failSteps.get(key);
      if (failure === undefined) action();
      else errors.push({ step: key, message: failure });
    };
    const current = structuredClone(this.preference);
    for (const [name, items] of Object.entries(plan.remove)) {
      const present = items.filter((item) => list(current[name]).some((p) => same(p, item)));
      if (present.length > 0)
        step(`remove:${name}`, () =>
          this.setList(
            name,
            list(this.preference[name]).filter((p) => !present.some((i) => same(p, i))),
          ),
        );
    }
    for (const [name, items] of Object.entries(plan.add)) {
      step(`add:${name}`, () => {
        const have = list(this.preference[name]);
        this.setList(name, [...have, ...items.filter((i) => !have.some((p) => same(p, i)))]);
      });
    }
    for (const name of plan.reset) step(`reset:${name}`, () => (this.preference[name] = structuredClone(this.defaults[name] ?? null)));
    for (const [name, value] of Object.entries(plan.mp)) {
      step(`mp:${name}`, () => (this.preference[name] = name === 'ScanScheduleQuickScanTime' ? timeSpan(Number(value)) : value));
    }
    for (const { id, action } of plan.asr.set) step(`asr:${id}`, () => this.setAsr(id, action));
    const presentRules = list(current.AttackSurfaceReductionRules_Ids);
    for (const id of plan.asr.remove) if (presentRules.some((p) => same(p, id))) step(`asr:${id}`, () => this.setAsr(id, undefined));
    for (const r of plan.registry) {
      step(`reg:${r.key}\\${r.name}`, () => {
        if ('delete' in r) this.registry.delete(registryPath(r.key, r.name));
        else this.registry.set(registryPath(r.key, r.name), { type: r.type, value: r.value });
      });
    }
    if (plan.syncAsrPerRuleFlag) {
      step('asrPerRuleFlag', () => {
        const any = [...this.registry.keys()].some((k) => k.startsWith(`${ASR_PER_RULE_KEY}\\`));
        if (any) this.registry.set(registryPath(ASR_KEY, ASR_PER_RULE_FLAG), { type: 'DWord', value: 1 });
        else this.registry.delete(registryPath(ASR_KEY, ASR_PER_RULE_FLAG));
      });
    }
    return { errors };
  }

  /** The script's allow-list checks: a plan naming anything else is refused before anything changes. */
  private validate(plan: DefenderApplyPlan): void {
    for (const name of [...Object.keys(plan.remove), ...Object.keys(plan.add)]) {
      if (!mpListParameters().includes(name)) throw new Error(`refusing list parameter ${name}: not in the allow-list`);
    }
    for (const name of [...plan.reset, ...Object.keys(plan.mp)]) {
      if (!mpParameters().includes(name)) throw new Error(`refusing parameter ${name}: not in the allow-list`);
    }
    for (const id of [...plan.asr.set.map((r) => r.id), ...plan.asr.remove]) {
      if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) throw new Error('refusing an ASR rule id that is not a GUID');
    }
    for (const r of plan.registry) {
      if (!registryKeys().includes(r.key)) throw new Error(`refusing registry key ${r.key}: not in the allow-list`);
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(r.name)) throw new Error('refusing a registry value name outside [A-Za-z0-9_-]');
    }
  }

  private setList(name: string, items: unknown[]): void {
    this.preference[name] = items.length > 0 ? items : null;
  }

  private setAsr(id: string, action: number | undefined): void {
    const ids = list(this.preference.AttackSurfaceReductionRules_Ids) as string[];
    const actions = list(this.preference.AttackSurfaceReductionRules_Actions) as number[];
    const index = ids.findIndex((p) => same(p, id));
    if (index >= 0) {
      ids.splice(index, 1);
      actions.splice(index, 1);
    }
    if (action !== undefined) {
      ids.push(id);
      actions.push(action);
    }
    this.setList('AttackSurfaceReductionRules_Ids', ids);
    this.setList('AttackSurfaceReductionRules_Actions', actions);
  }
}

/** The runs a ScriptedCommandRunner recorded: which Defender script, and the JSON plan it was given on stdin. */
export function recordedRuns(runner: ScriptedCommandRunner): { script: string | undefined; input: unknown; spec: CommandSpec }[] {
  return runner.calls.map((spec) => ({ script: defenderScriptOf(spec), input: JSON.parse(spec.stdin ?? 'null') as unknown, spec }));
}
