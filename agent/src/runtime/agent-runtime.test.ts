// The shared agent runtime on a manual clock: startup sync, jittered check-in, debounced change watch → one drift check,
// retry after an unreachable endpoint, risk check on an injected detection, a stop that leaves no timer behind, and
// the same seed giving the same timeline. The endpoint is a tiny in-test policy source (signed with a key made here).

import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { canonicalJson } from '../../../common/canonical-json.js';
import { AttacheError } from '../../../common/errors.js';
import { generateEd25519KeyPair, keyIdOf, privateKeyFromPem, signBytes } from '../../../common/signing.js';
import { ManualClock } from '../../../common/testing/manual-clock.js';
import type {
  ActionUpdate,
  ActionUpdatesRequest,
  AgentIdentity,
  AlertReport,
  PolicyPayload,
  SignedAction,
  SignedPolicy,
  SoftwareUpload,
  StatusReport,
  SyncTrigger,
} from '../../../policy-schemas/src/index.js';
import { signedAction } from '../actions/executor/testing/signed-action.js';
import { DEFAULT_SIGNALS } from '../config.js';
import { nextCheckinDelayMs } from '../core/schedule.js';
import { type SharedSoftware, SimulatedSoftware } from '../hosts/simulated-software.js';
import { SimulatedSoftwareCollector } from '../inventory/software/simulated.js';
import { silentLogger } from '../logging.js';
import { selectHost } from '../platform/index.js';
import { createSimulatedSources } from '../risk/simulated-sources.js';
import { StateStore } from '../state/state-store.js';
import { signedSetResponse } from '../sync/testing/signed-set.js';
import { MemoryFileStore } from '../system/file-store.js';
import { EndpointUrls } from '../transport/endpoint-urls.js';
import { AgentRuntime, RISK_SETTLE_MS, WATCH_SETTLE_MS } from './agent-runtime.js';

const TENANT = '11111111-1111-4111-8111-111111111111';
const DEVICE = '55555555-5555-4555-8555-555555555555';
const PID = '22222222-2222-4222-8222-222222222222';
const NP = 'mdatp.networkProtection.enforcementLevel';
const keys = generateEd25519KeyPair();
const identity: AgentIdentity = {
  formatVersion: 1,
  deviceId: DEVICE,
  tenantId: TENANT,
  // Nothing listens on port 9 of loopback: the push channel's attempts fail fast and retry on the manual clock.
  endpointUrl: 'https://127.0.0.1:9',
  caCertificate: 'unused',
  policySigningKey: { keyId: keyIdOf(keys.publicKey), publicKey: keys.publicKey },
  publicKey: keys.publicKey,
  enrolledAt: '2026-11-22T00:00:00.000Z',
};
const policy: SignedPolicy = (() => {
  const payload: PolicyPayload = {
    policyId: PID,
    version: 1,
    tenantId: TENANT,
    name: 'AV',
    kind: 'antivirus',
    settings: { [NP]: 'block' },
    createdAt: '2026-11-22T00:00:00.000Z',
  };
  return { payload, keyId: keyIdOf(keys.publicKey), signature: signBytes(privateKeyFromPem(keys.privateKeyPem), canonicalJson(payload)) };
})();
const HOUR = 3_600_000;

function fixture(
  options: { seed?: number; signals?: boolean; startupPushWaitMs?: number; pushUrl?: string; actions?: SignedAction[]; software?: SharedSoftware } = {},
) {
  const clock = new ManualClock(Date.parse('2026-12-01T00:00:00Z'), { seed: options.seed ?? 7 });
  // Without a responder (unless the test lists software): every delivered action fails ACTION_UNSUPPORTED.
  const { responder, ...rest } = selectHost({ kind: 'simulated', platform: 'linux', hostname: 'sim' });
  const host = options.software ? { ...rest, responder } : rest;
  const uploads: SoftwareUpload[] = [];
  const softwareRuns: string[] = [];
  if (options.software && rest.simulated) rest.simulated.software = new SimulatedSoftware(options.software);
  const store = new StateStore('/state', { posixPermissions: false, files: new MemoryFileStore() });
  const syncs: { at: number; trigger: SyncTrigger }[] = [];
  const reports: StatusReport[] = [];
  const alerts: AlertReport[] = [];
  const updates: ActionUpdate[] = [];
  // refuseReports: every report is answered with this error (a busy endpoint), reportAttempts counts them all.
  const endpoint: { down: boolean; fetches: number; refuseReports: AttacheError | undefined; reportAttempts: number } = {
    down: false,
    fetches: 0,
    refuseReports: undefined,
    reportAttempts: 0,
  };
  const client = {
    getPolicies: async () => {
      endpoint.fetches++;
      if (endpoint.down) throw new AttacheError('ENDPOINT_UNREACHABLE', 'connection refused (test)');
      const set = signedSetResponse(identity, 1, [policy], keys.privateKeyPem);
      return { notModified: false as const, body: options.actions ? { ...set, actions: options.actions } : set };
    },
    postReport: async (r: StatusReport) => {
      endpoint.reportAttempts++;
      if (endpoint.refuseReports) throw endpoint.refuseReports;
      reports.push(r);
      return { reportId: r.reportId, duplicate: false, stale: false };
    },
    postAlerts: async (r: AlertReport) => {
      alerts.push(r);
      return { reportId: r.reportId, duplicate: false, stale: false, riskLevel: r.riskLevel };
    },
    postHealth: async () => undefined,
    postInventory: async () => undefined,
    postSoftware: async (upload: SoftwareUpload) => {
      uploads.push(upload);
      return { digest: upload.inventory.digest, stored: true };
    },
    postActionUpdates: async (body: ActionUpdatesRequest) => {
      updates.push(...body.updates);
      return { acks: body.updates.map((u) => ({ actionId: u.actionId, sequence: u.sequence, status: u.status })) };
    },
  };
  const urls = new EndpointUrls({ urls: [options.pushUrl ?? identity.endpointUrl] }, { clock });
  const pushSigner = { urls, signedHeaders: () => ({}), tls: { ca: [] } } as never;
  let n = 0;
  const simulated = host.simulated;
  if (!simulated) throw new Error('expected a simulated host');
  const runtime = new AgentRuntime(
    {
      checkinIntervalMinutes: 90,
      checkinJitterPercent: 10,
      driftWatch: true,
      ...(options.signals ? { signals: DEFAULT_SIGNALS } : {}),
      ...(options.startupPushWaitMs ? { startupPushWaitMs: options.startupPushWaitMs } : {}),
      software: { intervalMs: 12 * HOUR, firstDelayMs: { min: 60_000, max: 60_000 } },
    },
    {
      store,
      client,
      pushSigner,
      host,
      identity,
      ...(options.signals
        ? {
            sources: createSimulatedSources({ host: simulated, files: new MemoryFileStore(), indicatorsPath: '/state/indicators.json', agentVersion: '1.0.0' }),
          }
        : {}),
      ...(options.software ? { software: new SimulatedSoftwareCollector(simulated, clock) } : {}),
      clock,
      newId: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
      logger: silentLogger(),
      hooks: { onSynced: (trigger) => syncs.push({ at: clock.now(), trigger }), onSoftwareRun: (outcome) => softwareRuns.push(outcome.kind) },
    },
  );
  return { clock, host: simulated, store, runtime, syncs, reports, alerts, endpoint, updates, uploads, softwareRuns };
}

describe('AgentRuntime', () => {
  it('lets the startup sync wait for the push channel: it runs once the channel fails, or when the wait runs out', async () => {
    // The endpoint URL is a closed loopback port: the connection attempt fails at once and the sync follows it.
    const refused = fixture({ startupPushWaitMs: 60_000 });
    await refused.store.init();
    await refused.runtime.start();
    await vi.waitFor(() => expect(refused.syncs.map((s) => s.trigger)).toEqual(['startup']));
    await refused.runtime.stop();
    // An endpoint that accepts the connection and never answers: the sync runs when the wait runs out.
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const port = (silent.address() as AddressInfo).port;
      const held = fixture({ startupPushWaitMs: 2_000, pushUrl: `https://127.0.0.1:${port}` });
      await held.store.init();
      await held.runtime.start();
      await held.clock.advance(1_999);
      expect(held.syncs).toEqual([]);
      await held.clock.advance(1);
      await vi.waitFor(() => expect(held.syncs.map((s) => s.trigger)).toEqual(['startup']));
      held.runtime.kill();
    } finally {
      silent.close();
    }
  });

  it('syncs at startup, then checks in at the jittered interval drawn from the clock', async () => {
    const f = fixture();
    const t0 = f.clock.now();
    await f.store.init();
    await f.runtime.start();
    await f.clock.advance(0);
    expect(f.syncs.map((s) => s.trigger)).toEqual(['startup']);
    expect(f.reports[0]?.policies[0]).toMatchObject({ policyId: PID, state: 'succeeded' });
    const due = f.runtime.nextCheckinAt ?? 0;
    // The first draw of a fresh clock with the same seed is the one the scheduler used.
    expect(due - t0).toBe(nextCheckinDelayMs(90, 10, new ManualClock(0, { seed: 7 }).random()));
    await f.clock.advance(due - f.clock.now() - 1);
    expect(f.syncs).toHaveLength(1);
    await f.clock.advance(1);
    expect(f.syncs.map((s) => s.trigger)).toEqual(['startup', 'schedule']);
    await f.runtime.stop();
  });

  it('turns a burst of changes on the host into one drift check after the settle time, which repairs the setting', async () => {
    const f = fixture();
    await f.store.init();
    await f.runtime.start();
    await f.clock.advance(0);
    for (let i = 0; i < 5; i++) {
      await f.clock.advance(100);
      f.host.tamper(NP, 'audit');
    }
    await f.clock.advance(WATCH_SETTLE_MS - 1);
    expect(f.syncs.map((s) => s.trigger)).toEqual(['startup']);
    await f.clock.advance(1);
    expect(f.syncs.map((s) => s.trigger)).toEqual(['startup', 'drift']);
    expect(f.host.read(NP)).toBe('block');
    expect(f.reports.at(-1)?.events?.map((e) => e.type)).toContain('remediated');
    await f.runtime.stop();
  });

  it('retries a sync that could not reach the endpoint with backoff, and stops retrying once it succeeds', async () => {
    const f = fixture();
    f.endpoint.down = true;
    await f.store.init();
    await f.runtime.start();
    await f.clock.advance(0);
    expect(f.syncs.at(-1)?.trigger).toBe('startup');
    await f.clock.advance(15_000);
    expect(f.syncs.map((s) => s.trigger)).toEqual(['startup', 'retry']);
    f.endpoint.down = false;
    await f.clock.advance(30_000);
    expect(f.syncs.map((s) => s.trigger)).toEqual(['startup', 'retry', 'retry']);
    expect(f.reports.at(-1)?.policies[0]?.state).toBe('succeeded');
    await f.clock.advance(HOUR);
    expect(f.syncs.filter((s) => s.trigger === 'retry')).toHaveLength(2);
    await f.runtime.stop();
  });

  it('sends a report a busy endpoint refused again after its Retry-After, with backoff, without a sync, until delivered', async () => {
    const f = fixture();
    f.endpoint.refuseReports = new AttacheError('ENDPOINT_BUSY', 'busy (test)', { retryAfterMs: 30_000 });
    await f.store.init();
    await f.runtime.start();
    await f.clock.advance(0);
    expect(f.syncs.map((s) => s.trigger)).toEqual(['startup']);
    expect(f.endpoint.reportAttempts).toBe(1);
    // Retry-After is the floor: nothing before 30 s; then at most half of it again as jitter.
    await f.clock.advance(29_999);
    expect(f.endpoint.reportAttempts).toBe(1);
    await f.clock.advance(15_001);
    expect(f.endpoint.reportAttempts).toBe(2);
    // Without a Retry-After the backoff alone applies: the second retry's ceiling is 30 s.
    f.endpoint.refuseReports = new AttacheError('DATABASE_UNAVAILABLE', 'database down (test)');
    await f.clock.advance(45_000);
    expect(f.endpoint.reportAttempts).toBe(3);
    await f.clock.advance(60_000);
    expect(f.endpoint.reportAttempts).toBe(4);
    f.endpoint.refuseReports = undefined;
    await f.clock.advance(120_000);
    expect(f.endpoint.reportAttempts).toBe(5);
    expect(f.reports).toHaveLength(1);
    expect(f.reports[0]?.policies[0]?.state).toBe('succeeded');
    // Delivered: the retry stops, and no sync was needed for any of it.
    await f.clock.advance(HOUR);
    expect(f.endpoint.reportAttempts).toBe(5);
    expect(f.syncs.map((s) => s.trigger)).toEqual(['startup']);
    await f.runtime.stop();
  });

  it('cancels a pending outbox retry on stop and on kill', async () => {
    for (const end of ['stop', 'kill'] as const) {
      const f = fixture();
      f.endpoint.refuseReports = new AttacheError('RATE_LIMITED', 'slow down (test)', { retryAfterMs: 5_000 });
      await f.store.init();
      await f.runtime.start();
      await f.clock.advance(0);
      expect(f.endpoint.reportAttempts).toBe(1);
      if (end === 'stop') await f.runtime.stop();
      else f.runtime.kill();
      expect(f.clock.pendingTimers).toBe(0);
      await f.clock.advance(2 * HOUR);
      expect(f.endpoint.reportAttempts).toBe(1);
    }
  });

  it('checks risk shortly after a detection appears and delivers the alert', async () => {
    const f = fixture({ signals: true });
    await f.store.init();
    await f.runtime.start();
    await f.clock.advance(0);
    const before = f.alerts.length;
    f.host.injectRiskSignals({ detections: [{ threatId: 't-1', name: 'EICAR', severity: 'high' }] });
    await f.clock.advance(RISK_SETTLE_MS);
    const sent = f.alerts.slice(before);
    expect(sent.flatMap((r) => r.alerts.map((a) => a.severity))).toContain('high');
    expect(f.runtime.monitor?.snapshot.riskLevel).toBe('high');
    await f.runtime.stop();
  });

  it('leaves no timer behind when stopped, and a killed runtime starts nothing new', async () => {
    const f = fixture({ signals: true });
    await f.store.init();
    await f.runtime.start();
    await f.clock.advance(0);
    expect(f.clock.pendingTimers).toBeGreaterThan(0);
    await f.runtime.stop();
    expect(f.clock.pendingTimers).toBe(0);
    const syncs = f.syncs.length;
    f.host.tamper(NP, 'audit');
    await f.clock.advance(2 * HOUR);
    expect(f.syncs).toHaveLength(syncs);
  });

  it('a pause and resume of the push channel, or a kill, while start() is still loading leaves one client or none', async () => {
    const f = fixture({ signals: true });
    await f.store.init();
    const starting = f.runtime.start();
    f.runtime.pausePush();
    f.runtime.resumePush();
    await starting;
    await f.clock.advance(0);
    await f.runtime.stop();
    expect(f.clock.pendingTimers).toBe(0);
    await f.clock.advance(2 * HOUR);
    expect(f.clock.pendingTimers).toBe(0);

    const g = fixture({ signals: true });
    await g.store.init();
    const started = g.runtime.start();
    g.runtime.kill();
    await started;
    await g.clock.advance(2 * HOUR);
    expect(g.clock.pendingTimers).toBe(0);
    expect(g.syncs).toEqual([]);
    expect(g.runtime.nextCheckinAt).toBeUndefined();
  });

  it('replays the same timeline for the same seed, and another for another seed', async () => {
    const timeline = async (seed: number) => {
      const f = fixture({ seed });
      f.endpoint.down = true;
      await f.store.init();
      await f.runtime.start();
      await f.clock.advance(0);
      await f.clock.advance(2 * HOUR);
      f.endpoint.down = false;
      await f.clock.advance(4 * HOUR);
      await f.runtime.stop();
      return f.syncs.map((s) => `${s.at}:${s.trigger}`);
    };
    const a = await timeline(11);
    expect(await timeline(11)).toEqual(a);
    expect(await timeline(12)).not.toEqual(a);
  });

  it('runs an action a policies answer carries once and reports it; the re-delivery at the next sync re-sends its outcome', async () => {
    const action = { ...signedAction('release', {}, {}, privateKeyFromPem(keys.privateKeyPem)), keyId: keyIdOf(keys.publicKey) };
    const t = fixture({ actions: [action] });
    await t.store.init();
    await t.runtime.start();
    // A simulated host without a responder: the action fails ACTION_UNSUPPORTED, reported through the outbox.
    await vi.waitFor(() => expect(t.updates.map((u) => u.status)).toEqual(['inProgress', 'failed']));
    expect(t.updates[1]).toMatchObject({ actionId: action.payload.actionId, deviceId: DEVICE, sequence: 2, error: { code: 'ACTION_UNSUPPORTED' } });
    await t.runtime.trigger('manual');
    await t.runtime.actions.idle();
    await t.runtime.delivery.flush();
    expect(t.updates.slice(2)).toEqual([{ ...t.updates[1], duplicate: true }]);
    await t.runtime.stop();
  });

  it('lists software after its first delay and uploads it once; an updateSoftware action changes it and uploads at once', async () => {
    const software: SharedSoftware = {
      os: { name: 'Debian GNU/Linux', version: '12' },
      packages: [{ name: 'openssl', version: '3.0.11-1~deb12u2', source: 'dpkg', scheme: 'dpkg' }],
    };
    const packages = [{ name: 'openssl', source: 'dpkg' as const, fixedVersion: '3.0.15-1~deb12u1' }];
    const action = { ...signedAction('updateSoftware', { packages }, {}, privateKeyFromPem(keys.privateKeyPem)), keyId: keyIdOf(keys.publicKey) };
    const t = fixture({ software });
    await t.store.init();
    await t.runtime.start();
    await t.clock.advance(59_999);
    expect(t.uploads).toEqual([]);
    await t.clock.advance(1);
    await vi.waitFor(() => expect(t.uploads.map((u) => u.inventory.items[0]?.version)).toEqual(['3.0.11-1~deb12u2']));
    expect(t.uploads[0]?.deviceId).toBe(DEVICE);
    await t.runtime.actions.receive([action]);
    await t.runtime.actions.idle();
    await vi.waitFor(() => expect(t.uploads.map((u) => u.inventory.items[0]?.version)).toEqual(['3.0.11-1~deb12u2', '3.0.15-1~deb12u1']));
    await t.runtime.delivery.flush();
    await vi.waitFor(() =>
      expect(t.updates.at(-1)).toMatchObject({
        status: 'succeeded',
        result: { manager: 'simulated', packages: [{ name: 'openssl', before: '3.0.11-1~deb12u2', after: '3.0.15-1~deb12u1', fixed: true }] },
      }),
    );
    // The next period finds nothing new: no upload. Each run reached the runtime's hook (the simulator counts them).
    await t.clock.advance(12 * HOUR);
    expect(t.uploads).toHaveLength(2);
    await vi.waitFor(() => expect(t.softwareRuns).toEqual(['uploaded', 'uploaded', 'unchanged']));
    await t.runtime.stop();
  });
});
