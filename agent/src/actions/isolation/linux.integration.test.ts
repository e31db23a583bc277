// Linux isolation proven by traffic: an agent namespace joined by veth pairs to an endpoint namespace (10.251.0.0/30)
// and a peer namespace (10.251.1.0/30), HTTP servers in each, requests with a bounded wait. The real controller and
// nftables backend run nft in the agent namespace; the host's own ruleset is never touched. The agent namespace also
// has a table of the host's own and the firewall policy's table `inet attache`, both of which must survive isolation
// and release unchanged. Not root, no `ip netns` or no nft: the tests fail with the reason, they never skip.
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AttacheError } from '../../../../common/errors.js';
import { ManualClock } from '../../../../common/testing/manual-clock.js';
import { DEFAULT_CONFIG, FIREWALL_FIELDS, settingIdOf, settingValueOf } from '../../providers/linux/nftables-model.js';
import { createLinuxFirewallProvider } from '../../providers/linux/nftables-provider.js';
import { assertNetnsHost, NetnsPool, startNodeInNetns } from '../../providers/linux/testing/netns-harness.js';
import { NetnsCommandRunner } from '../../providers/linux/testing/netns-runner.js';
import { NodeCommandRunner } from '../../system/command-runner.js';
import { NodeFileStore } from '../../system/file-store.js';
import type { HostResolver } from './endpoints.js';
import { NftablesIsolationBackend } from './linux.js';
import { IsolationController } from './responder.js';

const AGENT_TO_ENDPOINT = '10.251.0.1';
const ENDPOINT = '10.251.0.2';
const AGENT_TO_PEER = '10.251.1.1';
const PEER = '10.251.1.2';
// The same links over IPv6 (neighbour discovery must keep working for the endpoint's IPv6 address).
const AGENT_TO_ENDPOINT6 = 'fd00:251::1';
const ENDPOINT6 = 'fd00:251::2';
const AGENT_TO_PEER6 = 'fd00:252::1';
const PEER6 = 'fd00:252::2';
const BLOCKED_WAIT_MS = 1500; // how long a request may wait for an answer a drop never gives

// Answers "hello" over HTTP on every host:port it is given; prints "ready" once all listen.
const SERVER = `const http = require('node:http'); const pairs = process.argv.slice(1); let n = 0;
for (const pair of pairs) { const at = pair.lastIndexOf(':'); const [host, port] = [pair.slice(0, at), pair.slice(at + 1)];
  http.createServer((q, s) => s.end('hello')).listen(Number(port), host, () => { if (++n === pairs.length) console.log('ready'); }); }`;
// One HTTP GET: prints connected | refused | timeout | error:<code>.
const CLIENT = `const http = require('node:http'); const [host, port, ms] = process.argv.slice(1);
const done = (r) => { process.stdout.write(r); process.exit(0); };
const q = http.get({ host, port: Number(port), path: '/', timeout: Number(ms) }, (res) => { let b = '';
  res.on('data', (d) => { b += d; }); res.on('end', () => done(b === 'hello' ? 'connected' : 'unexpected')); });
q.on('timeout', () => done('timeout')); q.on('error', (e) => done(e.code === 'ECONNREFUSED' ? 'refused' : 'error:' + e.code));`;

// TCP echo on host:port; prints "ready" once listening.
const ECHO = `const net = require('node:net'); const [host, port] = process.argv.slice(1);
net.createServer((s) => s.pipe(s)).listen(Number(port), host, () => console.log('ready'));`;
// One connection kept open: "ready" after the first echo; then per stdin line, "echo" or "timeout" for one round trip.
const KEEP = `const net = require('node:net'); const [host, port, ms] = process.argv.slice(1); let timer; let first = true;
const s = net.connect({ host, port: Number(port) }, () => s.write('hi'));
s.on('data', () => { clearTimeout(timer); console.log(first ? 'ready' : 'echo'); first = false; });
s.on('error', (e) => console.log('error:' + e.code));
process.stdin.on('data', () => { s.write('ping'); timer = setTimeout(() => console.log('timeout'), Number(ms)); });`;

const pool = new NetnsPool();
const real = new NodeCommandRunner();
const servers: ChildProcess[] = [];
const ns = { agent: '', endpoint: '', peer: '' };
let agent: NetnsCommandRunner;
let stateDir: string;
let rulesetBefore: string;

// The endpoint's name as the agent's resolver knows it; anything else does not resolve.
const resolve: HostResolver = async (host) => {
  if (host === 'endpoint.test') return [ENDPOINT, ENDPOINT6];
  throw new Error('ENOTFOUND');
};
const PLAN = { mode: 'full' as const, endpointUrls: ['http://endpoint.test:8443/'] };

async function nft(args: string[]): Promise<string> {
  const result = await agent.run({ file: 'nft', args, timeoutMs: 10_000 });
  if (result.code !== 0) throw new Error(`nft ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

/** One HTTP request from namespace `from` to host:port. */
async function request(from: string, host: string, port: number): Promise<string> {
  const runner = new NetnsCommandRunner(from, real);
  const result = await runner.run({
    file: process.execPath,
    args: ['-e', CLIENT, host, String(port), String(BLOCKED_WAIT_MS)],
    timeoutMs: BLOCKED_WAIT_MS + 10_000,
  });
  if (result.code !== 0) throw new Error(`client failed: ${result.stderr}`);
  return result.stdout;
}

async function startServer(namespace: string, pairs: string[]): Promise<void> {
  servers.push(await startNodeInNetns(namespace, SERVER, pairs));
}

/** A fresh agent process's controller: nothing in memory, only isolation.json. */
function controller(): IsolationController {
  const backend = new NftablesIsolationBackend({}, { runner: agent });
  return new IsolationController({ stateDir }, { backend, files: new NodeFileStore(), resolve, clock: new ManualClock(Date.UTC(2026, 11, 5)) });
}

const reachability = async () => ({
  peerToAgent: await request(ns.peer, AGENT_TO_PEER, 7000),
  agentToPeer: await request(ns.agent, PEER, 9000),
  agentToEndpoint: await request(ns.agent, ENDPOINT, 8443),
  agentToEndpointOtherPort: await request(ns.agent, ENDPOINT, 8444),
  peerToAgent6: await request(ns.peer, AGENT_TO_PEER6, 7000),
  agentToPeer6: await request(ns.agent, PEER6, 9000),
  agentToEndpoint6: await request(ns.agent, ENDPOINT6, 8443),
  loopback: await request(ns.agent, '127.0.0.1', 7002),
});

describe('Linux isolation (nftables table inet attache_isolation) proven by traffic between namespaces', () => {
  let setupError: unknown;
  const ready = () => {
    if (setupError !== undefined) throw setupError;
  };

  beforeAll(async () => {
    try {
      await assertNetnsHost(real);
      ns.agent = await pool.create('attache-ag');
      ns.endpoint = await pool.create('attache-ep');
      ns.peer = await pool.create('attache-pe');
      await pool.link(ns.agent, `${AGENT_TO_ENDPOINT}/30`, ns.endpoint, `${ENDPOINT}/30`, 'veth0');
      await pool.link(ns.agent, `${AGENT_TO_PEER}/30`, ns.peer, `${PEER}/30`, 'veth1');
      for (const [namespace, device, address] of [
        [ns.agent, 'veth0', AGENT_TO_ENDPOINT6],
        [ns.endpoint, 'veth0', ENDPOINT6],
        [ns.agent, 'veth1', AGENT_TO_PEER6],
        [ns.peer, 'veth1', PEER6],
      ] as const) {
        const added = await real.run({ file: 'ip', args: ['-n', namespace, 'addr', 'add', `${address}/64`, 'dev', device, 'nodad'], timeoutMs: 10_000 });
        if (added.code !== 0) throw new Error(`ip addr add ${address}: ${added.stderr}`);
      }
      agent = new NetnsCommandRunner(ns.agent, real);
      stateDir = await mkdtemp(join(tmpdir(), 'attache-isolation-'));
      // The host's own table, and the firewall policy's (inbound drop except 7000, 7002, 7003): isolation leaves both alone.
      const own = 'table ip hostfw {\n  chain input {\n    type filter hook input priority 0; policy accept;\n    tcp dport 9999 drop\n  }\n}\n';
      const loaded = await agent.run({ file: 'nft', args: ['-f', '-'], stdin: own, timeoutMs: 10_000 });
      if (loaded.code !== 0) throw new Error(loaded.stderr);
      const policy = {
        ...DEFAULT_CONFIG,
        defaultInboundAction: 'drop',
        rules: [
          { name: 'web', direction: 'in', action: 'accept', protocol: 'tcp', localPorts: '7000,7002,7003' },
          { name: 'neighbour discovery', direction: 'in', action: 'accept', protocol: 'icmp' },
        ],
      };
      const results = await createLinuxFirewallProvider({ runner: agent }).apply(
        FIREWALL_FIELDS.map((f) => ({
          settingId: settingIdOf(f),
          kind: 'linuxFirewall' as const,
          from: undefined,
          to: settingValueOf(policy as typeof DEFAULT_CONFIG, f),
        })),
      );
      for (const r of results) if (!r.ok) throw new Error(`firewall policy: ${r.message}`);
      rulesetBefore = await nft(['list', 'ruleset']);
      await startServer(ns.agent, [`${AGENT_TO_PEER}:7000`, `${AGENT_TO_PEER}:7001`, '127.0.0.1:7002', `${AGENT_TO_PEER6}:7000`]);
      await startServer(ns.endpoint, [`${ENDPOINT}:8443`, `${ENDPOINT}:8444`, `${ENDPOINT6}:8443`]);
      await startServer(ns.peer, [`${PEER}:9000`, `${PEER6}:9000`]);
      servers.push(await startNodeInNetns(ns.agent, ECHO, [AGENT_TO_PEER, '7003']));
    } catch (err) {
      setupError = err;
    }
  });

  afterAll(async () => {
    for (const s of servers) s.kill('SIGKILL');
    await pool.deleteAll();
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  });

  it('before isolation the peer and the agent reach each other, and the firewall policy drops port 7001', async () => {
    ready();
    expect(await reachability()).toEqual({
      peerToAgent: 'connected',
      agentToPeer: 'connected',
      agentToEndpoint: 'connected',
      agentToEndpointOtherPort: 'connected',
      peerToAgent6: 'connected',
      agentToPeer6: 'connected',
      agentToEndpoint6: 'connected',
      loopback: 'connected',
    });
    expect(await request(ns.peer, AGENT_TO_PEER, 7001)).toBe('timeout');
  });

  it('an endpoint URL that does not resolve fails before anything changes: same ruleset, peer still reachable', async () => {
    ready();
    const failed = controller().isolate({ mode: 'full', endpointUrls: ['http://endpoint.test:8443/', 'https://nowhere.invalid/'] });
    await expect(failed).rejects.toMatchObject({ code: 'ISOLATION_ENDPOINT_UNRESOLVED', message: expect.stringContaining('nowhere.invalid') });
    await expect(failed).rejects.toBeInstanceOf(AttacheError);
    expect(await nft(['list', 'ruleset'])).toBe(rulesetBefore);
    expect(await request(ns.peer, AGENT_TO_PEER, 7000)).toBe('connected');
    await expect(stat(join(stateDir, 'isolation.json'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('selective isolation is refused on Linux and changes nothing', async () => {
    ready();
    await expect(controller().isolate({ ...PLAN, mode: 'selective' })).rejects.toMatchObject({ code: 'ACTION_UNSUPPORTED' });
    expect(await nft(['list', 'ruleset'])).toBe(rulesetBefore);
  });

  it('a connection the peer opened before isolation is cut too (its packets are neither loopback nor endpoint traffic)', async () => {
    ready();
    const open = await startNodeInNetns(ns.peer, KEEP, [AGENT_TO_PEER, '7003', String(BLOCKED_WAIT_MS)]);
    servers.push(open);
    const next = () =>
      new Promise<string>((resolveLine) => {
        open.stdout?.once('data', (d: Buffer) => resolveLine(d.toString().trim()));
        open.stdin?.write('\n');
      });
    try {
      expect(await next()).toBe('echo');
      await controller().isolate(PLAN);
      expect(await next()).toBe('timeout');
    } finally {
      await controller().release();
      open.kill('SIGKILL');
    }
  });

  it('isolated: peer blocked both ways, endpoint port reachable (only it), loopback works, other tables untouched', async () => {
    ready();
    const state = await controller().isolate(PLAN);
    expect(state).toMatchObject({
      isolated: true,
      mode: 'full',
      enforced: true,
      endpoints: [{ host: 'endpoint.test', port: 8443, addresses: [ENDPOINT, ENDPOINT6] }],
    });
    expect(await reachability()).toEqual({
      peerToAgent: 'timeout',
      agentToPeer: 'timeout',
      agentToEndpoint: 'connected',
      agentToEndpointOtherPort: 'timeout',
      peerToAgent6: 'timeout',
      agentToPeer6: 'timeout',
      agentToEndpoint6: 'connected',
      loopback: 'connected',
    });
    expect(((await stat(join(stateDir, 'isolation.json'))).mode & 0o777).toString(8)).toBe('600');
    const now = await nft(['list', 'ruleset']);
    for (const table of ['table ip hostfw', 'table inet attache ']) {
      const block = (text: string) => text.slice(text.indexOf(table), text.indexOf('\n}\n', text.indexOf(table)));
      expect(block(now), table).toBe(block(rulesetBefore));
    }
  });

  it('a table deleted behind the agent (reboot stand-in) comes back at the next start', async () => {
    ready();
    await nft(['delete', 'table', 'inet', 'attache_isolation']);
    expect(await request(ns.peer, AGENT_TO_PEER, 7000)).toBe('connected');
    expect(await controller().state()).toMatchObject({ isolated: true, enforced: false });
    expect(await controller().reapply()).toMatchObject({ isolated: true, enforced: true });
    expect(await request(ns.peer, AGENT_TO_PEER, 7000)).toBe('timeout');
    expect(await request(ns.agent, ENDPOINT, 8443)).toBe('connected');
  });

  it('release gives back exactly the ruleset from before, and traffic flows again', async () => {
    ready();
    expect(await controller().release()).toEqual({ isolated: false, endpoints: [], enforced: false });
    expect(await nft(['list', 'ruleset'])).toBe(rulesetBefore);
    expect(await reachability()).toMatchObject({ peerToAgent: 'connected', agentToPeer: 'connected', agentToEndpoint: 'connected' });
    expect(await request(ns.peer, AGENT_TO_PEER, 7001)).toBe('timeout');
    await expect(stat(join(stateDir, 'isolation.json'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
