// Valid samples of every wire message and state file, the seeds the fuzz tests mutate (test/fuzz.ts). Signed parts are
// signed for real with a key made here, so a sample passes the agent's trust checks, not only the schema.
import { readdirSync, readFileSync } from 'node:fs';
import { caPinOf } from '../agent/src/enrollment/enroll.js';
import { signedSetResponse } from '../agent/src/sync/testing/signed-set.js';
import { canonicalJson } from '../common/canonical-json.js';
import { generateEd25519KeyPair, keyIdOf, privateKeyFromPem, signBytes } from '../common/signing.js';
import { createCa } from '../management/src/pki/certificates.js';
import type {
  AgentIdentity,
  AlertReport,
  DeviceHealth,
  EnrollRequest,
  InventoryUpload,
  PolicyDocument,
  PolicyPayload,
  SignedPolicy,
  StatusReport,
  SyncOutcome,
} from '../policy-schemas/src/index.js';

export const TENANT = '11111111-1111-4111-8111-111111111111';
export const DEVICE = '55555555-5555-4555-8555-555555555555';
const POLICY = '22222222-2222-4222-8222-222222222222';
const AT = '2026-12-01T00:00:00.000Z';

export const KEYS = generateEd25519KeyPair();

export const IDENTITY: AgentIdentity = {
  formatVersion: 1,
  deviceId: DEVICE,
  tenantId: TENANT,
  endpointUrl: 'https://127.0.0.1:9',
  caCertificate: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
  policySigningKey: { keyId: keyIdOf(KEYS.publicKey), publicKey: KEYS.publicKey },
  publicKey: KEYS.publicKey,
  enrolledAt: AT,
};

/** The example policy documents of examples/policies/ (what admins submit). */
export const POLICY_DOCUMENTS: readonly PolicyDocument[] = (() => {
  const dir = new URL('../examples/policies/', import.meta.url);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(new URL(f, dir), 'utf8')) as PolicyDocument);
})();

/** A policy signed with KEYS for TENANT. */
export function signedPolicy(doc: PolicyDocument, policyId = POLICY, version = 1): SignedPolicy {
  const payload: PolicyPayload = { policyId, version, tenantId: TENANT, name: doc.name, kind: doc.kind, settings: doc.settings, createdAt: AT };
  return { payload, keyId: keyIdOf(KEYS.publicKey), signature: signBytes(privateKeyFromPem(KEYS.privateKeyPem), canonicalJson(payload)) };
}

const POLICIES = POLICY_DOCUMENTS.slice(0, 3).map((doc, i) => signedPolicy(doc, `22222222-2222-4222-8222-00000000000${i}`, i + 1));

export const POLICIES_RESPONSE = signedSetResponse(IDENTITY, 3, POLICIES, KEYS.privateKeyPem);

export const ENROLL_REQUEST: EnrollRequest = {
  enrollmentToken: 'tok_abcdefghijklmnop',
  publicKey: KEYS.publicKey,
  proof: `${'A'.repeat(86)}==`,
  device: { hostname: 'web01.example.com', platform: 'linux', osVersion: 'Debian 12', osType: 'server', arch: 'x64', agentVersion: '0.1.0' },
};

export const STATUS_REPORT: StatusReport = {
  reportId: '33333333-3333-4333-8333-333333333333',
  deviceId: DEVICE,
  generatedAt: AT,
  agentVersion: '0.1.0',
  trigger: 'schedule',
  durationMs: 12,
  syncError: { code: 'ENDPOINT_UNREACHABLE', message: 'connect ECONNREFUSED' },
  policies: [{ policyId: POLICY, version: 1, name: 'AV', kind: 'antivirus', state: 'succeeded' }],
  settings: [
    { settingId: 'mdatp.networkProtection.enforcementLevel', kind: 'antivirus', state: 'succeeded', policyIds: [POLICY], desired: 'block', observed: 'block' },
    {
      settingId: 'linuxFirewall.rules',
      kind: 'firewall',
      state: 'error',
      policyIds: [POLICY],
      desired: [{ name: 'ssh', direction: 'in', action: 'accept', protocol: 'tcp', localPorts: ['22'] }],
      code: 'SETTING_APPLY_FAILED',
      message: 'nft: exit 1',
    },
  ],
  events: [{ type: 'restored', at: AT, settingId: 'mdatp.cloudProtection.enabled', before: true, after: false }],
};

const ALERT = {
  alertId: 'posture.realTimeProtectionOff',
  category: 'posture' as const,
  severity: 'high' as const,
  title: 'Real-time protection is off',
  evidence: { source: 'mdatp', minutes: 42, managed: true, detail: null },
  firstSeen: AT,
  lastSeen: AT,
  status: 'active' as const,
  action: { type: 'none' as const, ok: true },
};

export const ALERT_REPORT: AlertReport = {
  reportId: '44444444-4444-4444-8444-444444444444',
  deviceId: DEVICE,
  generatedAt: AT,
  riskLevel: 'high',
  alerts: [ALERT],
};

export const HEALTH: DeviceHealth = {
  collectedAt: AT,
  antivirus: { source: 'mdatp', mode: 'active', realTimeProtection: true, tamperProtection: null, engineVersion: '1.1.24090.11', signatureAgeHours: 3 },
  firewall: { source: 'windowsFirewall', enabled: true, profiles: { Domain: true, Private: true, Public: null } },
};

export const INVENTORY_UPLOAD: InventoryUpload = {
  deviceId: DEVICE,
  inventory: {
    collectedAt: AT,
    hash: 'a'.repeat(64),
    agentVersion: '0.1.0',
    hostname: 'web01',
    os: { platform: 'linux', distro: 'Debian', release: '12', kernel: '6.1.0', arch: 'x64' },
    hardware: { manufacturer: 'QEMU', memoryBytes: 2_147_483_648 },
    network: [{ iface: 'eth0', mac: '52:54:00:12:34:56', addresses: ['10.0.0.5', 'fe80::1'] }],
    diskEncryption: { state: 'encrypted', method: 'luks' },
  },
};

export const SYNC_OUTCOME: SyncOutcome = {
  formatVersion: 1,
  startedAt: AT,
  finishedAt: AT,
  trigger: 'startup',
  source: 'endpoint',
  policies: STATUS_REPORT.policies,
  settings: STATUS_REPORT.settings,
};

/** Every state-dir file with a valid body (the file name is the store's). */
export const STATE_FILES: Readonly<Record<string, unknown>> = {
  'identity.json': IDENTITY,
  'policies.json': { formatVersion: 1, etag: POLICIES_RESPONSE.etag, manifest: POLICIES_RESPONSE.manifest, policies: POLICIES_RESPONSE.policies },
  'status.json': SYNC_OUTCOME,
  'baseline.json': {
    formatVersion: 1,
    settings: { 'mdatp.networkProtection.enforcementLevel': { kind: 'antivirus', original: 'audit', applied: 'block', recordedAt: AT } },
  },
  'applied-versions.json': { formatVersion: 1, versions: { [POLICY]: 3 } },
  'policy-set.json': { formatVersion: 1, setVersion: 3, policies: POLICIES_RESPONSE.manifest.payload.policies },
  'signals.json': {
    formatVersion: 1,
    updatedAt: AT,
    riskLevel: 'high',
    alerts: [{ scope: 'health', alert: ALERT }],
    tamper: { 'mdatp.cloudProtection.enabled': { at: AT, ms: 1, before: 'false', after: 'true' } },
    applyErrors: { 'linuxFirewall.rules': 2 },
    health: { collectedAt: AT, antivirus: HEALTH.antivirus, firewall: HEALTH.firewall },
    inventoryHash: 'b'.repeat(64),
  },
};

/** A valid onboarding package (a real CA made here, pinned), for the agent's package check. */
export async function onboardingPackage(): Promise<Record<string, unknown>> {
  const ca = await createCa('Attaché fuzz CA', new Date('2026-12-01T00:00:00Z'));
  return {
    formatVersion: 1,
    tenantId: TENANT,
    endpointUrl: 'https://endpoint.example.com:8443',
    caCertificate: ca.certPem,
    caPin: caPinOf(ca.certPem),
    policySigningKey: IDENTITY.policySigningKey,
    enrollmentToken: `att_enr_${'a'.repeat(43)}`,
    expiresAt: '2027-01-01T00:00:00Z',
    issuedAt: '2026-12-01T00:00:00Z',
  };
}

/** An agent config file using every field. */
export const AGENT_CONFIG = {
  stateDir: '/var/lib/attache',
  logDir: '/var/log/attache',
  logLevel: 'warn',
  checkinIntervalMinutes: 60,
  checkinJitterPercent: 20,
  driftCheckMinutes: 10,
  driftWatch: false,
};
