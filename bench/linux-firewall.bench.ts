// Benchmark: the real Linux firewall provider (nftables) in a fresh network namespace per repetition. Times applying
// a full policy with 200 rules and reading it back (verified equal), and removing it (verified gone), N=10.
// Run as root: `npm run bench:linux-firewall`. Writes bench/results/linux-firewall.json and prints a summary.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { valuesEqual } from '../agent/src/core/plan.js';
import {
  DEFAULT_CONFIG,
  FIREWALL_FIELDS,
  type FirewallConfig,
  type LinuxFirewallRule,
  settingIdOf,
  settingValueOf,
} from '../agent/src/providers/linux/nftables-model.js';
import { createLinuxFirewallProvider } from '../agent/src/providers/linux/nftables-provider.js';
import { assertNetnsHost, NetnsPool } from '../agent/src/providers/linux/testing/netns-harness.js';
import { NetnsCommandRunner } from '../agent/src/providers/linux/testing/netns-runner.js';
import { NodeCommandRunner } from '../agent/src/system/command-runner.js';
import type { SettingValue } from '../policy-schemas/src/index.js';
import { stats } from './stats.js';

const REPETITIONS = 10;
const RULES = 200;

/** 200 rules mixing every protocol, both directions, port lists and IPv4/IPv6 address lists. */
function rules(): LinuxFirewallRule[] {
  return Array.from({ length: RULES }, (_, i): LinuxFirewallRule => {
    const name = `rule-${i}`;
    switch (i % 4) {
      case 0:
        return {
          name,
          direction: 'in',
          action: 'accept',
          protocol: 'tcp',
          localPorts: `${1000 + i},${20000 + i}-${20010 + i}`,
          remoteAddresses: [`10.${i}.0.0/16`],
        };
      case 1:
        return {
          name,
          direction: 'out',
          action: 'drop',
          protocol: 'udp',
          remotePorts: `${3000 + i}`,
          remoteAddresses: [`192.0.2.${i % 256}`, `2001:db8:${i.toString(16)}::/48`],
        };
      case 2:
        return { name, direction: 'in', action: 'reject', protocol: 'any', localPorts: `${5000 + i}`, remoteAddresses: [`fd00:${i.toString(16)}::/32`] };
      default:
        return { name, direction: 'in', action: 'accept', protocol: 'icmp', remoteAddresses: [`198.51.100.${i % 256}`] };
    }
  });
}

const POLICY: FirewallConfig = { defaultInboundAction: 'drop', defaultOutboundAction: 'accept', allowEstablished: true, allowLoopback: true, rules: rules() };
const IDS = FIREWALL_FIELDS.map(settingIdOf);
const change = (field: (typeof FIREWALL_FIELDS)[number], to: SettingValue | undefined) => ({
  settingId: settingIdOf(field),
  kind: 'linuxFirewall' as const,
  from: undefined,
  to,
});

async function repetition(pool: NetnsPool, real: NodeCommandRunner) {
  const ns = await pool.create('attache-b');
  try {
    const provider = createLinuxFirewallProvider({ runner: new NetnsCommandRunner(ns, real) });
    await provider.probe();
    const t0 = performance.now();
    const applied = await provider.apply(FIREWALL_FIELDS.map((f) => change(f, settingValueOf(POLICY, f))));
    const t1 = performance.now();
    const seen = await provider.observe(IDS);
    if (!applied.every((r) => r.ok)) throw new Error(`apply failed: ${JSON.stringify(applied.find((r) => !r.ok))}`);
    for (const f of FIREWALL_FIELDS) if (!valuesEqual(seen.get(settingIdOf(f)), settingValueOf(POLICY, f))) throw new Error(`${f} did not read back`);
    const t2 = performance.now();
    const removed = await provider.apply(FIREWALL_FIELDS.map((f) => change(f, undefined)));
    const after = await provider.observe(IDS);
    if (!removed.every((r) => r.ok)) throw new Error('remove failed');
    for (const f of FIREWALL_FIELDS) if (!valuesEqual(after.get(settingIdOf(f)), settingValueOf(DEFAULT_CONFIG, f))) throw new Error(`${f} not restored`);
    const t4 = performance.now();
    return { applyMs: t1 - t0, readBackMs: t2 - t1, applyAndVerifyMs: t2 - t0, removeAndVerifyMs: t4 - t2 };
  } finally {
    await pool.delete(ns);
  }
}

async function main(): Promise<void> {
  const real = new NodeCommandRunner();
  await assertNetnsHost(real);
  const pool = new NetnsPool(real);
  const runs: Awaited<ReturnType<typeof repetition>>[] = [];
  try {
    for (let i = 0; i < REPETITIONS; i++) runs.push(await repetition(pool, real));
  } finally {
    await pool.deleteAll();
  }
  const nftVersion = (await real.run({ file: 'nft', args: ['--version'] })).stdout.trim();
  const metrics = ['applyAndVerifyMs', 'applyMs', 'readBackMs', 'removeAndVerifyMs'] as const;
  const result = {
    benchmark: 'linux-firewall',
    description: `apply + read back a linuxFirewall policy with ${RULES} rules (all five settings), then remove it, in a fresh network namespace`,
    repetitions: REPETITIONS,
    rules: RULES,
    at: new Date().toISOString(),
    machine: {
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      kernel: release(),
      node: process.version,
      nft: nftVersion,
    },
    results: Object.fromEntries(metrics.map((m) => [m, stats(runs.map((r) => r[m]))])),
  };
  const dir = join(import.meta.dirname, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'linux-firewall.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(`linux-firewall: ${RULES} rules, N=${REPETITIONS} (${result.machine.cpu}, ${result.machine.cores} cores, ${nftVersion})`);
  for (const m of metrics) {
    const s = result.results[m] as ReturnType<typeof stats>;
    console.log(`  ${m.padEnd(18)} median ${s.median} ms  p95 ${s.p95} ms  min ${s.min} ms  max ${s.max} ms`);
  }
}

await main();
