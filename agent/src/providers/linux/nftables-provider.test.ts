// The Linux firewall provider at its boundary: the exact nft processes it starts and the file text it sends on stdin,
// answered with output recorded from real nft (testdata/). Real nft in namespaces: nftables.contract.test.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SettingValue } from '../../../../policy-schemas/src/index.js';
import { type SettingChange, valuesEqual } from '../../core/plan.js';
import { type CommandResult, type CommandSpec, ScriptedCommandRunner } from '../../system/command-runner.js';
import { DEFAULT_CONFIG, FIREWALL_FIELDS, type FirewallConfig, type FirewallField, ruleFromNormalized, settingIdOf, settingValueOf } from './nftables-model.js';
import { parseNftJson } from './nftables-parse.js';
import { createLinuxFirewallProvider, NFT_NOT_INSTALLED } from './nftables-provider.js';
import { renderRemoval, renderTable } from './nftables-render.js';
import { FULL_CONFIG, HOSTILE } from './testing/nftables-fixtures.js';

const testdata = (name: string) => readFileSync(join(import.meta.dirname, 'testdata', name), 'utf8');
const IDS = FIREWALL_FIELDS.map(settingIdOf);
const LIST = ['-j', 'list', 'table', 'inet', 'attache'];

/** A host whose nft answers `list` with recorded output (absent table or a recorded listing) and accepts every load. */
function host(listing: string | undefined, load: Partial<CommandResult> = {}) {
  const runner = new ScriptedCommandRunner((spec: CommandSpec) => {
    if (spec.args[0] === '--version') return { stdout: 'nftables v1.0.6 (Lester Gooch #5)\n' };
    if (spec.args.join(' ') === LIST.join(' '))
      return listing === undefined ? { code: 1, stderr: testdata('nftables-absent.stderr') } : { stdout: testdata(listing) };
    if (spec.args.join(' ') === '-f -') return load;
    return { code: 2, stderr: 'unexpected command' };
  });
  const loads = () => runner.calls.filter((c) => c.args[0] === '-f');
  return { runner, provider: createLinuxFirewallProvider({ runner }), loads };
}

const set = (field: FirewallField, to: SettingValue | undefined): SettingChange => ({
  settingId: settingIdOf(field),
  kind: 'linuxFirewall',
  from: undefined,
  to,
});
const setAll = (config: FirewallConfig) => FIREWALL_FIELDS.map((f) => set(f, settingValueOf(config, f)));

describe('nftables provider: processes and file text', () => {
  it('observes with nft -j list table inet attache; an absent table reads as the defaults (the host without our table)', async () => {
    const { runner, provider } = host(undefined);
    const seen = await provider.observe(IDS);
    expect(Object.fromEntries(seen)).toEqual(Object.fromEntries(FIREWALL_FIELDS.map((f) => [settingIdOf(f), settingValueOf(DEFAULT_CONFIG, f)])));
    expect(runner.calls.map((c) => [c.file, ...c.args])).toEqual([
      ['nft', '--version'],
      ['nft', ...LIST],
    ]);
  });

  it('applies a whole configuration as one nft -f - with the rendered file on stdin', async () => {
    const { provider, loads } = host(undefined);
    expect((await provider.apply(setAll(FULL_CONFIG))).map((r) => r.ok)).toEqual(FIREWALL_FIELDS.map(() => true));
    expect(loads()).toHaveLength(1);
    expect(loads()[0]).toMatchObject({ file: 'nft', args: ['-f', '-'], stdin: testdata('nftables-full.nft') });
  });

  it('merges a partial change with what the table holds (recorded listing) and keeps the other settings', async () => {
    const { provider, loads } = host('nftables-full.json');
    expect(await provider.apply([set('defaultOutboundAction', 'drop')])).toEqual([{ settingId: 'linuxFirewall.defaultOutboundAction', ok: true }]);
    const current = parseNftJson(testdata('nftables-full.json'));
    const expected = { ...FULL_CONFIG, defaultOutboundAction: 'drop' as const, rules: current.rules.map(ruleFromNormalized) };
    expect(loads()[0]?.stdin).toBe(renderTable(expected));
  });

  it('removing every setting deletes the table, and so does setting every value to its default', async () => {
    for (const changes of [FIREWALL_FIELDS.map((f) => set(f, undefined)), setAll(DEFAULT_CONFIG)]) {
      const { provider, loads } = host('nftables-full.json');
      expect((await provider.apply(changes)).every((r) => r.ok)).toBe(true);
      expect(loads()[0]?.stdin).toBe(renderRemoval());
    }
  });

  it('reads rules back in the notation the policy used when they mean the same; a fresh provider reads canonical notation', async () => {
    const { provider } = host('nftables-full.json');
    await provider.apply(setAll(FULL_CONFIG));
    expect(valuesEqual((await provider.observe(IDS)).get('linuxFirewall.rules'), settingValueOf(FULL_CONFIG, 'rules'))).toBe(true);
    const fresh = host('nftables-full.json').provider;
    const rules = (await fresh.observe(IDS)).get('linuxFirewall.rules') as { name: string; localPorts?: string }[];
    expect(valuesEqual(rules as SettingValue, settingValueOf(FULL_CONFIG, 'rules'))).toBe(false);
    expect(rules.find((r) => r.name === 'ssh')?.localPorts).toBe('22,8000-8010,8080');
  });

  it('shows content it did not write as unrecognized rules, and drops it at the next load', async () => {
    const { provider, loads } = host('nftables-tampered.json');
    const rules = (await provider.observe(IDS)).get('linuxFirewall.rules') as Record<string, unknown>[];
    expect(rules.filter((r) => 'unrecognized' in r)).toHaveLength(4);
    expect((await provider.observe(IDS)).get('linuxFirewall.allowEstablished')).toBe('only in the input chain');
    await provider.apply([set('allowLoopback', true)]);
    const text = loads()[0]?.stdin ?? '';
    expect(text).not.toMatch(/counter|forward|bad;name|2222/);
    expect(text).toContain('ct state established,related accept comment "attache:established"');
  });
});

describe('nftables provider: failures are per-setting results', () => {
  it('nft not installed: says so after the probe, reports notApplicable and runs nothing else', async () => {
    const runner = new ScriptedCommandRunner(() => ({ code: null, spawnError: 'ENOENT: spawn nft ENOENT' }));
    const provider = createLinuxFirewallProvider({ runner });
    expect(await provider.probe()).toBe(NFT_NOT_INSTALLED);
    expect(provider.unsupportedReason('linuxFirewall.rules')).toBe('nftables (nft) is not installed');
    expect([...(await provider.observe(IDS)).values()]).toEqual(IDS.map(() => undefined));
    expect(await provider.apply([set('allowLoopback', false)])).toEqual([
      { settingId: 'linuxFirewall.allowLoopback', ok: false, code: 'SETTING_NOT_APPLICABLE', message: NFT_NOT_INSTALLED },
    ]);
    expect(runner.calls.every((c) => c.args[0] === '--version')).toBe(true);
  });

  it('probes again until nft is found, then trusts it', async () => {
    let installed = false;
    const runner = new ScriptedCommandRunner((spec) =>
      !installed
        ? { code: null, spawnError: 'ENOENT: spawn nft ENOENT' }
        : spec.args[0] === '-j'
          ? { code: 1, stderr: testdata('nftables-absent.stderr') }
          : {},
    );
    const provider = createLinuxFirewallProvider({ runner });
    expect(await provider.probe()).toBe(NFT_NOT_INSTALLED);
    installed = true;
    expect(await provider.probe()).toBeUndefined();
    expect(provider.unsupportedReason('linuxFirewall.rules')).toBeUndefined();
    await provider.observe(IDS);
    expect(runner.calls.filter((c) => c.args[0] === '--version')).toHaveLength(2);
  });

  it('a failed load fails every change of the batch with nft’s message; a bad value fails alone', async () => {
    const { provider } = host(undefined, { code: 1, stderr: 'Error: Could not process rule: Operation not permitted\n' });
    const results = await provider.apply([set('defaultInboundAction', 'drop'), set('defaultOutboundAction', 'reject')]);
    expect(results[0]).toMatchObject({ ok: false, code: 'SETTING_APPLY_FAILED', message: expect.stringMatching(/Operation not permitted/) });
    expect(results[1]).toMatchObject({ ok: false, code: 'SETTING_APPLY_FAILED', message: expect.stringMatching(/invalid/) });
  });

  it('a table it cannot read makes observe throw (a broken host) and apply fail per setting', async () => {
    const runner = new ScriptedCommandRunner((spec) => (spec.args[0] === '--version' ? {} : { code: 1, stderr: 'Error: Operation not permitted\n' }));
    const provider = createLinuxFirewallProvider({ runner });
    await expect(provider.observe(IDS)).rejects.toThrow(/cannot read the firewall table.*Operation not permitted/);
    expect(await provider.apply([set('allowLoopback', false)])).toEqual([
      { settingId: 'linuxFirewall.allowLoopback', ok: false, code: 'SETTING_APPLY_FAILED', message: expect.stringMatching(/Operation not permitted/) },
    ]);
    expect(runner.calls.some((c) => c.args[0] === '-f')).toBe(false);
  });

  it('settings of another kind are not applicable', async () => {
    const { provider, loads } = host(undefined);
    expect(provider.unsupportedReason('firewall.domainProfile.EnableFirewall')).toMatch(/not a Linux firewall setting/);
    expect(await provider.apply([{ settingId: 'firewall.domainProfile.EnableFirewall', kind: 'firewall', from: undefined, to: true }])).toEqual([
      { settingId: 'firewall.domainProfile.EnableFirewall', ok: false, code: 'SETTING_NOT_APPLICABLE', message: expect.any(String) },
    ]);
    expect(loads()).toHaveLength(0);
  });

  it.each(HOSTILE)('hostile rule name %j: that change fails, nft never sees it, the rest of the batch applies', async (name) => {
    const { provider, loads, runner } = host(undefined);
    const hostile = { name, direction: 'in', action: 'accept', protocol: 'tcp', localPorts: '22' };
    const results = await provider.apply([set('rules', [hostile]), set('defaultInboundAction', 'drop')]);
    expect(results[0]).toMatchObject({ settingId: 'linuxFirewall.rules', ok: false, code: 'SETTING_APPLY_FAILED' });
    expect(results[1]).toEqual({ settingId: 'linuxFirewall.defaultInboundAction', ok: true });
    expect(loads()).toHaveLength(1);
    expect(loads()[0]?.stdin).toBe(renderTable({ ...DEFAULT_CONFIG, defaultInboundAction: 'drop' }));
    for (const call of runner.calls) expect([...call.args, call.stdin ?? ''].join(' ')).not.toContain(name);
  });
});
