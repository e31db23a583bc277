// Windows isolation at the PowerShell boundary (this machine has no Windows): the exact process and constant script,
// the rules as data on stdin (golden), profile values saved before the first apply and restored exactly on release,
// hostile script output refused before anything changes, and the complement ranges the block rules name.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../common/testing/manual-clock.js';
import { networkContains, parseIpAddress, parseIpNetwork } from '../../core/net-address.js';
import { fullScript, POWERSHELL, powerShellCommand } from '../../providers/windows/powershell.js';
import { type CommandSpec, ScriptedCommandRunner } from '../../system/command-runner.js';
import { MemoryFileStore } from '../../system/file-store.js';
import { IsolationController } from './responder.js';
import { WindowsFirewallIsolationBackend } from './windows.js';
import { complementRanges, ISOLATION_GROUP, renderWindowsIsolationRules, type WindowsIsolationRule } from './windows-render.js';
import { ISOLATION_SCRIPT } from './windows-script.js';

const golden = (name: string) => readFileSync(new URL(`./testdata/${name}`, import.meta.url), 'utf8');
const URLS = ['https://mgmt.example/', 'https://10.251.0.2:8443/'];

/** The NetSecurity PersistentStore as far as the script touches it, answering in the script's {ok,result} envelope. */
function fakeNetSecurity(snapshotOutput = golden('windows-snapshot-output.json')) {
  const host = {
    profiles: (JSON.parse(snapshotOutput) as { result: Record<string, string> }).result,
    rules: [] as unknown[],
    inputs: [] as Record<string, unknown>[],
  };
  const isolatedProfiles = Object.fromEntries(Object.keys(host.profiles).map((k) => [k, k.endsWith('.Enabled') ? 'True' : 'Block']));
  const runner = new ScriptedCommandRunner((spec: CommandSpec) => {
    const input = JSON.parse(spec.stdin ?? 'null') as { op: string; rules?: unknown[]; saved?: Record<string, string> | null };
    host.inputs.push(input);
    if (input.op === 'snapshot') return { stdout: snapshotOutput };
    if (input.op === 'apply') {
      host.rules = [...(input.rules ?? [])];
      host.profiles = { ...isolatedProfiles };
    }
    if (input.op === 'remove') {
      host.rules = [];
      if (input.saved) host.profiles = { ...host.profiles, ...input.saved };
    }
    return { stdout: JSON.stringify({ ok: true, result: { rules: host.rules.length } }) };
  });
  return { host, runner };
}

function controllerOn(runner: ScriptedCommandRunner) {
  const backend = new WindowsFirewallIsolationBackend({ runner });
  const files = new MemoryFileStore();
  const controller = new IsolationController(
    { stateDir: 'C:\\ProgramData\\Attache' },
    { backend, files, resolve: async () => ['192.0.2.10', '2001:db8::10'], clock: new ManualClock(0) },
  );
  return { controller, files };
}

describe('Windows isolation (Windows Firewall group Attaché Isolation)', () => {
  it('runs the one constant script with fixed argv; endpoint data travels only on stdin', async () => {
    const { runner } = fakeNetSecurity();
    await controllerOn(runner).controller.isolate({ mode: 'full', endpointUrls: URLS });
    const expected = powerShellCommand(ISOLATION_SCRIPT, null);
    for (const call of runner.calls) {
      expect(call.file).toBe(POWERSHELL);
      expect(call.args).toEqual(expected.args);
      expect(call.args.join(' ')).not.toMatch(/192\.0\.2\.10|mgmt/);
    }
    const decoded = Buffer.from(expected.args.at(-1) as string, 'base64').toString('utf16le');
    expect(decoded).toBe(fullScript(ISOLATION_SCRIPT));
    expect(decoded).toContain(`$group = '${ISOLATION_GROUP}'`);
    expect(decoded).toContain("$store = 'PersistentStore'");
  });

  it('isolate: snapshot first, then the golden rules and block-by-default profiles; release restores the profiles exactly', async () => {
    const { host, runner } = fakeNetSecurity();
    const before = { ...host.profiles };
    const { controller, files } = controllerOn(runner);
    expect(await controller.isolate({ mode: 'full', endpointUrls: URLS })).toMatchObject({ isolated: true, enforced: true });
    expect(host.inputs.map((i) => i.op)).toEqual(['snapshot', 'apply', 'present']);
    expect(host.inputs[1]).toEqual(JSON.parse(golden('windows-apply-input.json')));
    expect(host.profiles['Public.DefaultOutboundAction']).toBe('Block');
    // The agent's connection to each endpoint passes under the block-by-default profile; other traffic does not.
    const applied = host.inputs[1]?.rules as WindowsIsolationRule[];
    expect(verdict(applied, { direction: 'Outbound', protocol: 'TCP', address: '192.0.2.10', port: 443 })).toBe('Allow');
    expect(verdict(applied, { direction: 'Outbound', protocol: 'TCP', address: '2001:db8::10', port: 443 })).toBe('Allow');
    expect(verdict(applied, { direction: 'Outbound', protocol: 'TCP', address: '10.251.0.2', port: 8443 })).toBe('Allow');
    expect(JSON.parse([...files.files.values()][0]?.data ?? '').saved).toEqual(before);
    expect(await controller.release()).toMatchObject({ isolated: false, enforced: false });
    expect(host.inputs.at(-2)).toEqual({ op: 'remove', saved: before });
    expect(host.profiles).toEqual(before);
    expect(host.rules).toEqual([]);
  });

  it('release with a corrupt isolation.json removes the rules and sets the documented defaults (outbound Allow)', async () => {
    const { host, runner } = fakeNetSecurity();
    const { controller, files } = controllerOn(runner);
    await controller.isolate({ mode: 'full', endpointUrls: URLS });
    const [file] = [...files.files.keys()];
    await files.writeAtomic(file as string, 'not json');
    expect(await controller.release()).toMatchObject({ isolated: false, enforced: false, notice: expect.stringContaining('DefaultOutboundAction') });
    expect(host.rules).toEqual([]);
    for (const profile of ['Domain', 'Private', 'Public']) {
      expect(host.profiles[`${profile}.DefaultOutboundAction`]).toBe('Allow');
      expect(host.profiles[`${profile}.DefaultInboundAction`]).toBe('Block');
      expect(host.profiles[`${profile}.Enabled`]).toBe('True');
    }
  });

  it('a snapshot with a value outside the allow-list fails the isolation before any rule is written', async () => {
    const hostile = golden('windows-snapshot-output.json').replace(
      '"Public.DefaultInboundAction":"Block"',
      '"Public.DefaultInboundAction":"Block; Remove-NetFirewallRule"',
    );
    const { host, runner } = fakeNetSecurity(hostile);
    const { controller, files } = controllerOn(runner);
    await expect(controller.isolate({ mode: 'full', endpointUrls: URLS })).rejects.toMatchObject({
      code: 'ISOLATION_FAILED',
      message: expect.stringContaining('Public.DefaultInboundAction'),
    });
    expect(host.inputs.map((i) => i.op)).toEqual(['snapshot']);
    expect(files.files.size).toBe(0);
  });

  it('selective is refused without running PowerShell', async () => {
    const { runner } = fakeNetSecurity();
    await expect(controllerOn(runner).controller.isolate({ mode: 'selective', endpointUrls: URLS })).rejects.toMatchObject({ code: 'ACTION_UNSUPPORTED' });
    expect(runner.calls).toEqual([]);
  });

  it('MS-FASP precedence over the rendered rules: the endpoint is allowed, everything else is blocked', () => {
    const rules = renderWindowsIsolationRules([{ url: 'https://mgmt.example/', host: 'mgmt.example', port: 443, addresses: ['192.0.2.10', '2001:db8::10'] }]);
    const out = (address: string, port: number, protocol: Packet['protocol'] = 'TCP') => verdict(rules, { direction: 'Outbound', protocol, address, port });
    expect(out('192.0.2.10', 443)).toBe('Allow');
    expect(out('2001:db8::10', 443)).toBe('Allow');
    expect(out('192.0.2.10', 80)).toBe('Block');
    expect(out('192.0.2.10', 443, 'UDP')).toBe('Block');
    expect(out('192.0.2.11', 443)).toBe('Block');
    expect(out('8.8.8.8', 53, 'UDP')).toBe('Block');
    expect(out('fe80::1', 443)).toBe('Block');
    expect(verdict(rules, { direction: 'Inbound', protocol: 'TCP', address: '198.51.100.7', port: 3389 })).toBe('Block');
    expect(rules.filter((r) => r.action === 'Allow')).toEqual([
      expect.objectContaining({ direction: 'Outbound', protocol: 'TCP', remoteAddress: ['192.0.2.10', '2001:db8::10'], remotePort: ['443'] }),
    ]);
  });

  it('complementRanges names exactly the addresses outside the given networks, per family', () => {
    expect(complementRanges(['10.0.0.5', '::1'])).toEqual([
      '0.0.0.0-10.0.0.4',
      '10.0.0.6-255.255.255.255',
      '::',
      '::2-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
    ]);
    expect(complementRanges(['0.0.0.0/0', '::/0'])).toEqual([]);
    expect(complementRanges(['0.0.0.0/1', '128.0.0.0/1', '::/1'])).toEqual(['8000::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff']);
  });
});

interface Packet {
  readonly direction: 'Inbound' | 'Outbound';
  readonly protocol: 'TCP' | 'UDP';
  readonly address: string;
  readonly port: number;
}

/** MS-FASP 2.2.34 for a new connection: a matching block rule wins, then a matching allow rule, then the profile default (Block while isolated). */
function verdict(rules: readonly WindowsIsolationRule[], packet: Packet): 'Allow' | 'Block' {
  const address = parseIpAddress(packet.address);
  const inRange = (range: string) => {
    if (range.includes('/')) return networkContains(parseIpNetwork(range), address);
    const [low, high = low] = range.split('-').map((a) => parseIpAddress(a as string));
    return !!low && !!high && low.family === address.family && low.value <= address.value && address.value <= high.value;
  };
  const matches = (r: WindowsIsolationRule) =>
    r.direction === packet.direction &&
    (r.protocol === 'Any' || r.protocol === packet.protocol) &&
    r.remoteAddress.some(inRange) &&
    r.remotePort.some((p) => p === 'Any' || Number(p) === packet.port);
  const hit = rules.filter(matches);
  if (hit.some((r) => r.action === 'Block')) return 'Block';
  return hit.some((r) => r.action === 'Allow') ? 'Allow' : 'Block';
}
