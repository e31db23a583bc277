// The risk monitor over a simulated host with a state file (signals injected by editing it, as QA does), a real
// state store in a temp dir, a manual clock, and a recorder in place of delivery.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../common/testing/manual-clock.js';
import type { AlertReport, Platform, SimulatedHostState, SyncOutcome } from '../../../policy-schemas/src/index.js';
import { DEFAULT_SIGNALS } from '../config.js';
import { SimulatedHost } from '../hosts/simulated-host.js';
import { silentLogger } from '../logging.js';
import { INDICATORS_FILE } from '../providers/indicators/indicator-store.js';
import type { SignalMessage } from '../state/state-store.js';
import { StateStore } from '../state/state-store.js';
import { NodeFileStore } from '../system/file-store.js';
import { RiskMonitor } from './risk-monitor.js';
import { createSimulatedSources } from './simulated-sources.js';

const DEVICE = '55555555-5555-4555-8555-555555555555';
const SHA = 'aa'.repeat(32);
const T0 = Date.parse('2026-12-01T00:00:00Z');

let dir: string;
let hostFile: string;
let host: SimulatedHost;
let store: StateStore;
let clock: ManualClock;
let sent: SignalMessage[];

function monitor(config = DEFAULT_SIGNALS, platform: Platform = 'linux'): RiskMonitor {
  host = new SimulatedHost({ platform, hostname: 'sim-1', stateFile: hostFile });
  const sources = createSimulatedSources({ host, files: new NodeFileStore(), indicatorsPath: join(dir, INDICATORS_FILE), agentVersion: '0.1.0' });
  let n = 0;
  return new RiskMonitor(config, {
    store,
    sources,
    delivery: { enqueue: async (m) => void sent.push(m) },
    deviceId: DEVICE,
    clock,
    newId: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
    logger: silentLogger(),
  });
}

async function editHost(change: (s: SimulatedHostState) => void): Promise<void> {
  let state: SimulatedHostState;
  try {
    state = JSON.parse(await readFile(hostFile, 'utf8'));
  } catch {
    state = { formatVersion: 1, platform: host.platform, values: {} };
  }
  change(state);
  await writeFile(hostFile, JSON.stringify(state));
}

const reports = () => sent.filter((m): m is SignalMessage & { kind: 'alerts' } => m.kind === 'alerts').map((m) => m.body as AlertReport);
const kinds = () => sent.map((m) => m.kind);
const indicators = (items: object[]) =>
  editHost((s) => {
    s.values['indicators.items'] = items as never;
  });

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'attache-risk-'));
  hostFile = join(dir, 'simulated-host.json');
  store = new StateStore(dir);
  await store.init();
  clock = new ManualClock(T0);
  sent = [];
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('risk monitor', () => {
  it('raises a high alert for a process matching an indicator, then resolves it when the process is gone', async () => {
    const m = monitor();
    await indicators([{ type: 'fileSha256', value: SHA, action: 'alert', severity: 'high', title: 'Known bad binary' }]);
    await m.check({});
    expect(reports()).toEqual([]);
    await editHost((s) => {
      s.processes = [{ pid: 4242, name: 'evil', path: '/tmp/evil', sha256: SHA }];
    });
    await m.check({});
    const [opened] = reports();
    expect(opened).toMatchObject({
      deviceId: DEVICE,
      riskLevel: 'high',
      alerts: [{ category: 'indicator', severity: 'high', title: 'Known bad binary', status: 'active' }],
    });
    expect(opened?.alerts[0]?.evidence).toMatchObject({ processPath: '/tmp/evil', sha256: SHA, pids: '4242' });
    expect(m.snapshot.riskLevel).toBe('high');

    // Still running at the next check: nothing new to report.
    await m.check({});
    expect(reports()).toHaveLength(1);

    await editHost((s) => {
      s.processes = [];
    });
    await m.check({});
    expect(reports()[1]).toMatchObject({ riskLevel: 'none', alerts: [{ alertId: opened?.alerts[0]?.alertId, status: 'resolved' }] });
  });

  it('kills a process matching a block indicator (removed from the host) and reports the action', async () => {
    const m = monitor();
    await indicators([{ type: 'processName', value: 'xmrig', action: 'block' }]);
    await editHost((s) => {
      s.processes = [
        { pid: 7, name: 'xmrig', path: '/opt/xmrig' },
        { pid: 8, name: 'sshd', path: '/usr/sbin/sshd' },
      ];
      s.connections = [{ pid: 7, remoteAddress: '198.51.100.1', remotePort: 3333 }];
    });
    await m.check({});
    const [report] = reports();
    expect(report?.alerts[0]).toMatchObject({ severity: 'high', action: { type: 'killProcess', ok: true, detail: 'simulated: process 7 stopped' } });
    const state = JSON.parse(await readFile(hostFile, 'utf8')) as SimulatedHostState;
    expect(state.processes).toEqual([{ pid: 8, name: 'sshd', path: '/usr/sbin/sshd' }]);
    expect(state.connections).toHaveLength(1);
    await m.check({});
    expect(reports()[1]).toMatchObject({ riskLevel: 'none', alerts: [{ status: 'resolved', action: { type: 'killProcess' } }] });
  });

  it.each(['linux', 'windows'] as const)("applies Defender's actions on a simulated %s host: blockAndRemediate, MD5, allowed signer", async (platform) => {
    const m = monitor(DEFAULT_SIGNALS, platform);
    const md5 = 'bb'.repeat(16);
    const thumb = 'CC'.repeat(20);
    await indicators([
      { type: 'fileMd5', value: md5, action: 'blockAndRemediate' },
      { type: 'processName', value: 'tool', action: 'audit' },
      { type: 'certificateThumbprint', value: thumb, action: 'allowed' },
    ]);
    await editHost((s) => {
      s.processes = [
        { pid: 7, name: 'miner', path: '/opt/miner', md5 },
        { pid: 8, name: 'miner-2', path: '/opt/miner' },
        { pid: 9, name: 'tool', path: '/opt/tool', signerThumbprint: thumb },
      ];
    });
    await m.check({});
    const alerts = reports()[0]?.alerts ?? [];
    const miner = 'simulated: process 7, 8 stopped; simulated: /opt/miner quarantined';
    expect(alerts.find((a) => a.evidence.indicatorType === 'fileMd5')?.action?.detail).toBe(miner);
    // Linux reads no signer, so the allow does not apply there and `tool` is audited; on Windows the allow wins (no alert).
    expect(alerts.filter((a) => a.evidence.indicatorType === 'processName').length).toBe(platform === 'linux' ? 1 : 0);
    const left = (JSON.parse(await readFile(hostFile, 'utf8')) as SimulatedHostState).processes ?? [];
    expect(left.map((p) => p.pid)).toEqual([9]);
  });

  it('drops a connection to a blocked network on the simulated host and matches IPv6 networks', async () => {
    const m = monitor();
    await indicators([
      { type: 'cidr', value: '2001:db8::/32', action: 'block', severity: 'medium' },
      { type: 'ipAddress', value: '203.0.113.7', action: 'alert', severity: 'low' },
    ]);
    await editHost((s) => {
      s.connections = [
        { pid: 9, remoteAddress: '2001:db8::1', remotePort: 443 },
        { remoteAddress: '203.0.113.7', remotePort: 80 },
      ];
    });
    await m.check({});
    const alerts = reports()[0]?.alerts ?? [];
    expect(alerts.map((a) => [a.severity, a.action?.type ?? null]).sort()).toEqual([
      ['low', null],
      ['medium', 'blockConnection'],
    ]);
    expect(reports()[0]?.riskLevel).toBe('medium');
    const state = JSON.parse(await readFile(hostFile, 'utf8')) as SimulatedHostState;
    expect(state.connections).toEqual([{ remoteAddress: '203.0.113.7', remotePort: 80 }]);
  });

  it('uploads health first and then only when it changes, raising posture alerts and AV detections', async () => {
    const m = monitor();
    await m.check({ health: true });
    expect(kinds()).toEqual(['health']);
    await m.check({ health: true });
    expect(kinds()).toEqual(['health']);
    await editHost((s) => {
      s.health = { realTimeProtection: false };
      s.detections = [{ threatId: 'eicar-1', name: 'Virus:DOS/EICAR_Test_File', severity: 'high', path: '/tmp/eicar.com' }];
    });
    await m.check({ health: true });
    expect(kinds()).toEqual(['health', 'alerts', 'health']);
    expect(
      reports()[0]
        ?.alerts.map((a) => [a.alertId, a.severity])
        .sort(),
    ).toEqual([
      ['posture.realTimeProtectionOff', 'medium'],
      ['threat.simulated.eicar-1', 'high'],
    ]);
    const last = sent.at(-1);
    expect(last?.kind === 'health' && last.body.health.antivirus.realTimeProtection).toBe(false);
  });

  it('reads health on its own cadence, and at a check-in uploads it and re-sends active alerts', async () => {
    const m = monitor({ ...DEFAULT_SIGNALS, healthCheckMs: 300_000 });
    m.start();
    await clock.advance(DEFAULT_SIGNALS.riskCheckMs);
    await m.idle();
    expect(kinds().filter((k) => k === 'health')).toHaveLength(1);
    await editHost((s) => {
      s.health = { firewallEnabled: false };
    });
    await clock.advance(DEFAULT_SIGNALS.riskCheckMs);
    await m.idle();
    expect(reports()).toHaveLength(0);
    await clock.advance(300_000);
    await m.idle();
    expect(reports()[0]?.alerts.map((a) => a.alertId)).toEqual(['posture.firewallOff']);
    const before = sent.length;
    const outcome = { trigger: 'schedule', settings: [] } as unknown as SyncOutcome;
    await m.onSync(outcome, []);
    expect(sent.slice(before).map((x) => x.kind)).toEqual(['alerts', 'health']);
    expect(
      reports()
        .at(-1)
        ?.alerts.map((a) => [a.alertId, a.status]),
    ).toEqual([['posture.firewallOff', 'active']]);
    await m.stop();
    expect(clock.pendingTimers).toBe(0);
  });

  it('turns a repaired drift from the sync engine into a tamper alert', async () => {
    const m = monitor();
    const outcome = { trigger: 'drift', settings: [{ settingId: 'mdatp.cloudService.enabled', state: 'succeeded' }] } as unknown as SyncOutcome;
    await m.onSync(outcome, [{ type: 'remediated', at: new Date(T0).toISOString(), settingId: 'mdatp.cloudService.enabled', before: false, after: true }]);
    expect(reports()[0]).toMatchObject({ riskLevel: 'medium', alerts: [{ alertId: 'posture.tamper.mdatp.cloudService.enabled', severity: 'medium' }] });
  });

  it('uploads the inventory when it changed only, also across restarts, and keeps alerts across restarts', async () => {
    const first = monitor();
    await first.collectInventory();
    await first.collectInventory();
    expect(kinds()).toEqual(['inventory']);
    await indicators([{ type: 'processName', value: 'nc', action: 'alert' }]);
    await editHost((s) => {
      s.processes = [{ pid: 3, name: 'nc', path: '/usr/bin/nc' }];
    });
    await first.check({});
    const opened = reports()[0]?.alerts[0];
    const saved = await store.readSignals();
    expect(saved).toMatchObject({ riskLevel: 'medium', inventoryHash: expect.stringMatching(/^[0-9a-f]{64}$/) });

    clock = new ManualClock(T0 + 3_600_000);
    const second = monitor();
    await second.load();
    await second.collectInventory();
    await second.check({});
    // Nothing new after the restart: same inventory, same alert, same health.
    expect(kinds()).toEqual(['inventory', 'alerts', 'health']);
    expect(second.snapshot.activeAlerts).toEqual([expect.objectContaining({ alertId: opened?.alertId, firstSeen: opened?.firstSeen })]);

    const renamed = new SimulatedHost({ platform: 'linux', hostname: 'sim-2', stateFile: hostFile });
    const third = new RiskMonitor(DEFAULT_SIGNALS, {
      store,
      sources: createSimulatedSources({ host: renamed, files: new NodeFileStore(), indicatorsPath: join(dir, INDICATORS_FILE), agentVersion: '0.1.0' }),
      delivery: { enqueue: async (msg) => void sent.push(msg) },
      deviceId: DEVICE,
      clock,
      newId: () => '00000000-0000-4000-8000-000000000099',
      logger: silentLogger(),
    });
    await third.load();
    await third.collectInventory();
    expect(kinds()).toEqual(['inventory', 'alerts', 'health', 'inventory']);
    const inv = sent.at(-1);
    expect(inv?.kind === 'inventory' && inv.body.inventory.hostname).toBe('sim-2');
  });

  it('keeps injected signals when the agent writes settings to the simulated host', async () => {
    monitor();
    await editHost((s) => {
      s.processes = [{ pid: 1, name: 'init', path: '/sbin/init' }];
      s.health = { signatureAgeHours: 500 };
    });
    await host.refresh();
    host.write('mdatp.cloudService.enabled', false);
    await host.persist();
    const state = JSON.parse(await readFile(hostFile, 'utf8')) as SimulatedHostState;
    expect(state.values['mdatp.cloudService.enabled']).toBe(false);
    expect(state.processes).toEqual([{ pid: 1, name: 'init', path: '/sbin/init' }]);
    expect(state.health).toEqual({ signatureAgeHours: 500 });
  });
});
