// Test support: a real endpoint on 127.0.0.1 (any free port) over HTTPS, in a temp data dir, with a settable clock.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../../common/testing/manual-clock.js';
import type { DeviceFacts, OnboardingPackage, PolicySummary } from '../../../policy-schemas/src/index.js';
import { type EndpointDeps, type EndpointOptions, type RunningEndpoint, startEndpoint } from '../endpoint.js';
import { createSilentLogger } from '../logging.js';
import { TestAdmin } from './admin-api.js';
import { TEST_FACTS, TestDevice } from './https-client.js';

/** A started test endpoint and helpers around it. */
export interface TestEndpoint {
  readonly endpoint: RunningEndpoint;
  readonly dir: string;
  readonly ca: string;
  readonly admin: TestAdmin;
  /** Moves the endpoint's clock (and its test devices' clocks, not the test's) by `ms` from real time. */
  setClockOffset(ms: number): void;
  /** The endpoint's clock. */
  now(): number;
  /** The endpoint's timers: `tick()` runs one compliance tick and waits for it. */
  readonly ticker: ManualClock;
  /** A new onboarding package. */
  onboarding(request?: Record<string, unknown>): Promise<OnboardingPackage>;
  /** A new, enrolled device (other facts, or an onboarding package with tags, when given). */
  enrolledDevice(options?: { facts?: Partial<DeviceFacts>; tags?: string[] }): Promise<TestDevice>;
  /** Creates a policy, a group with `devices` and assigns the policy to it. */
  assignedPolicy(devices: TestDevice[], settings?: Record<string, unknown>): Promise<{ policy: PolicySummary; groupId: string }>;
  close(): Promise<void>;
}

/**
 * Endpoint options a test may set (compliance settings; admission limits: admission control is off unless given; a
 * PostgreSQL database and its key-encryption key; URLs). `adminTokenFile`: the admin token written by the first replica of
 * a database (later replicas find its hash in the database and write no token file).
 */
export type TestEndpointOptions = Pick<
  EndpointOptions,
  'unassignedCompliance' | 'complianceIntervalMs' | 'admission' | 'databaseUrl' | 'keyEncryptionKeyFile' | 'publicUrl' | 'alternateUrls' | 'metrics'
> & {
  readonly adminTokenFile?: string;
};

/** Starts an endpoint for one test file (with `deps.loadProbe`, admission control sees that capacity signal). */
export async function startTestEndpoint(options: TestEndpointOptions = {}, deps: Pick<EndpointDeps, 'loadProbe'> = {}): Promise<TestEndpoint> {
  const dir = await mkdtemp(join(tmpdir(), 'attache-endpoint-'));
  let offset = 0;
  // Real time plus a settable offset; the compliance timer fires only when a test says so (`ticker.tick()`).
  const ticker = new ManualClock();
  const now = () => Date.now() + offset;
  const clock = { now, setTimer: ticker.setTimer.bind(ticker), every: ticker.every.bind(ticker), random: ticker.random };
  const { adminTokenFile, ...endpointOptions } = options;
  const endpoint = await startEndpoint(
    { admission: false, ...endpointOptions, dataDir: dir, listenHost: '127.0.0.1', listenPort: 0 },
    { ...deps, logger: createSilentLogger(), clock },
  );
  const ca = endpoint.identity.caCertPem;
  const token = (await readFile(adminTokenFile ?? join(dir, 'admin.token'), 'utf8')).trim();
  const admin = new TestAdmin(endpoint.url, ca, token);
  let groups = 0;
  const onboarding = (request: Record<string, unknown> = {}) => admin.ok<OnboardingPackage>('POST', '/onboarding-packages', request);
  return {
    endpoint,
    dir,
    ca,
    admin,
    setClockOffset: (ms) => {
      offset = ms;
    },
    now,
    ticker,
    onboarding,
    async enrolledDevice(options = {}) {
      const device = new TestDevice(endpoint.url, ca, { ...TEST_FACTS, ...options.facts });
      device.now = now;
      const res = await device.enroll((await onboarding(options.tags ? { tags: options.tags } : {})).enrollmentToken);
      if (res.status !== 201) throw new Error(`enroll failed: ${JSON.stringify(res.body)}`);
      return device;
    },
    async assignedPolicy(devices, settings = { 'defender.AllowRealtimeMonitoring': 1 }) {
      const policy = await admin.ok<PolicySummary>('POST', '/policies', { name: 'AV baseline', kind: 'antivirus', settings });
      const group = await admin.ok<{ groupId: string }>('POST', '/groups', { name: `group-${++groups}` });
      for (const d of devices) await admin.ok('POST', `/groups/${group.groupId}/members`, { deviceId: d.deviceId });
      await admin.ok('POST', '/assignments', { policyId: policy.policyId, groupId: group.groupId });
      return { policy, groupId: group.groupId };
    },
    async close() {
      await endpoint.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
