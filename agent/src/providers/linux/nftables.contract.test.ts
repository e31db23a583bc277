// The real Linux firewall provider against real nftables, each test in a network namespace it creates and deletes:
// the provider contract, other tables left byte-identical, and the golden files in testdata/ checked against what
// this machine's nft prints (ATTACHE_RECORD_NFT=1 re-records them). Not root, no `ip netns` or no nft: the tests fail.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NodeCommandRunner } from '../../system/command-runner.js';
import { MemoryFileStore } from '../../system/file-store.js';
import { describeProviderContract } from '../testing/contract-suite.js';
import { FIREWALL_FIELDS, settingIdOf, settingValueOf } from './nftables-model.js';
import { createLinuxFirewallProvider } from './nftables-provider.js';
import { renderTable } from './nftables-render.js';
import { assertNetnsHost, NetnsPool } from './testing/netns-harness.js';
import { NetnsCommandRunner } from './testing/netns-runner.js';
import { FULL_CONFIG, GOLDEN } from './testing/nftables-fixtures.js';

const TESTDATA = join(import.meta.dirname, 'testdata');
const pool = new NetnsPool();
afterAll(() => pool.deleteAll());

async function namespace(prefix: string): Promise<NetnsCommandRunner> {
  await assertNetnsHost();
  return new NetnsCommandRunner(await pool.create(prefix), new NodeCommandRunner());
}

async function nft(runner: NetnsCommandRunner, args: string[], stdin?: string): Promise<string> {
  const result = await runner.run({ file: 'nft', args, timeoutMs: 10_000, ...(stdin === undefined ? {} : { stdin }) });
  if (result.code !== 0) throw new Error(`nft ${args.join(' ')} in ${runner.namespace}: ${result.stderr}`);
  return result.stdout;
}

describe('linux firewall test host', () => {
  it('runs as root with iproute2 (ip netns) and nftables (nft)', async () => {
    await assertNetnsHost();
  });
});

describeProviderContract({
  name: 'linux nftables (netns)',
  kind: 'linuxFirewall',
  platform: 'linux',
  create: async () => {
    const runner = await namespace('attache-c');
    return { provider: createLinuxFirewallProvider({ runner }), cleanup: () => pool.delete(runner.namespace) };
  },
});

describe('linux firewall: other tables', () => {
  it('leaves a pre-existing table inet filter (and ip nat) byte-identical while applying and after removing', async () => {
    const runner = await namespace('attache-o');
    try {
      await nft(
        runner,
        ['-f', '-'],
        [
          'table inet filter {',
          '  chain input { type filter hook input priority 0; policy accept; tcp dport 9999 drop; ip saddr 192.0.2.0/24 counter reject; }',
          '  chain output { type filter hook output priority 0; policy accept; udp dport 9 drop comment "keep me"; }',
          '}',
          'table ip nat {',
          '  chain post {',
          '    type nat hook postrouting priority srcnat; policy accept;',
          '    oifname "veth9" masquerade',
          '  }',
          '}',
          '',
        ].join('\n'),
      );
      const before = await nft(runner, ['list', 'ruleset']);
      const filterBefore = await nft(runner, ['list', 'table', 'inet', 'filter']);
      const provider = createLinuxFirewallProvider({ runner });
      const set = FIREWALL_FIELDS.map((f) => ({
        settingId: settingIdOf(f),
        kind: 'linuxFirewall' as const,
        from: undefined,
        to: settingValueOf(FULL_CONFIG, f),
      }));
      expect((await provider.apply(set)).every((r) => r.ok)).toBe(true);
      expect(await nft(runner, ['list', 'table', 'inet', 'filter'])).toBe(filterBefore);
      expect(await nft(runner, ['list', 'ruleset'])).toContain('table inet attache');
      const unset = set.map((c) => ({ ...c, to: undefined }));
      expect((await provider.apply(unset)).every((r) => r.ok)).toBe(true);
      expect(await nft(runner, ['list', 'ruleset'])).toBe(before);
    } finally {
      await pool.delete(runner.namespace);
    }
  });
});

describe('linux firewall: rule names are data', () => {
  it('a name that reads like nft syntax stays inside its comment in real nft and reads back unchanged', async () => {
    const runner = await namespace('attache-n');
    try {
      const provider = createLinuxFirewallProvider({ runner });
      const rules = [{ name: 'flush ruleset. delete table inet filter', direction: 'in', action: 'drop', protocol: 'udp', localPorts: '9' }];
      const change = { settingId: 'linuxFirewall.rules', kind: 'linuxFirewall' as const, from: undefined, to: rules };
      expect(await provider.apply([change])).toEqual([{ settingId: 'linuxFirewall.rules', ok: true }]);
      expect((await provider.observe(['linuxFirewall.rules'])).get('linuxFirewall.rules')).toEqual(rules);
      const listed = await nft(runner, ['list', 'ruleset']);
      expect(listed).toContain('udp dport 9 drop comment "flush ruleset. delete table inet filter"');
      expect(listed.match(/^\s*(udp|tcp|meta|ip|ct|iif|oif)\b/gm)).toHaveLength(5); // 2 + 2 built-ins, 1 rule
    } finally {
      await pool.delete(runner.namespace);
    }
  });
});

/** nft's JSON without what differs between runs: handles and the version banner. */
function stable(json: string): unknown {
  const doc = JSON.parse(json, (key, value) => (key === 'handle' ? undefined : value)) as { nftables: Record<string, unknown>[] };
  return doc.nftables.filter((e) => !('metainfo' in e));
}

describe('linux firewall golden files (testdata/nftables-*)', () => {
  for (const [name, { config }] of Object.entries(GOLDEN)) {
    it(`${name}: nftables-${name}.json is what nft lists after loading nftables-${name}.nft`, async () => {
      const text = readFileSync(join(TESTDATA, `nftables-${name}.nft`), 'utf8');
      if (config) expect(text).toBe(renderTable(config));
      const runner = await namespace('attache-g');
      try {
        await nft(runner, ['-f', '-'], text);
        const listed = await nft(runner, ['-j', 'list', 'table', 'inet', 'attache']);
        const file = join(TESTDATA, `nftables-${name}.json`);
        if (process.env.ATTACHE_RECORD_NFT === '1') writeFileSync(file, `${JSON.stringify(JSON.parse(listed), null, 2)}\n`);
        expect(stable(listed)).toEqual(stable(readFileSync(file, 'utf8')));
      } finally {
        await pool.delete(runner.namespace);
      }
    });
  }

  it('absent: nftables-absent.stderr is what nft says when the table does not exist', async () => {
    const runner = await namespace('attache-g');
    try {
      const result = await runner.run({ file: 'nft', args: ['-j', 'list', 'table', 'inet', 'attache'], timeoutMs: 10_000 });
      const file = join(TESTDATA, 'nftables-absent.stderr');
      if (process.env.ATTACHE_RECORD_NFT === '1') writeFileSync(file, result.stderr);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(readFileSync(file, 'utf8'));
    } finally {
      await pool.delete(runner.namespace);
    }
  });
});

describe('linux firewall: rule notation across restarts', () => {
  it('reads rules back in the notation the policy used, also in a new provider instance (agent restart)', async () => {
    const runner = await namespace('attache-n');
    try {
      const notation = { files: new MemoryFileStore(), path: '/state/nftables-notation.json' };
      const rule = { name: 'web', direction: 'in', action: 'accept', protocol: 'tcp', localPorts: '8080,22' };
      const first = createLinuxFirewallProvider({ runner }, { notation });
      expect(await first.apply([{ settingId: 'linuxFirewall.rules', kind: 'linuxFirewall', from: undefined, to: [rule] }])).toEqual([
        { settingId: 'linuxFirewall.rules', ok: true },
      ]);
      const restarted = createLinuxFirewallProvider({ runner }, { notation });
      expect((await restarted.observe(['linuxFirewall.rules'])).get('linuxFirewall.rules')).toEqual([rule]);
      const forgetful = createLinuxFirewallProvider({ runner });
      expect((await forgetful.observe(['linuxFirewall.rules'])).get('linuxFirewall.rules')).toEqual([{ ...rule, localPorts: '22,8080' }]);
    } finally {
      await pool.delete(runner.namespace);
    }
  });
});
