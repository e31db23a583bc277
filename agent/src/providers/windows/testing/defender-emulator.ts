// A test double for a Windows device's Defender: answers the constant Defender scripts (identified by their exact
// encoded text) from three in-memory stores — ONE Policies-key registry (GPO values and anyone else's in the same keys,
// RSoP recording which GPO owns which value), the MDM store behind the WMI bridge, local preferences — and derives
// Get-MpPreference from them (defender-stores.ts). It reads only what the scripts read (the JSON on stdin), refuses
// what the scripts' allow-lists refuse and, like the apply script, never writes or deletes a GPO-owned value.
import { readFileSync } from 'node:fs';
import type { CommandResult, CommandSpec } from '../../../system/command-runner.js';
import { ScriptedCommandRunner } from '../../../system/command-runner.js';
import { type BridgeClass, bridgeProperties, registryKeys } from '../defender-mapping.js';
import type { DefenderApplyPlan, RegistryOp } from '../defender-plan.js';
import type { DefenderObserveRequest } from '../defender-read.js';
import { DEFENDER_SCRIPTS } from '../defender-scripts.js';
import { fullScript } from '../powershell.js';
import { checkApplyPlan } from './defender-script-contract.js';
import { EmulatedRegistry, effectivePreference, mergeAsrRules, type RegistryEntry } from './defender-stores.js';

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

const same = (a: unknown, b: unknown) => typeof a === 'string' && typeof b === 'string' && a.toLowerCase() === b.toLowerCase();
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === null || v === undefined ? [] : [v]);
const CLASSES: readonly BridgeClass[] = ['Defender', 'WindowsDefenderSecurityCenter'];
const KEYS = ['InstanceID', 'ParentID'];

/** An emulated Defender host; `runner` is the CommandRunner to give the providers. */
export class DefenderEmulator {
  /** Local preferences (Set-/Add-MpPreference), starting from the golden capture of a fresh install. */
  readonly local: Record<string, unknown>;
  readonly status: Record<string, unknown>;
  /** The Policies key: one registry, as on a device (a write replaces whatever value was there, GPO's or not). */
  readonly registry = new EmulatedRegistry();
  /** RSoP: per lower-case `<key>\<name>` the GPO that set (or deleted: `value` undefined) the value at the last GP refresh. */
  readonly rsop = new Map<string, { key: string; name: string; gpo: string; gpoId: string; type?: 'DWord' | 'String'; value?: number | string }>();
  /** Set to a message to make RSoP unreadable (a broken WMI repository). */
  rsopError: string | undefined;
  /** MDM store: the bridge class instance per class (null: none yet); the result class reports the same values. */
  readonly bridge: Record<BridgeClass, Record<string, unknown> | null> = { Defender: null, WindowsDefenderSecurityCenter: null };
  /** The properties this build's bridge classes have (an older build lacks newer ones; [] = no bridge class). */
  readonly bridgeProperties: Record<BridgeClass, string[]> = {
    Defender: [...KEYS, ...bridgeProperties('Defender')],
    WindowsDefenderSecurityCenter: [...KEYS, ...bridgeProperties('WindowsDefenderSecurityCenter')],
  };
  /** Get-MpPreference values Defender keeps whatever the stores say (tamper protection, a manager outside them). */
  readonly pinned: Record<string, unknown> = {};
  /** Step keys whose operation fails, with the error Windows would give (e.g. access denied). */
  readonly failSteps = new Map<string, string>();
  readonly runner: ScriptedCommandRunner;
  /** False emulates a Windows Server without the Defender feature. */
  installed = true;
  private readonly defaults: Record<string, unknown>;

  constructor(options: { preference?: Record<string, unknown>; status?: Record<string, unknown> } = {}) {
    this.defaults = readGolden('defender-mppreference.json');
    this.local = structuredClone(options.preference ?? this.defaults);
    this.status = structuredClone(options.status ?? readGolden('defender-mpcomputerstatus.json'));
    this.runner = new ScriptedCommandRunner((spec) => this.respond(spec));
  }

  /** A GPO setting a Policies-key value (as gpupdate would: written into the registry, recorded in RSoP). */
  setGpo(gpo: string, key: string, name: string, type: 'DWord' | 'String', value: number | string, gpoId = `{${gpo}}`): void {
    this.rsop.set(`${key}\\${name}`.toLowerCase(), { key, name, gpo, gpoId, type, value });
    this.registry.set(key, { name, type, value });
  }

  /** A GPO deleting a Policies-key value (registry.pol "**del."): absent, and RSoP names the GPO. */
  deleteByGpo(gpo: string, key: string, name: string): void {
    this.rsop.set(`${key}\\${name}`.toLowerCase(), { key, name, gpo, gpoId: `{${gpo}}` });
    this.registry.delete(key, name);
  }

  /** Group Policy refresh after a GPO change: every RSoP value written (or deleted) again. */
  gpRefresh(): void {
    for (const e of this.rsop.values()) {
      if (e.type === undefined || e.value === undefined) this.registry.delete(e.key, e.name);
      else this.registry.set(e.key, { name: e.name, type: e.type, value: e.value });
    }
  }

  /** A Policies-key value as Windows reads it. */
  read(key: string, name: string): RegistryEntry | undefined {
    return this.registry.get(key, name);
  }

  /** All values of a Policies-key subkey. */
  subkey(key: string): RegistryEntry[] {
    return this.registry.values(key);
  }

  private gpoOwned(key: string, name: string): boolean {
    if (this.rsopError !== undefined) throw new Error(`cannot tell whether Group Policy owns ${key}\\${name} (RSoP unavailable: ${this.rsopError})`);
    return this.rsop.has(`${key}\\${name}`.toLowerCase());
  }

  /** Get-MpPreference: the effective values. */
  preference(): Record<string, unknown> {
    const stores = {
      value: (k: string, n: string) => this.read(k, n),
      subkey: (k: string) => this.subkey(k),
      bridge: (cls: BridgeClass, property: string) => (this.bridgeProperties[cls].includes(property) ? this.bridge[cls]?.[property] : undefined),
    };
    return { ...effectivePreference(this.local, stores), ...this.pinned };
  }

  private respond(spec: CommandSpec): Partial<CommandResult> {
    const script = defenderScriptOf(spec);
    if (script === undefined) return { code: 1, stderr: 'not a Defender script' };
    try {
      const input = JSON.parse(spec.stdin ?? 'null') as Record<string, unknown>;
      const result =
        script === 'defender-apply'
          ? this.apply(input as unknown as DefenderApplyPlan)
          : script === 'defender-observe'
            ? this.observe(input as unknown as DefenderObserveRequest)
            : script === 'defender-status'
              ? this.status
              : { module: this.installed, service: this.installed };
      return { code: 0, stdout: `\uFEFF${JSON.stringify({ ok: true, result })}` };
    } catch (err) {
      return { code: 1, stdout: JSON.stringify({ ok: false, error: (err as Error).message }) };
    }
  }

  private assertKey(key: string): void {
    if (!registryKeys().includes(key)) throw new Error(`refusing registry key ${key}: not in the allow-list`);
  }

  private observe(input: DefenderObserveRequest): unknown {
    const registry = list(input.registry).flatMap((r) => {
      const { key, name } = r as { key: string; name: string };
      this.assertKey(key);
      const entry = this.read(key, name);
      return entry ? [{ key, name, value: entry.value }] : [];
    });
    const subkeys = list(input.subkeys).flatMap((key) => {
      this.assertKey(key as string);
      const values = this.subkey(key as string);
      return values.length > 0 ? [{ key, values: values.map((e) => ({ name: e.name, data: e.value })) }] : [];
    });
    const bridge = list(input.bridge).map((cls) => {
      if (!CLASSES.includes(cls as BridgeClass)) throw new Error(`refusing bridge class ${String(cls)}: not in the allow-list`);
      const c = cls as BridgeClass;
      const values = Object.fromEntries(Object.entries(this.bridge[c] ?? {}).filter(([k, v]) => !KEYS.includes(k) && v !== null));
      return { cls: c, properties: this.bridgeProperties[c], values: this.bridgeProperties[c].length > 0 ? values : {} };
    });
    const rsop =
      input.rsop === true && this.rsopError === undefined
        ? [...this.rsop.values()].flatMap((e) => {
            const key = registryKeys().find((k) => k.toLowerCase() === e.key.toLowerCase());
            return key ? [{ key, name: e.name, gpo: e.gpoId === 'LocalGPO' ? null : e.gpo, gpoId: e.gpoId, deleted: e.value === undefined }] : [];
          })
        : [];
    const rsopError = input.rsop === true ? (this.rsopError ?? null) : null;
    const status = input.status === true ? { IsTamperProtected: this.status.IsTamperProtected } : null;
    return { preference: this.preference(), registry, subkeys, bridge, rsop, rsopError, status };
  }

  private apply(plan: DefenderApplyPlan): unknown {
    checkApplyPlan(plan);
    const errors: { step: string; message: string }[] = [];
    const step = (key: string, action: () => void) => {
      const failure = this.failSteps.get(key);
      if (failure !== undefined) errors.push({ step: key, message: failure });
      else
        try {
          action();
        } catch (err) {
          errors.push({ step: key, message: (err as Error).message });
        }
    };
    for (const cls of CLASSES) {
      const entries = plan.bridge.filter((b) => b.cls === cls);
      const available = this.bridgeProperties[cls];
      const values: Record<string, unknown> = {};
      for (const e of entries) {
        if (!available.includes(e.property))
          step(e.step, () => {
            for (const op of e.fallback) this.registryOp(op);
          });
        else values[e.property] = e.merge ? mergeAsrRules(this.bridge[cls]?.[e.property], e.merge) : e.value;
      }
      const steps = entries.filter((e) => available.includes(e.property)).map((e) => e.step);
      if (steps.length === 0) continue;
      const failure = steps.map((s) => this.failSteps.get(s)).find((f) => f !== undefined);
      if (failure !== undefined) for (const s of steps) errors.push({ step: s, message: failure });
      else this.bridge[cls] = { ParentID: './Vendor/MSFT/Policy/Config', InstanceID: cls, ...this.bridge[cls], ...values };
    }
    for (const r of plan.registry) {
      step(r.step, () => {
        for (const op of r.ops) this.registryOp(op);
      });
    }
    this.applyPreference(plan.preference, step);
    return { errors };
  }

  private registryOp(op: RegistryOp): void {
    const reg = this.registry;
    if (op.op !== 'values') {
      if (this.gpoOwned(op.key, op.name)) return;
      if (op.op === 'set') reg.set(op.key, { name: op.name, type: op.type, value: op.value });
      else reg.delete(op.key, op.name);
      return;
    }
    const names = op.set.map((i) => i.name.toLowerCase());
    if (op.exact) for (const e of reg.values(op.key)) if (!names.includes(e.name.toLowerCase()) && !this.gpoOwned(op.key, e.name)) reg.delete(op.key, e.name);
    for (const { name, data } of op.set) {
      if (this.gpoOwned(op.key, name)) continue;
      if (data === null) reg.delete(op.key, name);
      else reg.set(op.key, { name, type: 'String', value: data });
    }
    if (this.gpoOwned(op.flagKey, op.flag)) return;
    if (this.subkey(op.key).length > 0) reg.set(op.flagKey, { name: op.flag, type: 'DWord', value: 1 });
    else reg.delete(op.flagKey, op.flag);
  }

  private applyPreference(pref: DefenderApplyPlan['preference'], step: (key: string, action: () => void) => void): void {
    const current = structuredClone(this.local);
    for (const [name, items] of Object.entries(pref.remove)) {
      const present = items.filter((item) => list(current[name]).some((p) => same(p, item)));
      if (present.length === 0) continue;
      step(`remove:${name}`, () => {
        const keep = list(this.local[name]).map((p) => !present.some((i) => same(p, i)));
        // Remove-MpPreference -AttackSurfaceReductionRules_Ids drops each rule's action with it.
        if (name === 'AttackSurfaceReductionRules_Ids')
          this.setList(
            'AttackSurfaceReductionRules_Actions',
            list(this.local.AttackSurfaceReductionRules_Actions).filter((_, i) => keep[i]),
          );
        this.setList(
          name,
          list(this.local[name]).filter((_, i) => keep[i]),
        );
      });
    }
    for (const [name, items] of Object.entries(pref.add)) {
      step(`add:${name}`, () => {
        const have = list(this.local[name]);
        this.setList(name, [...have, ...items.filter((i) => !have.some((p) => same(p, i)))]);
      });
    }
    for (const name of pref.reset) step(`reset:${name}`, () => (this.local[name] = structuredClone(this.defaults[name] ?? null)));
    for (const [name, value] of Object.entries(pref.mp)) step(`mp:${name}`, () => (this.local[name] = value));
  }

  private setList(name: string, items: unknown[]): void {
    this.local[name] = items.length > 0 ? items : null;
  }
}

/** The runs a ScriptedCommandRunner recorded: which Defender script, and the JSON it was given on stdin. */
export function recordedRuns(runner: ScriptedCommandRunner): { script: string | undefined; input: unknown; spec: CommandSpec }[] {
  return runner.calls.map((spec) => ({ script: defenderScriptOf(spec), input: JSON.parse(spec.stdin ?? 'null') as unknown, spec }));
}
