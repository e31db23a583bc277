// Which addresses an isolation lets through: each management endpoint URL (preferred and alternates) parsed to a host
// and TCP port, and the host resolved to addresses at isolation time. Every URL must resolve before anything on the
// OS changes (issue 17: "if the endpoint's address cannot be resolved the action fails and the device stays
// reachable"). A refresh keeps a host's last addresses when it no longer resolves: DNS is blocked while isolated.
import { AttacheError } from '../../../../common/errors.js';
import { formatIpAddress, tryParseIpAddress } from '../../core/net-address.js';
import type { IsolationEndpoint } from './isolation.js';

/** Looks a host name up: every address it has (IPv4 and IPv6), as text. Throws or returns none when it has none. */
export type HostResolver = (host: string) => Promise<readonly string[]>;

const DEFAULT_PORTS: Readonly<Record<string, number>> = { 'https:': 443, 'wss:': 443, 'http:': 80, 'ws:': 80 };
const MAX_URLS = 16;
const MAX_ADDRESSES = 64;

/** The host and port of each URL, in order, duplicates (same URL) once; throws ACTION_INVALID naming a bad URL. */
export function endpointTargets(urls: readonly string[]): Omit<IsolationEndpoint, 'addresses'>[] {
  if (urls.length === 0) throw new AttacheError('ACTION_INVALID', 'endpointUrls: at least one management endpoint URL is needed');
  if (urls.length > MAX_URLS) throw new AttacheError('ACTION_INVALID', `endpointUrls: at most ${MAX_URLS} URLs, not ${urls.length}`);
  const out = new Map<string, Omit<IsolationEndpoint, 'addresses'>>();
  for (const [i, text] of urls.entries()) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new AttacheError('ACTION_INVALID', `endpointUrls[${i}]: ${JSON.stringify(text.slice(0, 200))} is not a URL`);
    }
    const defaultPort = DEFAULT_PORTS[url.protocol];
    if (defaultPort === undefined) throw new AttacheError('ACTION_INVALID', `endpointUrls[${i}]: scheme ${url.protocol} is not http(s) or ws(s)`);
    // URL keeps IPv6 literals in brackets; the isolation needs the bare address.
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    if (host === '') throw new AttacheError('ACTION_INVALID', `endpointUrls[${i}]: no host`);
    out.set(url.href, { url: url.href, host, port: url.port === '' ? defaultPort : Number(url.port) });
  }
  return [...out.values()];
}

/**
 * Resolves every target. `previous` (the persisted isolation) is the fallback of a refresh: a host that no longer
 * resolves keeps its last addresses. Without a fallback an unresolvable host throws ISOLATION_ENDPOINT_UNRESOLVED.
 */
export async function resolveEndpoints(
  targets: readonly Omit<IsolationEndpoint, 'addresses'>[],
  resolve: HostResolver,
  previous: readonly IsolationEndpoint[] = [],
): Promise<IsolationEndpoint[]> {
  const out: IsolationEndpoint[] = [];
  for (const target of targets) {
    const literal = tryParseIpAddress(target.host);
    if (literal) {
      out.push({ ...target, addresses: [formatIpAddress(literal)] });
      continue;
    }
    let addresses: string[] = [];
    let reason = 'no addresses';
    try {
      addresses = canonicalAddresses(await resolve(target.host));
    } catch (err) {
      reason = (err as Error).message;
    }
    const fallback = previous.find((p) => p.host === target.host)?.addresses;
    if (addresses.length === 0 && fallback) addresses = [...fallback];
    if (addresses.length === 0)
      throw new AttacheError('ISOLATION_ENDPOINT_UNRESOLVED', `cannot resolve endpoint host ${JSON.stringify(target.host)} (${target.url}): ${reason}`);
    out.push({ ...target, addresses });
  }
  return out;
}

/** Parsed, canonical, sorted, unique; anything that is not an address (a zone index, garbage) is dropped. */
function canonicalAddresses(texts: readonly string[]): string[] {
  const set = new Set<string>();
  for (const text of texts) {
    const address = tryParseIpAddress(text);
    if (address) set.add(formatIpAddress(address));
  }
  return [...set].sort().slice(0, MAX_ADDRESSES);
}
