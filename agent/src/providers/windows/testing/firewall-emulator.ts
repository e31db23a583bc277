// An in-memory Windows Firewall that answers the firewall scripts through a ScriptedCommandRunner, the way the NetSecurity
// cmdlets would (enum names, flag lists as "A, B", IPv4 prefixes printed as masks, protocol numbers as names), so the
// contract suite runs the real provider code on Linux. Test support only: it emulates our scripts, it runs no PowerShell.
import type { CommandResult, CommandSpec } from '../../../system/command-runner.js';
import { ScriptedCommandRunner } from '../../../system/command-runner.js';
import {
  FIREWALL_APPLY,
  FIREWALL_HEALTH,
  FIREWALL_OBSERVE,
  FIREWALL_RULES_APPLY,
  FIREWALL_RULES_OBSERVE,
  PROFILE_PARAMETERS,
  RULE_GROUP,
  RULE_LIST_PARAMETERS,
  RULE_PARAMETERS,
  SETTING_PARAMETERS,
} from '../firewall-scripts.js';
import { fullScript, POWERSHELL, type PowerShellScript } from '../powershell.js';

type Values = Record<string, string>;
/** A rule as the emulator stores it: the observe script's fields. */
export type EmulatedRule = Record<string, string | string[] | null>;

const GPO = ['True', 'False', 'NotConfigured'];
const ACTION = ['Allow', 'Block', 'NotConfigured'];
const PARAMETER_VALUES: Record<string, readonly string[] | 'text' | readonly [number, number]> = {
  DefaultInboundAction: ACTION,
  DefaultOutboundAction: ACTION,
  LogFileName: 'text',
  LogMaxSizeKilobytes: [1, 32767],
  MaxSAIdleTimeSeconds: [300, 3600],
  KeyEncoding: ['UTF16', 'UTF8', 'NotConfigured'],
  CertValidationLevel: ['None', 'AttemptCrlCheck', 'RequireCrlCheck', 'NotConfigured'],
};
const FLAGS: Record<string, readonly string[]> = {
  Exemptions: ['NeighborDiscovery', 'Icmp', 'RouterDiscovery', 'Dhcp'],
  EnablePacketQueuing: ['Inbound', 'Forward'],
  Profile: ['Domain', 'Private', 'Public'],
  InterfaceType: ['Wired', 'Wireless', 'RemoteAccess'],
};

/** A fresh local store as `Get-NetFirewallProfile -PolicyStore PersistentStore` shows it on Windows 11. */
function freshProfile(): Values {
  const v: Values = Object.fromEntries(PROFILE_PARAMETERS.map((p) => [p, 'NotConfigured']));
  return {
    ...v,
    Enabled: 'True',
    NotifyOnListen: 'True',
    LogAllowed: 'False',
    LogBlocked: 'False',
    LogFileName: '%systemroot%\\system32\\LogFiles\\Firewall\\pfirewall.log',
    LogMaxSizeKilobytes: '4096',
  };
}

/** Normalises a [Flags] value the way .NET prints it ("Domain, Public"), or throws like the parameter binder. */
function flagValue(parameter: string, value: string, zero: string): string {
  const names = FLAGS[parameter] ?? [];
  if (value === 'NotConfigured' && parameter !== 'Profile' && parameter !== 'InterfaceType') return value;
  const parts = value.split(',').map((p) => p.trim());
  const bad = parts.find((p) => p !== zero && !names.includes(p));
  if (bad !== undefined) throw new Error(`Cannot convert value "${value}" to type ${parameter}`);
  const set = names.filter((n) => parts.includes(n));
  return set.length === 0 ? zero : set.join(', ');
}

function checkValue(parameter: string, value: string): string {
  if (value.includes('\0')) throw new Error(`The parameter ${parameter} is incorrect`);
  if (FLAGS[parameter]) return flagValue(parameter, value, 'None');
  const allowed = PARAMETER_VALUES[parameter] ?? GPO;
  if (allowed === 'text') {
    if (value === '') throw new Error(`Cannot bind argument to parameter '${parameter}' because it is an empty string.`);
    return value;
  }
  if (typeof allowed[0] === 'number') {
    const [min, max] = allowed as readonly [number, number];
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) throw new Error(`The parameter ${parameter} is out of range`);
    return String(Number(value));
  }
  if (!(allowed as readonly string[]).includes(value)) throw new Error(`Cannot convert value "${value}" to type ${parameter}`);
  return value;
}

const PROTOCOLS: Record<string, string> = {
  '6': 'TCP',
  '17': 'UDP',
  '1': 'ICMPv4',
  '58': 'ICMPv6',
  tcp: 'TCP',
  udp: 'UDP',
  icmpv4: 'ICMPv4',
  icmpv6: 'ICMPv6',
  any: 'Any',
};

/** IPv4 prefixes come back as masks ("10.0.0.0/255.0.0.0"), as Get-NetFirewallAddressFilter prints them. */
function printedAddress(a: string): string {
  const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d{1,2})$/.exec(a);
  if (!m) return a;
  const bits = Number(m[2]);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return bits === 32 ? (m[1] ?? a) : `${m[1]}/${[24, 16, 8, 0].map((s) => (mask >>> s) & 255).join('.')}`;
}

/** Builds the stored rule from New-NetFirewallRule parameters, rejecting what the cmdlet rejects. */
function newRule(p: Record<string, string | string[]>): EmulatedRule {
  const one = (k: string) => (typeof p[k] === 'string' ? (p[k] as string) : undefined);
  const many = (k: string) => (Array.isArray(p[k]) ? (p[k] as string[]) : undefined);
  for (const v of Object.values(p).flat()) if (v.includes('\0')) throw new Error('The parameter is incorrect.');
  const displayName = one('DisplayName');
  if (!displayName) throw new Error("Cannot validate argument on parameter 'DisplayName'");
  const enabled = one('Enabled') ?? 'True';
  if (!['True', 'False'].includes(enabled)) throw new Error(`Cannot convert value "${enabled}" to type Enabled`);
  const direction = one('Direction') ?? 'Inbound';
  if (!['Inbound', 'Outbound'].includes(direction)) throw new Error(`Cannot convert value "${direction}" to type Direction`);
  const action = one('Action') ?? 'Allow';
  if (!['Allow', 'Block'].includes(action)) throw new Error(`Cannot convert value "${action}" to type Action`);
  const rawProtocol = one('Protocol') ?? 'Any';
  const protocol = PROTOCOLS[rawProtocol.toLowerCase()] ?? (/^\d{1,3}$/.test(rawProtocol) && Number(rawProtocol) <= 255 ? rawProtocol : undefined);
  if (!protocol) throw new Error(`The parameter Protocol is incorrect: ${rawProtocol}`);
  if ((many('LocalPort') || many('RemotePort')) && protocol !== 'TCP' && protocol !== 'UDP')
    throw new Error('The port filter requires the TCP or UDP protocol.');
  if (many('IcmpType') && protocol !== 'ICMPv4' && protocol !== 'ICMPv6') throw new Error('The ICMP type filter requires an ICMP protocol.');
  const edge = one('EdgeTraversalPolicy') ?? 'Block';
  if (edge === 'Allow' && direction !== 'Inbound') throw new Error('Edge traversal is only valid for inbound rules.');
  return {
    Name: one('Name') ?? '',
    DisplayName: displayName,
    Description: one('Description') ?? null,
    Group: one('Group') ?? '',
    Enabled: enabled,
    Direction: direction,
    Action: action,
    Profile: flagValue('Profile', one('Profile') ?? 'Any', 'Any'),
    EdgeTraversalPolicy: edge,
    Protocol: protocol,
    LocalPort: many('LocalPort') ?? ['Any'],
    RemotePort: many('RemotePort') ?? ['Any'],
    IcmpType: many('IcmpType') ?? ['Any'],
    LocalAddress: (many('LocalAddress') ?? ['Any']).map(printedAddress),
    RemoteAddress: (many('RemoteAddress') ?? ['Any']).map(printedAddress),
    Program: one('Program') ?? 'Any',
    Service: one('Service') ?? 'Any',
    InterfaceType: flagValue('InterfaceType', one('InterfaceType') ?? 'Any', 'Any'),
    LocalUser: one('LocalUser') ?? 'Any',
  };
}

/** The emulated host: state plus a runner that answers exactly our scripts. */
export class EmulatedWindowsFirewall {
  readonly profiles: Record<string, Values> = { Domain: freshProfile(), Private: freshProfile(), Public: freshProfile() };
  readonly settings: Values = {
    EnableStatefulFtp: 'NotConfigured',
    MaxSAIdleTimeSeconds: '300',
    KeyEncoding: 'NotConfigured',
    CertValidationLevel: 'NotConfigured',
    Exemptions: 'NotConfigured',
    EnablePacketQueuing: 'NotConfigured',
  };
  /** Rules of the local store by Name; starts with rules that are not the agent's, which must survive everything. */
  readonly rules = new Map<string, EmulatedRule>();
  /** HKLM\SOFTWARE\Attache\FirewallRules values. */
  readonly hints = new Map<string, string>();
  /** Error message the next run of a script (by name) fails with, as a terminating error would. */
  readonly failNext = new Map<string, string>();
  readonly runner = new ScriptedCommandRunner((spec) => this.answer(spec));

  constructor() {
    for (const rule of [
      {
        Name: 'RemoteDesktop-UserMode-In-TCP',
        DisplayName: 'Remote Desktop - User Mode (TCP-In)',
        Group: '@FirewallAPI.dll,-28752',
        Protocol: '6',
        LocalPort: ['3389'],
      },
      { Name: '{5c3f2e1a-8b1d-4f7e-9a0c-2d6e4b7f1a93}', DisplayName: 'Allow RDP from intranet', Group: '', Protocol: '6', LocalPort: ['3389'] },
    ]) {
      const { Name, DisplayName, Group, Protocol, LocalPort } = rule;
      this.rules.set(Name, newRule({ Name, DisplayName, Group, Protocol, LocalPort, Direction: 'Inbound' }));
    }
  }

  /** Rules outside the agent's group, as a comparable snapshot. */
  foreignRules(): string {
    return JSON.stringify([...this.rules.values()].filter((r) => r.Group !== RULE_GROUP));
  }

  private answer(spec: CommandSpec): Partial<CommandResult> {
    const script = this.identify(spec);
    const fail = this.failNext.get(script.name);
    if (fail !== undefined) {
      this.failNext.delete(script.name);
      return { code: 1, stdout: JSON.stringify({ ok: false, error: fail }) };
    }
    const input = JSON.parse(spec.stdin ?? 'null') as Record<string, unknown> | null;
    const result = this.run(script, input ?? {});
    return { stdout: JSON.stringify({ ok: true, result }) };
  }

  private identify(spec: CommandSpec): PowerShellScript {
    if (spec.file !== POWERSHELL) throw new Error(`emulator: unexpected executable ${spec.file}`);
    const text = Buffer.from(spec.args[spec.args.length - 1] ?? '', 'base64').toString('utf16le');
    const script = [FIREWALL_OBSERVE, FIREWALL_APPLY, FIREWALL_RULES_OBSERVE, FIREWALL_RULES_APPLY, FIREWALL_HEALTH].find((s) => fullScript(s) === text);
    if (!script) throw new Error('emulator: not one of the firewall scripts');
    return script;
  }

  private run(script: PowerShellScript, input: Record<string, unknown>): unknown {
    switch (script) {
      case FIREWALL_OBSERVE:
        return { profiles: Object.entries(this.profiles).map(([Name, v]) => ({ ...v, Name })), settings: { ...this.settings } };
      case FIREWALL_HEALTH:
        return {
          profiles: Object.entries(this.profiles).map(([Name, v]) => ({
            Name,
            Enabled: v.Enabled,
            DefaultInboundAction: v.DefaultInboundAction,
            DefaultOutboundAction: v.DefaultOutboundAction,
          })),
        };
      case FIREWALL_APPLY:
        return { results: ((input.steps ?? []) as { target: string; parameters: Values }[]).map((s) => ({ target: s.target, error: this.setStep(s) })) };
      case FIREWALL_RULES_OBSERVE:
        return { rules: this.ours().map((r) => ({ ...r, Hint: this.hints.get(String(r.Name)) ?? null })) };
      default:
        return { results: this.applyRules(input) };
    }
  }

  private setStep(step: { target: string; parameters: Values }): string | null {
    try {
      const global = step.target === 'Global';
      const store = global ? this.settings : this.profiles[step.target];
      if (!store) throw new Error('unknown firewall target');
      const allowed: readonly string[] = global ? SETTING_PARAMETERS : PROFILE_PARAMETERS;
      const next = { ...store };
      for (const [name, value] of Object.entries(step.parameters)) {
        if (!allowed.includes(name)) throw new Error(`parameter not allowed: ${name}`);
        next[name] = checkValue(name, String(value));
      }
      Object.assign(store, next); // a cmdlet call applies all its parameters or none
      return null;
    } catch (err) {
      return (err as Error).message;
    }
  }

  private ours(): EmulatedRule[] {
    return [...this.rules.values()].filter((r) => r.Group === RULE_GROUP);
  }

  private applyRules(input: Record<string, unknown>): { op: string; name: string; error: string | null }[] {
    const ours = new Set(this.ours().map((r) => String(r.Name)));
    const results: { op: string; name: string; error: string | null }[] = [];
    const attempt = (op: string, name: string, fn: () => void) => {
      try {
        fn();
        results.push({ op, name, error: null });
      } catch (err) {
        results.push({ op, name, error: (err as Error).message });
      }
    };
    const mustBeOurs = (name: string) => {
      if (!ours.has(name)) throw new Error('no such rule in the agent group');
    };
    for (const name of (input.remove ?? []) as string[])
      attempt('remove', name, () => {
        mustBeOurs(name);
        this.rules.delete(name);
        ours.delete(name);
        this.hints.delete(name);
      });
    for (const e of (input.enable ?? []) as { Name: string; Enabled: string; Hint: string }[])
      attempt('enable', e.Name, () => {
        mustBeOurs(e.Name);
        if (!['True', 'False'].includes(e.Enabled)) throw new Error('Enabled must be True or False');
        const rule = this.rules.get(e.Name);
        if (rule) rule.Enabled = e.Enabled;
        this.hints.set(e.Name, String(e.Hint));
      });
    for (const c of (input.create ?? []) as { Parameters: Record<string, string | string[]>; Hint: string }[])
      attempt('create', String(c.Parameters.Name), () => this.create(c.Parameters, c.Hint, ours));
    for (const h of (input.hint ?? []) as { Name: string; Hint: string }[])
      attempt('hint', h.Name, () => {
        mustBeOurs(h.Name);
        this.hints.set(h.Name, String(h.Hint));
      });
    for (const name of [...this.hints.keys()]) if (!ours.has(name)) this.hints.delete(name);
    return results;
  }

  private create(parameters: Record<string, string | string[]>, hint: string, ours: Set<string>): void {
    const name = String(parameters.Name);
    if (!/^Attache-[0-9a-f]{32}$/.test(name)) throw new Error('not an agent rule id');
    if (ours.has(name)) throw new Error('the rule already exists');
    const splat: Record<string, string | string[]> = { Group: RULE_GROUP };
    for (const [k, v] of Object.entries(parameters)) {
      if (!(RULE_PARAMETERS as readonly string[]).includes(k)) throw new Error(`parameter not allowed: ${k}`);
      splat[k] = (RULE_LIST_PARAMETERS as readonly string[]).includes(k) ? (Array.isArray(v) ? v.map(String) : [String(v)]) : String(v);
    }
    // The store holds one rule per Name: a rule of another owner with this Name makes New-NetFirewallRule fail.
    if (this.rules.has(name)) throw new Error(`Cannot create a file when that file already exists.`);
    this.rules.set(name, newRule(splat));
    ours.add(name);
    this.hints.set(name, String(hint));
  }
}
