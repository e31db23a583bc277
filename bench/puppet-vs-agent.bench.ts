// Benchmark, side by side in one run on this machine: our agent vs Debian's puppet agent (a real peer the user could
// pick instead) applying the same local change, a managed file plus a firewall rule loaded with nftables in a network
// namespace created here, and the idle resident memory of both daemons.
//  - Attaché: the real agent core (SyncEngine: fetch from a real endpoint on loopback, verify signatures, apply,
//    read back, report) with the real Linux providers: nftables (linuxFirewall, the agent's own table, in the
//    namespace) and the indicators list, the file the agent keeps for on-device detection (written atomically, 0600).
//    Timed: one sync after the admin changed both policies (a new port in the rule, a new indicator in the file).
//  - Puppet: `puppet apply` of an equivalent manifest: a `file` resource (0600) and an `exec` of `nft -f` in the
//    namespace guarded by `unless` (Puppet has no nftables type in core). Timed: the whole command, as an operator
//    or cron would run it (includes Ruby start and catalog compilation; there is no Puppet server here).
//  - Idle: `attache-agent run` (dist bundle) and `puppet agent --no-daemonize` (runinterval 30 min, no server
//    reachable), resident memory and CPU over 60 s after 20 s of settling.
// Run as root after `apt-get install -y --no-install-recommends puppet-agent`: `npm run bench:puppet`.
// Writes bench/results/puppet-vs-agent.json.
import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { enroll } from '../agent/src/enrollment/enroll.js';
import { silentLogger } from '../agent/src/logging.js';
import type { AgentHost } from '../agent/src/platform/index.js';
import { IndicatorStoreProvider } from '../agent/src/providers/indicators/indicator-store.js';
import { createLinuxFirewallProvider } from '../agent/src/providers/linux/nftables-provider.js';
import { assertNetnsHost, NetnsPool } from '../agent/src/providers/linux/testing/netns-harness.js';
import { NetnsCommandRunner } from '../agent/src/providers/linux/testing/netns-runner.js';
import { UnavailableProvider } from '../agent/src/providers/unavailable.js';
import { StateStore } from '../agent/src/state/state-store.js';
import { SyncEngine } from '../agent/src/sync/sync-engine.js';
import { NodeCommandRunner } from '../agent/src/system/command-runner.js';
import { NodeFileStore } from '../agent/src/system/file-store.js';
import { EndpointClient } from '../agent/src/transport/endpoint-client.js';
import { sleep, systemClock } from '../common/clock.js';
import { privateKeyFromPem } from '../common/signing.js';
import { POLICY_KINDS, type PolicyDocument } from '../policy-schemas/src/index.js';
import { buildAll } from '../scripts/build.js';
import { AdminApi } from '../simulator/src/endpoint/admin-api.js';
import { startManagedEndpoint } from '../simulator/src/endpoint/endpoint-process.js';
import { procUsage } from '../simulator/src/endpoint/proc-usage.js';
import { summarize } from '../simulator/src/stats.js';
import { machine, ROOT, rounded, writeResult } from './fleet-runs.js';

const { values } = parseArgs({ options: { repeats: { type: 'string', default: '10' }, 'idle-seconds': { type: 'string', default: '60' } } });
const REPEATS = Number(values.repeats);
const IDLE_SECONDS = Number(values['idle-seconds']);
const round = (v: number | undefined, d = 1) => (v === undefined ? undefined : Number(v.toFixed(d)));

function run(file: string, args: string[], options: { timeoutMs?: number } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: options.timeoutMs ?? 120_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code as number) : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const firewallPolicy = (port: number): PolicyDocument => ({
  name: 'bench firewall',
  kind: 'linuxFirewall',
  settings: {
    'linuxFirewall.defaultInboundAction': 'drop',
    'linuxFirewall.allowEstablished': true,
    'linuxFirewall.allowLoopback': true,
    'linuxFirewall.rules': [{ name: 'app', direction: 'in', action: 'accept', protocol: 'tcp', localPorts: String(port) }],
  },
});
const indicatorsPolicy = (n: number): PolicyDocument => ({
  name: 'bench indicators',
  kind: 'indicators',
  settings: { 'indicators.items': [{ type: 'ipAddress', value: `203.0.113.${n % 250}`, action: 'block', severity: 'medium' }] },
});

/** Our side: a real endpoint, an agent core with the real Linux providers in the namespace; time per sync. */
async function attacheApply(work: string, ns: string): Promise<number[]> {
  const endpoint = await startManagedEndpoint({ dataDir: join(work, 'endpoint'), build: 'dist', logFile: join(work, 'endpoint.log') });
  const admin = new AdminApi(endpoint.connection);
  try {
    const group = await admin.createGroup('all', { match: 'any', conditions: [{ attribute: 'platform', equals: 'linux' }] });
    const fw = await admin.createPolicy(firewallPolicy(8000));
    const ind = await admin.createPolicy(indicatorsPolicy(0));
    await admin.assign(fw.policyId, group.groupId);
    await admin.assign(ind.policyId, group.groupId);
    const files = new NodeFileStore();
    const host: AgentHost = {
      platform: 'linux',
      providers: [
        createLinuxFirewallProvider({ runner: new NetnsCommandRunner(ns, new NodeCommandRunner()) }),
        new IndicatorStoreProvider({ path: join(work, 'attache-managed', 'indicators.json') }, { files }),
        ...POLICY_KINDS.filter((k) => k !== 'linuxFirewall' && k !== 'indicators').map((k) => new UnavailableProvider(k, 'not in this benchmark')),
      ],
      facts: (agentVersion) => ({ hostname: 'bench-attache', platform: 'linux', osVersion: '6', arch: 'x64', agentVersion }),
    };
    await mkdir(join(work, 'attache-managed'), { recursive: true, mode: 0o700 });
    const store = new StateStore(join(work, 'attache-state'));
    const identity = await enroll({ onboardingPackage: await admin.createOnboarding({ maxUses: 1 }) }, { store, host, now: Date.now });
    const client = new EndpointClient({
      endpointUrl: identity.endpointUrl,
      caCertificate: identity.caCertificate,
      credentials: { deviceId: identity.deviceId, privateKey: privateKeyFromPem(await store.readPrivateKeyPem()) },
    });
    const engine = new SyncEngine({ store, client, host, identity, now: Date.now, newId: randomUUID, logger: silentLogger() });
    await engine.sync('startup');
    const times: number[] = [];
    for (let i = 1; i <= REPEATS; i++) {
      await admin.updatePolicy(fw.policyId, firewallPolicy(8000 + i));
      await admin.updatePolicy(ind.policyId, indicatorsPolicy(i));
      const t = performance.now();
      const outcome = await engine.sync('manual');
      times.push(performance.now() - t);
      const bad = outcome.settings.filter((s) => s.state !== 'succeeded');
      if (outcome.error || bad.length > 0) throw new Error(`attache sync did not apply: ${JSON.stringify(outcome.error ?? bad)}`);
      const listed = await run('ip', ['netns', 'exec', ns, 'nft', 'list', 'table', 'inet', 'attache']);
      if (!listed.stdout.includes(`dport ${8000 + i} accept`)) throw new Error(`attache rule for port ${8000 + i} not in the namespace`);
    }
    client.close();
    return times;
  } finally {
    admin.close();
    await endpoint.stop();
  }
}

/** Puppet's side: `puppet apply` of an equivalent manifest, one process per change. */
async function puppetApply(work: string, ns: string): Promise<{ times: number[]; version: string }> {
  const dirs = ['conf', 'var', 'log', 'run', 'code'].map((d) => join(work, 'puppet', d));
  for (const d of dirs) await mkdir(d, { recursive: true });
  const [conf, vardir, logdir, rundir, codedir] = dirs as [string, string, string, string, string];
  const base = ['--confdir', conf, '--vardir', vardir, '--logdir', logdir, '--rundir', rundir, '--codedir', codedir];
  const version = (await run('puppet', ['--version'])).stdout.trim();
  const times: number[] = [];
  for (let i = 1; i <= REPEATS; i++) {
    const rules = join(work, `rules-${i}.nft`);
    await writeFile(
      rules,
      `table inet puppet_bench\ndelete table inet puppet_bench\ntable inet puppet_bench {\n  chain input {\n    type filter hook input priority 0; policy drop;\n    ct state established,related accept\n    iif lo accept\n    tcp dport ${9000 + i} accept\n  }\n}\n`,
    );
    const manifest = join(work, `site-${i}.pp`);
    await writeFile(
      manifest,
      [
        `file { '${join(work, 'puppet-managed.json')}':`,
        `  ensure => file, mode => '0600',`,
        `  content => '{"formatVersion":1,"items":[{"type":"ipAddress","value":"203.0.113.${i % 250}","action":"block"}]}',`,
        '}',
        "exec { 'nft-rules':",
        `  command => '/usr/sbin/ip netns exec ${ns} /usr/sbin/nft -f ${rules}',`,
        `  unless  => '/usr/sbin/ip netns exec ${ns} /usr/sbin/nft list table inet puppet_bench | /bin/grep -q "dport ${9000 + i} accept"',`,
        '}',
        '',
      ].join('\n'),
    );
    const t = performance.now();
    const result = await run('puppet', ['apply', ...base, '--detailed-exitcodes', manifest]);
    times.push(performance.now() - t);
    // --detailed-exitcodes: 2 = changes applied, 0 = nothing to do; anything else failed.
    if (result.code !== 2) throw new Error(`puppet apply exited ${result.code}: ${result.stderr}${result.stdout}`);
  }
  return { times, version };
}

/** Resident memory and CPU of a running process over the idle window. */
async function idleOf(pid: number): Promise<{ rssMb?: number; cpuPercent?: number }> {
  await sleep(systemClock, 20_000);
  const before = procUsage(pid);
  await sleep(systemClock, IDLE_SECONDS * 1000);
  const after = procUsage(pid);
  if (!before || !after) return {};
  return { rssMb: round(after.rssBytes / 2 ** 20), cpuPercent: round(((after.cpuMicros - before.cpuMicros) / 1e6 / IDLE_SECONDS) * 100, 3) };
}

/** Both daemons idle at the same time: `attache-agent run` (enrolled, two policies) and `puppet agent`. */
async function idleDaemons(work: string): Promise<{ attache: object; puppet: object }> {
  const endpoint = await startManagedEndpoint({ dataDir: join(work, 'endpoint-idle'), build: 'dist', logFile: join(work, 'endpoint-idle.log') });
  const admin = new AdminApi(endpoint.connection);
  const children: ReturnType<typeof spawn>[] = [];
  try {
    const group = await admin.createGroup('all', { match: 'any', conditions: [{ attribute: 'platform', equals: 'linux' }] });
    for (const doc of [firewallPolicy(8000), indicatorsPolicy(0)]) await admin.assign((await admin.createPolicy(doc)).policyId, group.groupId);
    const pkg = join(work, 'package.json');
    await writeFile(pkg, JSON.stringify(await admin.createOnboarding({ maxUses: 1 })));
    const config = join(work, 'agent.json');
    await writeFile(config, JSON.stringify({ stateDir: join(work, 'agent-state'), logLevel: 'warn', host: { kind: 'simulated', platform: 'linux' } }));
    const agent = join(ROOT, 'dist', 'attache-agent.cjs');
    const enrolled = await run(process.execPath, [agent, '--config', config, 'enroll', '--package', pkg]);
    if (enrolled.code !== 0) throw new Error(`enroll failed: ${enrolled.stderr}`);
    const ours = spawn(process.execPath, [agent, '--config', config, 'run'], { stdio: 'ignore' });
    const puppetDirs = ['conf', 'var', 'log', 'run', 'code'].map((d) => join(work, 'puppet-agent', d));
    for (const d of puppetDirs) await mkdir(d, { recursive: true });
    const [conf, vardir, logdir, rundir, codedir] = puppetDirs as [string, string, string, string, string];
    const theirs = spawn(
      'puppet',
      ['agent', '--no-daemonize', '--confdir', conf, '--vardir', vardir, '--logdir', logdir, '--rundir', rundir, '--codedir', codedir].concat([
        '--server',
        '127.0.0.1',
        '--masterport',
        '1',
        '--runinterval',
        '1800',
        '--waitforcert',
        '1800',
        '--logdest',
        join(logdir, 'agent.log'),
      ]),
      { stdio: 'ignore' },
    );
    children.push(ours, theirs);
    const [a, p] = await Promise.all([idleOf(ours.pid ?? 0), idleOf(theirs.pid ?? 0)]);
    return {
      attache: { process: 'node dist/attache-agent.cjs run (simulated Linux host, push channel open)', ...a },
      puppet: { process: 'puppet agent --no-daemonize (no Puppet server here: started, found none, waits for its certificate; runinterval 30 min)', ...p },
    };
  } finally {
    for (const child of children) {
      if (child.exitCode !== null) continue;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    admin.close();
    await endpoint.stop();
  }
}

async function main(): Promise<void> {
  await assertNetnsHost();
  const puppetVersion = await run('puppet', ['--version']);
  if (puppetVersion.code !== 0) throw new Error('puppet is not installed: apt-get install -y --no-install-recommends puppet-agent');
  await buildAll();
  const work = await mkdtemp(join(tmpdir(), 'attache-bench-puppet-'));
  const pool = new NetnsPool();
  try {
    const ns = await pool.create('attache-pb');
    const attache = await attacheApply(work, ns);
    const puppet = await puppetApply(work, ns);
    const idle = await idleDaemons(work);
    const result = {
      benchmark: 'puppet-vs-agent',
      command: 'sudo npm run bench:puppet',
      machine: machine(),
      startedAt: new Date().toISOString(),
      change: 'one managed file (0600) and one nftables rule set with a changed port, in a fresh network namespace',
      applyMs: {
        attache: {
          how: 'agent core sync: fetch from endpoint, verify, nft -f in netns, write file, read back, report',
          ...rounded(summarize(attache)),
          samples: attache.map((v) => round(v)),
        },
        puppet: {
          how: `puppet apply ${puppet.version} (Ruby start + compile + apply)`,
          ...rounded(summarize(puppet.times)),
          samples: puppet.times.map((v) => round(v)),
        },
      },
      idle,
    };
    process.stdout.write(
      `${JSON.stringify({ attacheMedian: round(result.applyMs.attache.p50), puppetMedian: round(result.applyMs.puppet.p50), idle }, null, 2)}\n`,
    );
    process.stdout.write(`wrote ${await writeResult('puppet-vs-agent', result)}\n`);
  } finally {
    await pool.deleteAll();
    await rm(work, { recursive: true, force: true });
  }
}

await main();
