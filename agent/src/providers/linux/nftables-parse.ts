// Pure parser: the output of `nft -j list table inet attache` (nft 1.0.6 JSON schema 1) → what the table enforces, in
// the terms of the Linux firewall settings. Rules are grouped back by their comment (the policy rule name); anything
// in the table the renderer would not have written is reported as unrecognized, so drift inside our own table shows.
import { parseToolJson } from '../../system/command-runner.js';
import type { ChainPolicy, NormalizedRule } from './nftables-model.js';
import { RULE_NAME, RULE_NAME_MAX } from './nftables-model.js';
import { ESTABLISHED_COMMENT, LOOPBACK_COMMENT, TABLE_FAMILY, TABLE_NAME } from './nftables-render.js';
import { type Family, type Interval, mergeIntervals, parseAddress, parseNetwork } from './nftables-values.js';

/** What the agent's table does. `present: false` is the host without our table: it behaves like the defaults. */
export interface ObservedFirewall {
  readonly present: boolean;
  readonly defaultInboundAction: ChainPolicy;
  readonly defaultOutboundAction: ChainPolicy;
  /** A string when only one chain has the rule (no policy value means that, so it always reads as drift). */
  readonly allowEstablished: boolean | string;
  readonly allowLoopback: boolean | string;
  readonly rules: readonly NormalizedRule[];
  /** One line per rule, chain or object in the table that no setting explains. */
  readonly unrecognized: readonly string[];
}

export const ABSENT_TABLE: ObservedFirewall = {
  present: false,
  defaultInboundAction: 'accept',
  defaultOutboundAction: 'accept',
  allowEstablished: true,
  allowLoopback: true,
  rules: [],
  unrecognized: [],
};

type Json = unknown;
type Obj = Record<string, Json>;
const isObj = (v: Json): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const CHAINS = { input: 'in', output: 'out' } as const;
type ChainName = keyof typeof CHAINS;

interface ChainState {
  policy: ChainPolicy;
  established: boolean;
  loopback: boolean;
}

/** One nft rule of a named policy rule: a policy rule with addresses of two families becomes two of these. */
interface RulePart {
  readonly rule: Omit<NormalizedRule, 'addresses'>;
  readonly family?: Family;
  readonly addresses?: readonly Interval[];
}

/** Parses the JSON text; throws when it is not nft's JSON output. */
export function parseNftJson(text: string): ObservedFirewall {
  const doc = parseToolJson('nft -j', text);
  if (!isObj(doc) || !Array.isArray(doc.nftables)) throw new Error('nft -j output has no "nftables" array');
  const chains = new Map<ChainName, ChainState>();
  const unrecognized: string[] = [];
  const parts: Parts = [];
  for (const item of doc.nftables) {
    if (!isObj(item)) continue;
    const [key, body] = Object.entries(item)[0] ?? [];
    if (key === 'metainfo' || (key === 'table' && isObj(body) && body.family === TABLE_FAMILY && body.name === TABLE_NAME)) continue;
    if (key === 'chain' && isObj(body)) {
      const chain = readChain(body);
      if (chain && !chains.has(chain.name)) chains.set(chain.name, chain.state);
      else unrecognized.push(`chain ${String(body.name)}`);
    } else if (key === 'rule' && isObj(body)) {
      readRule(body, chains, parts, unrecognized);
    } else {
      unrecognized.push(`${key ?? 'entry'} ${isObj(body) ? String(body.name ?? '') : ''}`.trim());
    }
  }
  for (const name of Object.keys(CHAINS) as ChainName[]) if (!chains.has(name)) unrecognized.push(`chain ${name} is missing`);
  const state = (name: ChainName): ChainState => chains.get(name) ?? { policy: 'accept', established: false, loopback: false };
  return {
    present: true,
    defaultInboundAction: state('input').policy,
    defaultOutboundAction: state('output').policy,
    allowEstablished: both(state('input').established, state('output').established),
    allowLoopback: both(state('input').loopback, state('output').loopback),
    rules: groupParts(parts, unrecognized),
    unrecognized,
  };
}

function both(input: boolean, output: boolean): boolean | string {
  if (input === output) return input;
  return `only in the ${input ? 'input' : 'output'} chain`;
}

function readChain(body: Obj): { name: ChainName; state: ChainState } | undefined {
  const name = body.name;
  if (name !== 'input' && name !== 'output') return undefined;
  if (body.type !== 'filter' || body.hook !== name || body.prio !== 0) return undefined;
  if (body.policy !== 'accept' && body.policy !== 'drop') return undefined;
  return { name, state: { policy: body.policy, established: false, loopback: false } };
}

function describeRule(chain: string, body: Obj): string {
  const comment = typeof body.comment === 'string' ? ` "${body.comment}"` : '';
  return `rule in ${chain}${comment}: ${JSON.stringify(body.expr)}`.slice(0, 500);
}

type Parts = { chain: ChainName; comment: string; part: RulePart }[];

function readRule(body: Obj, chains: Map<ChainName, ChainState>, parts: Parts, unrecognized: string[]): void {
  const chainName = body.chain === 'input' || body.chain === 'output' ? body.chain : undefined;
  const chain = chainName && chains.get(chainName);
  if (!chainName || !chain) {
    unrecognized.push(describeRule(String(body.chain), body));
    return;
  }
  const expr = Array.isArray(body.expr) ? body.expr : [];
  const comment = typeof body.comment === 'string' ? body.comment : '';
  if (comment === ESTABLISHED_COMMENT && isEstablished(expr)) chain.established = true;
  else if (comment === LOOPBACK_COMMENT && isLoopback(expr, chainName === 'input' ? 'iif' : 'oif')) chain.loopback = true;
  else {
    // Only a comment that is a valid rule name can be one of ours; the name is never trusted beyond that.
    const part = RULE_NAME.test(comment) && comment.length <= RULE_NAME_MAX ? readRulePart(expr, comment, CHAINS[chainName]) : undefined;
    if (part) parts.push({ chain: chainName, comment, part });
    else unrecognized.push(describeRule(chainName, body));
  }
}

function match(e: Json): { left: Obj; right: Json } | undefined {
  if (!isObj(e) || !isObj(e.match) || (e.match.op !== '==' && e.match.op !== 'in') || !isObj(e.match.left)) return undefined;
  return { left: e.match.left, right: e.match.right };
}

/** Elements of a set, or the single value. */
function elements(right: Json): Json[] {
  if (Array.isArray(right)) return right;
  if (isObj(right) && Array.isArray(right.set)) return right.set;
  return [right];
}

function isEstablished(expr: Json[]): boolean {
  const m = match(expr[0]);
  const states = m && isObj(m.left.ct) && m.left.ct.key === 'state' ? elements(m.right).sort() : [];
  return expr.length === 2 && JSON.stringify(states) === '["established","related"]' && isObj(expr[1]) && 'accept' in expr[1];
}

function isLoopback(expr: Json[], key: 'iif' | 'oif'): boolean {
  const m = match(expr[0]);
  return expr.length === 2 && !!m && isObj(m.left.meta) && m.left.meta.key === key && m.right === 'lo' && isObj(expr[1]) && 'accept' in expr[1];
}

function portIntervals(right: Json): Interval[] | undefined {
  const out: Interval[] = [];
  // Only a port nft can print (an integer 0–65535) is one the renderer wrote; BigInt() would throw on 0.5 or 1e400.
  const port = (v: Json): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 65535;
  for (const e of elements(right)) {
    if (port(e)) out.push({ start: BigInt(e), end: BigInt(e) });
    else if (isObj(e) && Array.isArray(e.range) && port(e.range[0]) && port(e.range[1])) out.push({ start: BigInt(e.range[0]), end: BigInt(e.range[1]) });
    else return undefined;
  }
  return mergeIntervals(out);
}

function addressIntervals(right: Json, family: Family): Interval[] | undefined {
  const out: Interval[] = [];
  for (const e of elements(right)) {
    try {
      // An element of the other family (nft prints IPv4-mapped IPv6 as ::ffff:a.b.c.d, which parses as IPv4) is not
      // what the renderer writes: the rule is not ours.
      const text = typeof e === 'string' ? e : isObj(e) && isObj(e.prefix) ? `${String(e.prefix.addr)}/${String(e.prefix.len)}` : undefined;
      if (text !== undefined) {
        const network = parseNetwork(text);
        if (network.family !== family) return undefined;
        out.push(network.interval);
      } else if (isObj(e) && Array.isArray(e.range)) {
        const [a, b] = e.range.map((x) => (typeof x === 'string' ? parseAddress(x) : undefined));
        if (!a || !b || a.family !== family || b.family !== family) return undefined;
        out.push({ start: a.value, end: b.value });
      } else return undefined;
    } catch {
      return undefined;
    }
  }
  return mergeIntervals(out);
}

/** Reads one nft rule written by `renderRule`; undefined when it has anything else in it. */
function readRulePart(expr: Json[], name: string, direction: 'in' | 'out'): RulePart | undefined {
  const [local, remote] = direction === 'in' ? ['dport', 'sport'] : ['sport', 'dport'];
  let l4: string[] | undefined;
  let portProto: string | undefined;
  let family: Family | undefined;
  let addresses: Interval[] | undefined;
  let localPorts: Interval[] | undefined;
  let remotePorts: Interval[] | undefined;
  let action: NormalizedRule['action'] | undefined;
  for (const [i, e] of expr.entries()) {
    if (i === expr.length - 1 && isObj(e)) {
      action = 'accept' in e ? 'accept' : 'drop' in e ? 'drop' : 'reject' in e ? 'reject' : undefined;
      if (!action) return undefined;
      continue;
    }
    const m = match(e);
    if (!m) return undefined;
    const payload = isObj(m.left.payload) ? m.left.payload : undefined;
    if (isObj(m.left.meta) && m.left.meta.key === 'l4proto' && l4 === undefined) {
      l4 = elements(m.right).map(String).sort();
    } else if (payload && (payload.protocol === 'ip' || payload.protocol === 'ip6') && family === undefined) {
      if (payload.field !== (direction === 'in' ? 'saddr' : 'daddr')) return undefined;
      family = payload.protocol;
      addresses = addressIntervals(m.right, family);
      if (!addresses) return undefined;
    } else if (payload && ['tcp', 'udp', 'th'].includes(String(payload.protocol)) && (portProto ?? payload.protocol) === payload.protocol) {
      portProto = String(payload.protocol);
      const ports = portIntervals(m.right);
      if (!ports) return undefined;
      if (payload.field === local && !localPorts) localPorts = ports;
      else if (payload.field === remote && !remotePorts) remotePorts = ports;
      else return undefined;
    } else return undefined;
  }
  const protocol = protocolOf(l4, portProto, family);
  if (!action || !protocol) return undefined;
  const rule = { name, direction, action, protocol, ...(localPorts ? { localPorts } : {}), ...(remotePorts ? { remotePorts } : {}) };
  return family && addresses ? { rule, family, addresses } : { rule };
}

/** The policy protocol the matches mean, exactly as `renderRule` writes each one; undefined for anything else. */
function protocolOf(l4: string[] | undefined, portProto: string | undefined, family: Family | undefined): NormalizedRule['protocol'] | undefined {
  const key = l4?.join(',');
  if (portProto === 'tcp' || portProto === 'udp') return key === undefined || key === portProto ? portProto : undefined;
  if (portProto === 'th') return key === 'tcp,udp' ? 'any' : undefined;
  if (key === undefined) return 'any';
  if (key === 'tcp' || key === 'udp') return key;
  const icmp = family === 'ip' ? 'icmp' : family === 'ip6' ? 'ipv6-icmp' : 'icmp,ipv6-icmp';
  return key === icmp ? 'icmp' : undefined;
}

/** Joins the per-family nft rules of one policy rule (consecutive, same chain and name) back into one rule. */
function groupParts(parts: Parts, unrecognized: string[]): NormalizedRule[] {
  const rules: NormalizedRule[] = [];
  const names = new Set<string>();
  for (let i = 0; i < parts.length; ) {
    const first = parts[i] as (typeof parts)[number];
    let j = i + 1;
    while (j < parts.length && parts[j]?.chain === first.chain && parts[j]?.comment === first.comment) j++;
    const group = parts.slice(i, j).map((p) => p.part);
    i = j;
    const merged = mergeGroup(group);
    if (!merged || names.has(merged.name)) {
      unrecognized.push(`rules in ${first.chain} named "${first.comment}" that no single policy rule renders to`);
      continue;
    }
    names.add(merged.name);
    rules.push(merged);
  }
  return rules;
}

function mergeGroup(group: RulePart[]): NormalizedRule | undefined {
  const [first, second, ...rest] = group;
  if (!first || rest.length > 0) return undefined;
  if (!second) return first.family ? { ...first.rule, addresses: { ip: [], ip6: [], [first.family]: first.addresses ?? [] } } : first.rule;
  const sameRest = JSON.stringify(first.rule, bigintJson) === JSON.stringify(second.rule, bigintJson);
  if (!sameRest || first.family !== 'ip' || second.family !== 'ip6') return undefined;
  return { ...first.rule, addresses: { ip: first.addresses ?? [], ip6: second.addresses ?? [] } };
}

function bigintJson(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
