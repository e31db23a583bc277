// Linux firewall enforcement proven with real traffic: two network namespaces created here, joined by a veth pair
// addressed only inside them (10.250.0.1/30 ↔ 10.250.0.2/30), a TCP server in B, connections from A with a bounded
// timeout. Each policy is applied by the real provider through `ip netns exec`; removing it must give back the exact
// ruleset the namespace had. Not root, no `ip netns` or no nft: the tests fail with the reason, they never skip.
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { valuesEqual } from '../../core/plan.js';
import { NodeCommandRunner } from '../../system/command-runner.js';
import type { SettingsProvider } from '../provider.js';
import { DEFAULT_CONFIG, FIREWALL_FIELDS, type FirewallConfig, type LinuxFirewallRule, settingIdOf, settingValueOf } from './nftables-model.js';
import { createLinuxFirewallProvider } from './nftables-provider.js';
import { assertNetnsHost, NetnsPool, startNodeInNetns } from './testing/netns-harness.js';
import { NetnsCommandRunner } from './testing/netns-runner.js';

const A_ADDRESS = '10.250.0.1';
const B_ADDRESS = '10.250.0.2';
const BLOCKED_WAIT_MS = 1500; // how long a connection attempt may wait for an answer a drop never gives

// Answers "hello" on every port it is given, then closes; prints "ready" once all ports listen.
const SERVER = `const net = require('node:net'); const [host, ...ports] = process.argv.slice(1); let n = 0;
for (const port of ports) net.createServer((s) => s.end('hello\\n')).listen(Number(port), host, () => { if (++n === ports.length) console.log('ready'); });`;
// One connection attempt: prints connected | refused | timeout | error:<code>.
const CLIENT = `const net = require('node:net'); const [host, port, ms] = process.argv.slice(1);
const s = net.connect({ host, port: Number(port) }); const done = (r) => { process.stdout.write(r); s.destroy(); process.exit(0); };
s.setTimeout(Number(ms), () => done('timeout')); s.on('data', (d) => done(String(d).trim() === 'hello' ? 'connected' : 'unexpected'));
s.on('error', (e) => done(e.code === 'ECONNREFUSED' ? 'refused' : 'error:' + e.code));`;

const pool = new NetnsPool();
const real = new NodeCommandRunner();
let a: NetnsCommandRunner;
let b: NetnsCommandRunner;
let server: ChildProcess | undefined;
let rulesetBefore: { a: string; b: string };

async function nft(runner: NetnsCommandRunner, args: string[], stdin?: string): Promise<string> {
  const result = await runner.run({ file: 'nft', args, timeoutMs: 10_000, ...(stdin === undefined ? {} : { stdin }) });
  if (result.code !== 0) throw new Error(`nft ${args.join(' ')} in ${runner.namespace}: ${result.stderr}`);
  return result.stdout;
}

/** One TCP connection attempt from A to B. */
async function connect(port: number): Promise<string> {
  const result = await a.run({
    file: process.execPath,
    args: ['-e', CLIENT, B_ADDRESS, String(port), String(BLOCKED_WAIT_MS)],
    timeoutMs: BLOCKED_WAIT_MS + 10_000,
  });
  if (result.code !== 0) throw new Error(`client failed: ${result.stderr}`);
  return result.stdout;
}

/** Applies the whole configuration (every setting) and checks the provider reads exactly it back. */
async function enforce(provider: SettingsProvider, config: Partial<FirewallConfig> | undefined): Promise<void> {
  const changes = FIREWALL_FIELDS.map((f) => ({
    settingId: settingIdOf(f),
    kind: 'linuxFirewall' as const,
    from: undefined,
    to: config === undefined ? undefined : settingValueOf({ ...DEFAULT_CONFIG, ...config }, f),
  }));
  const results = await provider.apply(changes);
  for (const r of results) expect(r, r.settingId).toMatchObject({ ok: true });
  const seen = await provider.observe(changes.map((c) => c.settingId));
  for (const [i, f] of FIREWALL_FIELDS.entries())
    expect(valuesEqual(seen.get(settingIdOf(f)), changes[i]?.to ?? settingValueOf(DEFAULT_CONFIG, f)), `${f} read back`).toBe(true);
}

function web(extra: Partial<LinuxFirewallRule> = {}): LinuxFirewallRule {
  return { name: 'web', direction: 'in', action: 'accept', protocol: 'tcp', localPorts: '8080', ...extra };
}

function startServer(ns: string): Promise<ChildProcess> {
  return startNodeInNetns(ns, SERVER, [B_ADDRESS, '8080', '8081']);
}

describe('linux firewall (nftables) enforced on real connections between two namespaces', () => {
  let providerA: SettingsProvider;
  let providerB: SettingsProvider;
  let setupError: unknown;
  // A host that cannot run the test makes every test fail with the reason (vitest would only mark them skipped).
  const ready = () => {
    if (setupError !== undefined) throw setupError;
  };

  beforeAll(async () => {
    try {
      await setUp();
    } catch (err) {
      setupError = err;
    }
  });

  async function setUp(): Promise<void> {
    await assertNetnsHost(real);
    const nsA = await pool.create('attache-a');
    const nsB = await pool.create('attache-b');
    await pool.link(nsA, `${A_ADDRESS}/30`, nsB, `${B_ADDRESS}/30`);
    a = new NetnsCommandRunner(nsA, real);
    b = new NetnsCommandRunner(nsB, real);
    // B already has a firewall of its own; the agent must never touch it.
    await nft(b, ['-f', '-'], 'table inet filter {\n  chain input {\n    type filter hook input priority 0; policy accept;\n    tcp dport 9999 drop\n  }\n}\n');
    rulesetBefore = { a: await nft(a, ['list', 'ruleset']), b: await nft(b, ['list', 'ruleset']) };
    server = await startServer(nsB);
    providerA = createLinuxFirewallProvider({ runner: a });
    providerB = createLinuxFirewallProvider({ runner: b });
  }

  afterAll(async () => {
    server?.kill('SIGKILL');
    await pool.deleteAll();
  });

  it('without a policy, A reaches B on both ports', async () => {
    ready();
    expect(await connect(8080)).toBe('connected');
    expect(await connect(8081)).toBe('connected');
  });

  it('default inbound drop blocks', async () => {
    ready();
    await enforce(providerB, { defaultInboundAction: 'drop' });
    expect(await connect(8080)).toBe('timeout');
  });

  it('a named accept rule for the port allows it, and only it', async () => {
    ready();
    await enforce(providerB, { defaultInboundAction: 'drop', rules: [web()] });
    expect(await connect(8080)).toBe('connected');
    expect(await connect(8081)).toBe('timeout');
  });

  it('a rule limited to another remote address does not allow; one naming A (mixed IPv4/IPv6 list) does', async () => {
    ready();
    await enforce(providerB, { defaultInboundAction: 'drop', rules: [web({ remoteAddresses: ['10.250.0.5', 'fd00::5'] })] });
    expect(await connect(8080)).toBe('timeout');
    await enforce(providerB, { defaultInboundAction: 'drop', rules: [web({ remoteAddresses: ['fd00::1', `${A_ADDRESS}/32`] })] });
    expect(await connect(8080)).toBe('connected');
  });

  it('reject gives an immediate refusal, not a timeout', async () => {
    ready();
    await enforce(providerB, { rules: [web({ name: 'refuse web', action: 'reject' })] });
    expect(await connect(8080)).toBe('refused');
    expect(await connect(8081)).toBe('connected');
  });

  it('outbound drop in A blocks; a named outbound rule lets one port out; removing A’s policy restores its ruleset', async () => {
    ready();
    await enforce(providerB, { defaultInboundAction: 'drop', rules: [web()] });
    await enforce(providerA, { defaultOutboundAction: 'drop' });
    expect(await connect(8080)).toBe('timeout');
    await enforce(providerA, {
      defaultOutboundAction: 'drop',
      rules: [{ name: 'to b', direction: 'out', action: 'accept', protocol: 'tcp', remotePorts: '8080' }],
    });
    expect(await connect(8080)).toBe('connected');
    await enforce(providerA, undefined);
    expect(await nft(a, ['list', 'ruleset'])).toBe(rulesetBefore.a);
  });

  it('removing the policy returns B’s ruleset to exactly what it was, and traffic flows again', async () => {
    ready();
    expect(await nft(b, ['list', 'ruleset'])).not.toBe(rulesetBefore.b);
    await enforce(providerB, undefined);
    expect(await nft(b, ['list', 'ruleset'])).toBe(rulesetBefore.b);
    expect(await connect(8080)).toBe('connected');
    expect(await connect(8081)).toBe('connected');
  });
});
