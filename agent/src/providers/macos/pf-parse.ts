// Parsers for pfctl output: `-s info` (is pf enabled), `-E` (the enable-reference token), and `-a <anchor> -s rules`
// (the anchor's rules back as atoms, grouped by the "attache:<name>" label). Nothing is guessed: a line we cannot
// read, or rules that do not add up to a policy item, come back as an item flagged `unrecognizedPfRules`, which equals
// no policy value, so the engine reloads the anchor and reports the rule as not enforced if it stays.
import { atomKey, expandPfRule, LABEL_PREFIX, type NormalizedPfRule, normalizePfRule, type PfAction, type PfAtom, type PfDirection } from './pf-render.js';
import { type Family, formatNetwork, mergePorts, type Network, type PortRange, parseNetwork, policyPorts } from './pf-values.js';

/** pfctl said something this code does not know how to read. */
export class PfOutputError extends Error {}

function quoted(text: string): string {
  return JSON.stringify(text.length > 300 ? `${text.slice(0, 300)}…` : text);
}

/** `pfctl -s info`: "Status: Enabled for 0 days 00:01:02 …" or "Status: Disabled …". */
export function parsePfStatus(stdout: string): 'enabled' | 'disabled' {
  const m = /^Status: (Enabled|Disabled)\b/m.exec(stdout);
  if (!m) throw new PfOutputError(`pfctl -s info printed no "Status:" line: ${quoted(stdout)}`);
  return m[1] === 'Enabled' ? 'enabled' : 'disabled';
}

/** `pfctl -E` prints "Token : <64-bit number>" (on stderr) for the reference it took. */
export function parseEnableToken(output: string): string {
  const m = /^Token : ([0-9]{1,20})\s*$/m.exec(output);
  if (!m) throw new PfOutputError(`pfctl -E printed no "Token :" line: ${quoted(output)}`);
  return m[1] as string;
}

/** One line of `pfctl -s rules`: a rule we can read (with its label name, if ours) or a line we cannot. */
export type PfLine =
  | { readonly kind: 'rule'; readonly name: string | undefined; readonly atom: PfAtom; readonly text: string }
  | { readonly kind: 'unrecognized'; readonly text: string; readonly reason: string };

/** pfctl's notices, printed on every run on kernels without ALTQ (stderr, but tolerated on stdout). */
const NOTICES = new Set(['No ALTQ support in kernel', 'ALTQ related functions disabled']);

class Tokens {
  private i = 0;
  constructor(private readonly items: readonly string[]) {}
  peek(): string | undefined {
    return this.items[this.i];
  }
  take(): string | undefined {
    return this.items[this.i++];
  }
  accept(word: string): boolean {
    if (this.items[this.i] !== word) return false;
    this.i++;
    return true;
  }
  expect(word: string): void {
    const got = this.take();
    if (got !== word) throw new PfOutputError(`expected "${word}", found ${got === undefined ? 'end of line' : `"${got}"`}`);
  }
  done(): boolean {
    return this.i >= this.items.length;
  }
}

function readPort(t: Tokens): PortRange | undefined {
  if (!t.accept('port')) return undefined;
  const first = t.take() ?? '';
  if (first === '=') {
    const value = t.take() ?? '';
    // pfctl prints a single port with its /etc/services name (`port = ssh`); our rules only use ranges, so a name is
    // a rule we did not write, and mapping it back would be a guess.
    if (!/^[0-9]{1,5}$/.test(value)) throw new PfOutputError(`port "${value}" is not numeric`);
    return { start: Number(value), end: Number(value) };
  }
  const m = /^([0-9]{1,5}):([0-9]{1,5})$/.exec(first);
  if (!m) throw new PfOutputError(`unsupported port operand "${first}"`);
  return { start: Number(m[1]), end: Number(m[2]) };
}

function readAddress(t: Tokens): Network | 'any' {
  const word = t.take();
  if (word === 'any') return 'any';
  if (word === undefined) throw new PfOutputError('address missing');
  try {
    return parseNetwork(word);
  } catch {
    throw new PfOutputError(`unsupported address "${word}"`);
  }
}

const PROTOS: Record<string, PfAtom['proto']> = { tcp: 'tcp', udp: 'udp', icmp: 'icmp', icmp6: 'icmp6', 'ipv6-icmp': 'icmp6' };

function readHead(t: Tokens): { action: PfAction; direction: PfDirection; family?: Family; proto?: PfAtom['proto'] } {
  let action: PfAction;
  if (t.accept('pass')) action = 'pass';
  else if (t.accept('block')) {
    const how = t.take();
    if (how !== 'drop' && how !== 'return') throw new PfOutputError(`unsupported block action "${how ?? ''}"`);
    action = how === 'drop' ? 'block' : 'blockReturn';
  } else throw new PfOutputError(`unsupported action "${t.peek() ?? ''}"`);
  const direction = t.take();
  if (direction !== 'in' && direction !== 'out') throw new PfOutputError('rule without in/out');
  t.expect('quick');
  const af = t.peek() === 'inet' || t.peek() === 'inet6' ? (t.take() as Family) : undefined;
  let proto: PfAtom['proto'];
  if (t.accept('proto')) {
    const name = t.take() ?? '';
    proto = PROTOS[name];
    if (!proto) throw new PfOutputError(`unsupported protocol "${name}"`);
  }
  return { action, direction, ...(af ? { family: af } : {}), ...(proto ? { proto } : {}) };
}

/** Parses one rule line into an atom; throws PfOutputError naming what it cannot read. */
function parseRule(text: string): { name: string | undefined; atom: PfAtom } {
  const labelled = /^(.*?) label "([^"]*)"$/.exec(text);
  const body = labelled ? (labelled[1] as string) : text;
  const label = labelled?.[2];
  const t = new Tokens(body.replace(/^@[0-9]+ /, '').split(/\s+/));
  const head = readHead(t);
  let from: Network | 'any' = 'any';
  let to: Network | 'any' = 'any';
  let fromPort: PortRange | undefined;
  let toPort: PortRange | undefined;
  if (!t.accept('all')) {
    t.expect('from');
    from = readAddress(t);
    fromPort = readPort(t);
    t.expect('to');
    to = readAddress(t);
    toPort = readPort(t);
  }
  // pf's defaults for pass rules (OpenBSD 4.1+): tcp and protocol-less rules get "flags S/SA keep state", others "keep state".
  if (t.accept('flags')) t.expect('S/SA');
  if (t.accept('keep')) t.expect('state');
  if (!t.done()) throw new PfOutputError(`unsupported option "${t.peek()}"`);
  const local = head.direction === 'in' ? to : from;
  if (local !== 'any') throw new PfOutputError('rule with a local address');
  const remote = head.direction === 'in' ? from : to;
  const family = remote === 'any' ? head.family : remote.family;
  if (remote !== 'any' && head.family && head.family !== remote.family) throw new PfOutputError('address family does not match the address');
  const localPort = head.direction === 'in' ? toPort : fromPort;
  const remotePort = head.direction === 'in' ? fromPort : toPort;
  const atom: PfAtom = {
    direction: head.direction,
    action: head.action,
    ...(family ? { family } : {}),
    ...(head.proto ? { proto: head.proto } : {}),
    ...(remote !== 'any' && remote.prefix > 0 ? { remote } : {}),
    ...(remotePort ? { remotePort } : {}),
    ...(localPort ? { localPort } : {}),
  };
  const name = label?.startsWith(LABEL_PREFIX) ? label.slice(LABEL_PREFIX.length) : undefined;
  return { name, atom };
}

/** `pfctl -a <anchor> -s rules` → one entry per line. */
export function parseAnchorRules(stdout: string): PfLine[] {
  const out: PfLine[] = [];
  for (const raw of stdout.split(/\r?\n/)) {
    const text = raw.trim();
    if (text === '' || NOTICES.has(text)) continue;
    try {
      const { name, atom } = parseRule(text);
      out.push({ kind: 'rule', name, atom, text });
    } catch (err) {
      out.push({ kind: 'unrecognized', text, reason: (err as Error).message });
    }
  }
  return out;
}

function unique<T>(values: readonly T[]): T | undefined {
  return values.length > 0 && values.every((v) => v === values[0]) ? values[0] : undefined;
}

/** The policy item a group of atoms most plausibly came from (checked by the caller: it must expand back to them). */
function reconstruct(name: string, atoms: readonly PfAtom[]): Record<string, unknown> | undefined {
  const direction = unique(atoms.map((a) => a.direction));
  const action = unique(atoms.map((a) => a.action));
  const protos = new Set<string>(atoms.map((a) => a.proto ?? 'none'));
  const has = (...p: string[]) => p.every((x) => protos.has(x)) && protos.size === p.length;
  const protocol = has('tcp')
    ? 'tcp'
    : has('udp')
      ? 'udp'
      : has('tcp', 'udp') || has('none')
        ? 'any'
        : [...protos].every((p) => p === 'icmp' || p === 'icmp6')
          ? 'icmp'
          : undefined;
  if (!direction || !action || !protocol) return undefined;
  const addresses = new Set<string>();
  const wholeFamilies = new Set<Family>();
  for (const a of atoms) {
    if (a.remote) addresses.add(formatNetwork(a.remote));
    else if (a.family) wholeFamilies.add(a.family);
  }
  // An icmp rule without addresses is ICMP and ICMPv6 from anywhere; one family alone means 0.0.0.0/0 or ::/0.
  const everywhere = protocol === 'icmp' && addresses.size === 0 && wholeFamilies.size === 2;
  if (!everywhere) for (const f of wholeFamilies) addresses.add(f === 'inet' ? '0.0.0.0/0' : '::/0');
  const ports = (pick: (a: PfAtom) => PortRange | undefined) => mergePorts(atoms.map(pick).filter((p): p is PortRange => p !== undefined));
  const localPorts = ports((a) => a.localPort);
  const remotePorts = ports((a) => a.remotePort);
  return {
    name,
    direction,
    action,
    protocol,
    ...(localPorts.length > 0 ? { localPorts: policyPorts(localPorts) } : {}),
    ...(remotePorts.length > 0 ? { remotePorts: policyPorts(remotePorts) } : {}),
    ...(addresses.size > 0 ? { remoteAddresses: [...addresses] } : {}),
  };
}

function sameSet(a: readonly PfAtom[], b: readonly PfAtom[]): boolean {
  const left = new Set(a.map(atomKey));
  const right = new Set(b.map(atomKey));
  return left.size === right.size && [...left].every((k) => right.has(k));
}

/** A policy item as last applied, with its reduced form (so the read-back can return the policy's own spelling). */
export interface AppliedPfRule {
  readonly item: Record<string, unknown>;
  readonly rule: NormalizedPfRule;
}

/**
 * The policy items the anchor holds. A group of rules equal (as pf rules) to what the agent applied for that name
 * reads back as the applied item itself; otherwise as the item it adds up to, or flagged when it adds up to none.
 */
export function itemsFromRules(lines: readonly PfLine[], applied: ReadonlyMap<string, AppliedPfRule>): Record<string, unknown>[] {
  const groups = new Map<string, { atoms: PfAtom[]; texts: string[] }>();
  const strangers: string[] = [];
  for (const line of lines) {
    if (line.kind === 'unrecognized' || line.name === undefined) {
      strangers.push(line.text);
      continue;
    }
    const group = groups.get(line.name) ?? { atoms: [], texts: [] };
    group.atoms.push(line.atom);
    group.texts.push(line.text);
    groups.set(line.name, group);
  }
  const items: Record<string, unknown>[] = [];
  for (const [name, group] of groups) {
    const known = applied.get(name);
    if (known && sameSet(expandPfRule(known.rule), group.atoms)) {
      items.push(known.item);
      continue;
    }
    const guess = reconstruct(name, group.atoms);
    let rule: NormalizedPfRule | undefined;
    try {
      rule = guess ? normalizePfRule(guess) : undefined;
    } catch {
      rule = undefined;
    }
    if (guess && rule && sameSet(expandPfRule(rule), group.atoms)) items.push(guess);
    else items.push({ name, unrecognizedPfRules: group.texts });
  }
  if (strangers.length > 0) items.push({ name: '(not written by this agent)', unrecognizedPfRules: strangers });
  return items;
}
