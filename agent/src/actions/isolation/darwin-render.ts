// Pure renderer of the macOS isolation: the rules of the agent's pf anchor com.apple/100.AttacheIsolation. The stock
// pf.conf evaluates the children of `com.apple/*` alphabetically (pf.conf(5)), so 100.* runs before Apple's 200.AirDrop
// and the firewall policy's 250.AttacheFirewall; every rule here is `quick`, so its verdict ends evaluation and no later
// anchor can pass what the isolation blocks. Replies to the agent's own connections pass through pf's state table.
import { formatIpAddress, parseIpAddress } from '../../core/net-address.js';
import type { IsolationEndpoint } from './isolation.js';

export const ISOLATION_ANCHOR = 'com.apple/100.AttacheIsolation';
/** The last rule of the anchor; its presence in `pfctl -s rules` means the isolation is loaded. */
export const BLOCK_ALL = 'block drop quick all';

const HEADER = `# Attaché device isolation, anchor ${ISOLATION_ANCHOR}: loopback and the management endpoint(s) only.`;

/** The anchor's rules for a full isolation; throws on an address or port that is not one. */
export function renderPfIsolation(endpoints: readonly IsolationEndpoint[]): string {
  const pass = new Set<string>();
  for (const endpoint of endpoints) {
    if (!Number.isInteger(endpoint.port) || endpoint.port < 1 || endpoint.port > 65535) throw new RangeError(`bad endpoint port ${endpoint.port}`);
    for (const text of endpoint.addresses) {
      const address = parseIpAddress(text);
      const family = address.family === 4 ? 'inet' : 'inet6';
      pass.add(`pass out quick ${family} proto tcp from any to ${formatIpAddress(address)} port ${endpoint.port} keep state`);
    }
  }
  if (pass.size === 0) throw new RangeError('an isolation needs at least one endpoint address');
  return `${[
    HEADER,
    'pass quick on lo0 all',
    ...[...pass].sort(),
    // IPv6 neighbour and router discovery: without them no IPv6 address (the endpoint's included) is reachable.
    'pass quick inet6 proto icmp6 from any to any icmp6-type { neighbrsol, neighbradv, routersol, routeradv } no state',
    BLOCK_ALL,
  ].join('\n')}\n`;
}
