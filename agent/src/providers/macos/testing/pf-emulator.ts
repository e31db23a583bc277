// An in-memory pfctl for boundary and contract tests (this machine has no macOS): pf's enable state and reference
// tokens, anchors with their rules, and a small model of pfctl itself for the rule shapes the agent writes (lists
// expanded one rule per combination, printed back the way `pfctl -s rules` prints them, pass-rule state defaults
// added). Anything outside that shape is a syntax error, as it would be for a typo in real pf.
import { type CommandResult, type CommandSpec, ScriptedCommandRunner } from '../../../system/command-runner.js';
import { PFCTL } from '../pf.js';
import { formatNetwork, type Network, parseNetwork } from '../pf-values.js';

const NOTICES = 'No ALTQ support in kernel\nALTQ related functions disabled\n';

export class PfctlEmulator {
  readonly runner = new ScriptedCommandRunner((spec) => this.respond(spec));
  enabled = false;
  readonly references = new Set<string>();
  /** Anchor path → the rules as `pfctl -a <anchor> -s rules` prints them. pf drops an anchor once it is empty. */
  readonly anchors = new Map<string, string[]>();
  private nextToken = 7906376473282237287n;

  /** The argument lists of the calls so far. */
  get argv(): string[][] {
    return this.runner.calls.map((c) => [...c.args]);
  }

  private respond(spec: CommandSpec): Partial<CommandResult> {
    if (spec.file !== PFCTL) return { code: null, spawnError: `ENOENT: spawn ${spec.file}` };
    const a = spec.args;
    const is = (...words: string[]) => a.length === words.length && words.every((w, i) => w === '*' || w === a[i]);
    if (is('-s', 'info')) {
      const status = this.enabled ? 'Status: Enabled for 0 days 00:00:12 ' : 'Status: Disabled                     ';
      return {
        stdout: `${status}             Debug: Urgent\n\nState Table                          Total             Rate\n  current entries                        0\n`,
        stderr: NOTICES,
      };
    }
    if (is('-E')) {
      const token = String(this.nextToken++);
      this.references.add(token);
      this.enabled = true;
      return { stderr: `${NOTICES}pf enabled\nToken : ${token}\n` };
    }
    if (is('-X', '*')) {
      if (!this.references.delete(a[1] as string)) return { code: 1, stderr: `${NOTICES}pfctl: DIOCSTOPREF: No such file or directory\n` };
      if (this.references.size > 0) return { stderr: NOTICES };
      this.enabled = false;
      return { stderr: `${NOTICES}pf disabled\n` };
    }
    if (is('-d')) {
      this.enabled = false;
      this.references.clear();
      return { stderr: `${NOTICES}pf disabled\n` };
    }
    if (is('-a', '*', '-s', 'rules')) {
      const rules = this.anchors.get(a[1] as string);
      if (!rules) return { code: 1, stderr: `${NOTICES}pfctl: DIOCGETRULES: Invalid argument\n` };
      return { stdout: rules.map((r) => `${r}\n`).join(''), stderr: NOTICES };
    }
    if (is('-a', '*', '-F', 'rules')) {
      this.anchors.delete(a[1] as string);
      return { stderr: `${NOTICES}rules cleared\n` };
    }
    if (is('-a', '*', '-o', 'none', '-f', '-')) {
      try {
        const rules = loadRules(spec.stdin ?? '');
        if (rules.length === 0) this.anchors.delete(a[1] as string);
        else this.anchors.set(a[1] as string, rules);
        return { stderr: NOTICES };
      } catch (err) {
        return { code: 1, stderr: `${NOTICES}${(err as Error).message}\npfctl: Syntax error in config file: pf rules not loaded\n` };
      }
    }
    return { code: 1, stderr: 'usage: pfctl [-AdeghmNnOqRrvz] [-a anchor] …\n' };
  }
}

/** Splits a pf.conf line into words, braces, commas and quoted strings. */
function tokenize(line: string, n: number): string[] {
  const tokens = line.match(/"[^"\n]*"|[{},]|[^\s{},"]+/g) ?? [];
  if (tokens.join('').replace(/\s/g, '') !== line.replace(/\s/g, '')) throw new Error(`stdin:${n}: syntax error`);
  return tokens;
}

class Cursor {
  private i = 0;
  constructor(
    private readonly t: string[],
    private readonly n: number,
  ) {}
  peek(): string | undefined {
    return this.t[this.i];
  }
  take(): string {
    const v = this.t[this.i++];
    if (v === undefined) throw new Error(`stdin:${this.n}: syntax error`);
    return v;
  }
  accept(word: string): boolean {
    if (this.t[this.i] !== word) return false;
    this.i++;
    return true;
  }
  fail(): never {
    throw new Error(`stdin:${this.n}: syntax error`);
  }
  done(): boolean {
    return this.i >= this.t.length;
  }
  /** One item or a `{ a, b }` list. */
  list(): string[] {
    if (!this.accept('{')) return [this.take()];
    const items: string[] = [];
    while (!this.accept('}')) {
      items.push(this.take());
      this.accept(',');
    }
    return items;
  }
}

type Addr = Network | 'any';

function address(text: string, n: number): Addr {
  if (text === 'any') return 'any';
  try {
    return parseNetwork(text);
  } catch {
    throw new Error(`stdin:${n}: no IP address found for ${text}`);
  }
}

function port(text: string, n: number): string {
  const m = /^([0-9]+):([0-9]+)$/.exec(text) ?? /^([0-9]+)$/.exec(text);
  if (!m) throw new Error(`stdin:${n}: illegal port value ${text}`);
  return m[2] === undefined ? `= ${m[1]}` : `${m[1]}:${m[2]}`;
}

/** pfctl's parse, expand and print for the rule shapes the agent writes. */
function loadRules(text: string): string[] {
  const out: string[] = [];
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    out.push(...expandLine(new Cursor(tokenize(line, i + 1), i + 1), i + 1));
  }
  return out;
}

function expandLine(c: Cursor, n: number): string[] {
  let action = c.take();
  if (action === 'block') action = `block ${c.take()}`;
  if (!['pass', 'block drop', 'block return'].includes(action)) c.fail();
  const direction = c.take();
  if (direction !== 'in' && direction !== 'out') c.fail();
  if (!c.accept('quick')) c.fail();
  const af = c.peek() === 'inet' || c.peek() === 'inet6' ? c.take() : undefined;
  const protos: (string | undefined)[] = c.accept('proto') ? c.list() : [undefined];
  for (const p of protos) if (p !== undefined && !['tcp', 'udp', 'icmp', 'ipv6-icmp'].includes(p)) c.fail();
  let from: Addr[] = ['any'];
  let to: Addr[] = ['any'];
  let fromPorts: (string | undefined)[] = [undefined];
  let toPorts: (string | undefined)[] = [undefined];
  if (!c.accept('all')) {
    if (!c.accept('from')) c.fail();
    from = c.list().map((a) => address(a, n));
    if (c.accept('port')) fromPorts = c.list().map((p) => port(p, n));
    if (!c.accept('to')) c.fail();
    to = c.list().map((a) => address(a, n));
    if (c.accept('port')) toPorts = c.list().map((p) => port(p, n));
  }
  if (!c.accept('label')) c.fail();
  const label = c.take();
  if (!/^"[^"]*"$/.test(label) || label.length - 2 > 63 || !c.done()) c.fail();
  const hasPorts = fromPorts[0] !== undefined || toPorts[0] !== undefined;
  const lines: string[] = [];
  for (const proto of protos) {
    if (hasPorts && proto !== 'tcp' && proto !== 'udp') throw new Error(`stdin:${n}: port only applies to tcp/udp`);
    for (const f of from)
      for (const fp of fromPorts)
        for (const t of to)
          for (const tp of toPorts) {
            const family = af ?? (f !== 'any' ? f.family : t !== 'any' ? t.family : undefined);
            // pfctl skips combinations whose address family cannot match (an IPv6 address in an inet rule).
            if ((f !== 'any' && f.family !== family) || (t !== 'any' && t.family !== family)) continue;
            const addr = (x: Addr) => (x === 'any' || x.prefix === 0 ? 'any' : formatNetwork(x));
            const anyAddress = (x: Addr) => x === 'any' || x.prefix === 0;
            const endpoints =
              anyAddress(f) && anyAddress(t) && !fp && !tp ? 'all' : `from ${addr(f)}${fp ? ` port ${fp}` : ''} to ${addr(t)}${tp ? ` port ${tp}` : ''}`;
            // pf's default for pass rules: keep state, with flags S/SA where tcp can match.
            const state = action !== 'pass' ? '' : proto === undefined || proto === 'tcp' ? ' flags S/SA keep state' : ' keep state';
            lines.push(`${action} ${direction} quick${family ? ` ${family}` : ''}${proto ? ` proto ${proto}` : ''} ${endpoints}${state} label ${label}`);
          }
  }
  return lines;
}
