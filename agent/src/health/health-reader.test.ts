// Health per OS from recorded tool output (golden files of the providers), through the exact commands the agent
// runs; missing or failing tools become unknown fields with a reason, never an exception.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SimulatedHost } from '../hosts/simulated-host.js';
import { type CommandResult, type CommandSpec, ScriptedCommandRunner } from '../system/command-runner.js';
import { healthDigest } from './health-digest.js';
import { nativeHealthReader, simulatedHealthReader } from './health-reader.js';

const PROVIDERS = join(import.meta.dirname, '..', 'providers');
const golden = (path: string) => readFileSync(join(PROVIDERS, path), 'utf8');
const NOW = Date.parse('2024-12-03T08:42:00Z');

function decodedScript(spec: CommandSpec): string {
  const i = spec.args.indexOf('-EncodedCommand');
  return Buffer.from(spec.args[i + 1] ?? '', 'base64').toString('utf16le');
}

function runner(answers: Record<string, Partial<CommandResult>>): ScriptedCommandRunner {
  return new ScriptedCommandRunner((spec) => {
    if (spec.file.endsWith('powershell.exe')) {
      const script = decodedScript(spec);
      const key = script.includes('Get-MpComputerStatus') ? 'defender' : script.includes('Get-NetFirewallProfile') ? 'firewall' : 'other';
      return answers[key] ?? { code: 1 };
    }
    return answers[spec.file] ?? { spawnError: 'ENOENT: not found' };
  });
}

const psOk = (result: unknown) => ({ stdout: JSON.stringify({ ok: true, result }) });
const nftChains = (chains: object[]) => JSON.stringify({ nftables: [{ metainfo: { version: '1.0.6' } }, ...chains.map((chain) => ({ chain }))] });

describe('Linux', () => {
  it('maps a healthy mdatp and the agent table dropping input', async () => {
    const r = runner({
      '/usr/bin/mdatp': { stdout: golden('linux/testdata/mdatp-health-healthy.json') },
      nft: { stdout: nftChains([{ family: 'inet', table: 'attache', name: 'input', hook: 'input', prio: 0, policy: 'drop' }]) },
    });
    const h = await nativeHealthReader('linux', { runner: r, now: () => NOW }).read();
    expect(h.antivirus).toMatchObject({
      source: 'mdatp',
      mode: 'active',
      realTimeProtection: true,
      engineVersion: '1.1.24090.11',
      signatureVersion: '1.421.1408.0',
      signatureAgeHours: 0.7,
    });
    expect(h.antivirus.signatureUpdatedAt).toBe(new Date(1733212800000).toISOString());
    expect(h.firewall).toEqual({ source: 'nftables', enabled: true, detail: 'table inet attache, input policy drop' });
    expect(r.calls.map((c) => [c.file, ...c.args])).toEqual([
      ['/usr/bin/mdatp', 'health', '--output', 'json'],
      ['nft', '-j', 'list', 'chains'],
    ]);
  });

  it('maps an unhealthy passive mdatp, and reads firewall state from other tables honestly', async () => {
    const h = await nativeHealthReader('linux', {
      runner: runner({
        '/usr/bin/mdatp': { stdout: golden('linux/testdata/mdatp-health-unhealthy.json') },
        nft: { stdout: nftChains([{ family: 'inet', table: 'firewalld', name: 'filter_INPUT', hook: 'input', policy: 'accept' }]) },
      }),
      now: () => NOW,
    }).read();
    expect(h.antivirus).toMatchObject({ source: 'mdatp', mode: 'passive', realTimeProtection: false });
    expect(h.antivirus.detail).toContain('missing license');
    expect(h.firewall).toMatchObject({ source: 'nftables', enabled: null });
    const dropping = await nativeHealthReader('linux', {
      runner: runner({ nft: { stdout: nftChains([{ family: 'ip', table: 'filter', name: 'INPUT', hook: 'input', policy: 'drop' }]) } }),
      now: () => NOW,
    }).read();
    expect(dropping.firewall.enabled).toBe(true);
    const none = await nativeHealthReader('linux', { runner: runner({ nft: { stdout: nftChains([]) } }), now: () => NOW }).read();
    expect(none.firewall.enabled).toBe(false);
  });

  it('says why when mdatp and nft are missing or fail', async () => {
    const h = await nativeHealthReader('linux', { runner: runner({}), now: () => NOW }).read();
    expect(h.antivirus).toEqual({
      source: 'none',
      mode: 'unknown',
      realTimeProtection: null,
      tamperProtection: null,
      detail: expect.stringContaining('not installed'),
    });
    expect(h.firewall).toEqual({ source: 'nftables', enabled: null, detail: 'nftables (nft) is not installed' });
    const failing = await nativeHealthReader('linux', {
      runner: runner({ '/usr/bin/mdatp': { code: 1, stderr: 'daemon not running' }, nft: { code: 1, stderr: 'Operation not permitted' } }),
      now: () => NOW,
    }).read();
    expect(failing.antivirus).toMatchObject({ source: 'mdatp', mode: 'unknown', detail: expect.stringContaining('daemon not running') });
    expect(failing.firewall.detail).toContain('Operation not permitted');
  });
});

describe('macOS', () => {
  it('maps wdav health and the application firewall global state', async () => {
    const h = await nativeHealthReader('macos', {
      runner: runner({
        '/usr/local/bin/mdatp': { stdout: golden('macos/testdata/wdav-health-healthy.json') },
        '/usr/libexec/ApplicationFirewall/socketfilterfw': { stdout: golden('macos/testdata/socketfilterfw-getglobalstate-essential.txt') },
      }),
      now: () => NOW,
    }).read();
    expect(h.antivirus.source).toBe('mdatp');
    expect(h.firewall).toEqual({ source: 'socketfilterfw', enabled: true });
    const off = await nativeHealthReader('macos', {
      runner: runner({ '/usr/libexec/ApplicationFirewall/socketfilterfw': { stdout: golden('macos/testdata/socketfilterfw-getglobalstate-disabled.txt') } }),
      now: () => NOW,
    }).read();
    expect(off.firewall.enabled).toBe(false);
  });
});

describe('Windows', () => {
  it('maps Get-MpComputerStatus and Get-NetFirewallProfile (one profile off = firewall off)', async () => {
    const status = JSON.parse(golden('windows/testdata/defender-mpcomputerstatus.json').replace(/^\uFEFF/, ''));
    const profiles = golden('windows/testdata/firewall-get-netfirewallprofile-activestore.json');
    const h = await nativeHealthReader('windows', {
      runner: runner({ defender: psOk(status), firewall: psOk(JSON.parse(profiles.replace(/^\uFEFF/, ''))) }),
      now: () => 1730282466000 + 5 * 3_600_000,
    }).read();
    expect(h.antivirus).toMatchObject({
      source: 'defender',
      mode: 'active',
      realTimeProtection: true,
      tamperProtection: true,
      platformVersion: '4.18.24090.11',
      signatureVersion: '1.421.164.0',
      signatureAgeHours: 5,
      lastQuickScanAt: new Date(1730197385000).toISOString(),
    });
    expect(h.antivirus.lastFullScanAt).toBeUndefined();
    expect(h.firewall).toEqual({ source: 'windowsFirewall', enabled: false, profiles: { Domain: true, Private: true, Public: false } });
  });

  it('maps passive mode and reports a failing script as unknown', async () => {
    const passive = JSON.parse(golden('windows/testdata/defender-mpcomputerstatus-passive.json').replace(/^\uFEFF/, ''));
    const h = await nativeHealthReader('windows', { runner: runner({ defender: psOk(passive) }), now: () => NOW }).read();
    expect(h.antivirus).toMatchObject({ mode: 'passive', realTimeProtection: false, tamperProtection: false });
    expect(h.firewall).toMatchObject({ source: 'windowsFirewall', enabled: null });
  });
});

describe('simulated host and change digest', () => {
  it('is healthy by default and follows the injected overrides', async () => {
    const host = new SimulatedHost({ platform: 'windows', hostname: 'sim' });
    const reader = simulatedHealthReader(host);
    const healthy = await reader.read();
    expect(healthy.antivirus).toMatchObject({ source: 'simulated', mode: 'active', realTimeProtection: true, signatureAgeHours: 2 });
    expect(healthy.firewall).toEqual({ source: 'simulated', enabled: true, profiles: { Domain: true, Private: true, Public: true } });
    host.setRiskSignals({ health: { realTimeProtection: false, firewallEnabled: false, signatureAgeHours: 300 } });
    const sick = await reader.read();
    expect(sick.antivirus).toMatchObject({ realTimeProtection: false, signatureAgeHours: 300 });
    expect(sick.firewall.enabled).toBe(false);
    host.setRiskSignals({ health: { antivirusMode: 'off' } });
    expect((await reader.read()).antivirus).toMatchObject({ mode: 'off', realTimeProtection: false });
  });

  it('follows AllowRealtimeMonitoring in effect on Windows, a Group Policy value included', async () => {
    const host = new SimulatedHost({ platform: 'windows', hostname: 'sim' });
    const reader = simulatedHealthReader(host);
    host.setGroupPolicy('defender.AllowRealtimeMonitoring', { value: 0, source: "Group Policy 'Simulated GPO'" });
    expect((await reader.read()).antivirus.realTimeProtection).toBe(false);
    host.setGroupPolicy('defender.AllowRealtimeMonitoring', undefined);
    expect((await reader.read()).antivirus.realTimeProtection).toBe(true);
    host.tamper('defender.AllowRealtimeMonitoring', 0);
    expect((await reader.read()).antivirus.realTimeProtection).toBe(false);
    host.setRiskSignals({ health: { realTimeProtection: true } }); // an injected health value wins
    expect((await reader.read()).antivirus.realTimeProtection).toBe(true);
  });

  it('changes with what matters only: signature age counts when it crosses the threshold', async () => {
    const host = new SimulatedHost({ platform: 'linux', hostname: 'sim' });
    const reader = simulatedHealthReader(host);
    const at = async (age: number) => {
      host.setRiskSignals({ health: { signatureAgeHours: age } });
      return healthDigest(await reader.read(), 168);
    };
    expect(await at(2)).toBe(await at(100));
    expect(await at(169)).not.toBe(await at(100));
    host.setRiskSignals({ health: { firewallEnabled: false } });
    expect(healthDigest(await reader.read(), 168)).not.toBe(await at(2));
  });
});
