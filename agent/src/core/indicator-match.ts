// Custom indicators against what runs on the device: executables by SHA-256/SHA-1/MD5, signer certificate, path and
// name; active connections by remote IP address and network. Pure: the caller lists processes and connections, hashes
// the executables and reads their signers. `domain` indicators are not matched: that needs DNS visibility the agent
// does not have (reported by `unmatchable`). Which action wins and what it does: core/indicator-policy.ts.
import type { AlertSeverity } from '../../../policy-schemas/src/index.js';
import { type IpNetwork, networkContains, parseCidr, parseIp } from './ip-match.js';

/** One item of `indicators.items` (catalog: indicators). */
export interface RiskIndicator {
  readonly type: IndicatorType;
  readonly value: string;
  readonly action: IndicatorAction;
  readonly severity?: AlertSeverity;
  readonly title?: string;
  /** RFC 3339 UTC: not enforced from then on. */
  readonly expirationTime?: string;
  /** Raise an alert on a match (default true; an allow never alerts). */
  readonly generateAlert?: boolean;
}

export type IndicatorType = 'fileSha256' | 'fileSha1' | 'fileMd5' | 'certificateThumbprint' | 'processPath' | 'processName' | 'ipAddress' | 'cidr' | 'domain';

/** Defender's actions; `alert` is the deprecated spelling of `audit`. */
export type IndicatorAction = 'allowed' | 'audit' | 'warn' | 'block' | 'blockAndRemediate' | 'alert';

/** A running process as the host lists it; hashes only where file-hash indicators asked for them. */
export interface ObservedProcess {
  readonly pid: number;
  readonly name: string;
  /** Full path of the executable, when the host can tell. */
  readonly path?: string;
  readonly sha256?: string;
  readonly sha1?: string;
  readonly md5?: string;
  /** SHA-1 thumbprint of the executable's signer (leaf) certificate, where the host can read signatures. */
  readonly signerThumbprint?: string;
}

/** An active connection with a remote peer. */
export interface ObservedConnection {
  readonly pid?: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
}

/** One indicator matched by one subject (an executable, or a remote address), with every process/connection involved. */
export interface IndicatorMatch {
  readonly indicator: RiskIndicator;
  /** What makes this match the same one next time: the executable (path, else name) or the remote address. */
  readonly subject: string;
  readonly processes: readonly ObservedProcess[];
  readonly connections: readonly ObservedConnection[];
}

export interface MatchOptions {
  /** Windows: names and paths compare case-insensitively and a name matches with or without `.exe`. */
  readonly caseInsensitive: boolean;
}

const PROCESS_TYPES = new Set<IndicatorType>(['fileSha256', 'fileSha1', 'fileMd5', 'certificateThumbprint', 'processPath', 'processName']);
const CONNECTION_TYPES = new Set<IndicatorType>(['ipAddress', 'cidr']);

/** What the executables must be read for: which hashes, and their signer. */
export interface ExecutableFacts {
  readonly sha256: boolean;
  readonly sha1: boolean;
  readonly md5: boolean;
  readonly signer: boolean;
}

/** What the caller must observe for these indicators: processes at all, which executable facts, connections. */
export function observationsNeeded(indicators: readonly RiskIndicator[]): ExecutableFacts & { readonly processes: boolean; readonly connections: boolean } {
  return {
    processes: indicators.some((i) => PROCESS_TYPES.has(i.type)),
    sha256: indicators.some((i) => i.type === 'fileSha256'),
    sha1: indicators.some((i) => i.type === 'fileSha1'),
    md5: indicators.some((i) => i.type === 'fileMd5'),
    signer: indicators.some((i) => i.type === 'certificateThumbprint'),
    connections: indicators.some((i) => CONNECTION_TYPES.has(i.type)),
  };
}

/** Whether the indicator is matched against processes (executables) rather than connections. */
export function isProcessIndicator(indicator: RiskIndicator): boolean {
  return PROCESS_TYPES.has(indicator.type);
}

/** Indicators this engine cannot match on a device (domains). */
export function unmatchable(indicators: readonly RiskIndicator[]): RiskIndicator[] {
  return indicators.filter((i) => !PROCESS_TYPES.has(i.type) && !CONNECTION_TYPES.has(i.type));
}

function baseName(path: string): string {
  const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return cut < 0 ? path : path.slice(cut + 1);
}

function processMatches(indicator: RiskIndicator, p: ObservedProcess, options: MatchOptions): boolean {
  const fold = (s: string) => (options.caseInsensitive ? s.toLowerCase() : s);
  switch (indicator.type) {
    case 'fileSha256':
      return p.sha256 !== undefined && p.sha256.toLowerCase() === indicator.value.toLowerCase();
    case 'fileSha1':
      return p.sha1 !== undefined && p.sha1.toLowerCase() === indicator.value.toLowerCase();
    case 'fileMd5':
      return p.md5 !== undefined && p.md5.toLowerCase() === indicator.value.toLowerCase();
    case 'certificateThumbprint':
      return p.signerThumbprint !== undefined && p.signerThumbprint.toLowerCase() === indicator.value.toLowerCase();
    case 'processPath':
      return p.path !== undefined && fold(p.path) === fold(indicator.value);
    case 'processName': {
      const want = fold(indicator.value);
      const names = [p.name, ...(p.path ? [baseName(p.path)] : [])].map(fold);
      const stripExe = (n: string) => (options.caseInsensitive && n.endsWith('.exe') ? n.slice(0, -4) : n);
      return names.some((n) => n === want || stripExe(n) === stripExe(want));
    }
    default:
      return false;
  }
}

/** Groups matches by (indicator, subject) so one executable running as many processes is one match. */
function group<T>(
  items: readonly { indicator: RiskIndicator; subject: string; item: T }[],
): Map<string, { indicator: RiskIndicator; subject: string; items: T[] }> {
  const out = new Map<string, { indicator: RiskIndicator; subject: string; items: T[] }>();
  for (const { indicator, subject, item } of items) {
    const key = `${indicator.type}\u0000${indicator.value}\u0000${subject}`;
    const entry = out.get(key) ?? { indicator, subject, items: [] };
    entry.items.push(item);
    out.set(key, entry);
  }
  return out;
}

/** Processes matching process-type indicators (hash, path, name). */
export function matchProcesses(indicators: readonly RiskIndicator[], processes: readonly ObservedProcess[], options: MatchOptions): IndicatorMatch[] {
  const hits: { indicator: RiskIndicator; subject: string; item: ObservedProcess }[] = [];
  for (const indicator of indicators) {
    if (!PROCESS_TYPES.has(indicator.type)) continue;
    for (const p of processes) {
      if (!processMatches(indicator, p, options)) continue;
      const subject = p.path !== undefined ? (options.caseInsensitive ? p.path.toLowerCase() : p.path) : `name:${p.name}`;
      hits.push({ indicator, subject, item: p });
    }
  }
  return [...group(hits).values()].map((g) => ({ indicator: g.indicator, subject: g.subject, processes: g.items, connections: [] }));
}

/** Connections whose remote address equals an ipAddress indicator or lies in a cidr indicator. */
export function matchConnections(indicators: readonly RiskIndicator[], connections: readonly ObservedConnection[]): IndicatorMatch[] {
  const hits: { indicator: RiskIndicator; subject: string; item: ObservedConnection }[] = [];
  const networks = new Map<RiskIndicator, IpNetwork | undefined>();
  for (const indicator of indicators) {
    if (!CONNECTION_TYPES.has(indicator.type)) continue;
    const wanted = indicator.type === 'ipAddress' ? parseIp(indicator.value) : undefined;
    if (indicator.type === 'cidr') networks.set(indicator, parseCidr(indicator.value));
    for (const c of connections) {
      const remote = parseIp(c.remoteAddress);
      if (!remote) continue;
      const network = networks.get(indicator);
      const hit =
        indicator.type === 'ipAddress'
          ? wanted !== undefined && wanted.family === remote.family && wanted.value === remote.value
          : network !== undefined && networkContains(network, remote);
      if (hit) hits.push({ indicator, subject: `${remote.family}:${remote.value.toString(16)}`, item: c });
    }
  }
  return [...group(hits).values()].map((g) => ({ indicator: g.indicator, subject: g.subject, processes: [], connections: g.items }));
}
