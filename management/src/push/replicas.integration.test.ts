// Two endpoint replicas on one PostgreSQL database (a scratch cluster), provisioned with the same keys: a change made
// through one reaches a device whose push socket is on the other (its set delivered there), a revocation made through
// one closes the socket held by the other, and only one of them runs the compliance timer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validate } from '../../../common/validation.js';
import { ServerPushMessage } from '../../../policy-schemas/src/index.js';
import { type ScratchPostgres, startScratchPostgres } from '../store/testing/scratch-postgres.js';
import { TestPushClient } from '../testing/push-client.js';
import { startTestEndpoint, type TestEndpoint } from '../testing/test-endpoint.js';
import { PUSH_CLOSE } from './push-hub.js';

let cluster: ScratchPostgres;
let a: TestEndpoint;
let b: TestEndpoint;

beforeAll(async () => {
  cluster = await startScratchPostgres();
  const databaseUrl = await cluster.createDatabase();
  a = await startTestEndpoint({ databaseUrl });
  b = await startTestEndpoint({ databaseUrl, keysFrom: a.dir });
});

afterAll(async () => {
  await b?.close();
  await a?.close();
  cluster?.stop();
});

const next = async (client: TestPushClient): Promise<ServerPushMessage> => validate(ServerPushMessage, await client.next(), 'server push message');

/** The policies of the `policies` messages received until one carries a policy at `version` (at most 5 messages). */
async function deliveredVersions(client: TestPushClient, version: number): Promise<[string, number][]> {
  for (let i = 0; i < 5; i++) {
    const message = await next(client);
    if (message.type !== 'policies') continue;
    const policies = message.body.policies.map((p): [string, number] => [p.payload.policyId, p.payload.version]);
    if (policies.some(([, v]) => v === version)) return policies;
  }
  throw new Error(`no set with version ${version} delivered`);
}

describe('replicas on one PostgreSQL database', () => {
  it('share one tenant and CA; one leads (runs the compliance timer)', () => {
    expect(b.endpoint.identity.tenantId).toBe(a.endpoint.identity.tenantId);
    expect(b.endpoint.identity.caPin).toBe(a.endpoint.identity.caPin);
    const leaders = [a, b].filter((r) => r.endpoint.isLeader());
    expect(leaders).toHaveLength(1);
  });

  it('delivers a policy changed through one replica to a device connected to the other, and closes it on revocation', async () => {
    const device = await a.enrolledDevice();
    const client = await TestPushClient.open(b.endpoint.url, b.ca, device, undefined, '/v1/device/push?channel=2');
    expect(await next(client)).toMatchObject({ type: 'hello', channel: 2 });

    // Group membership, then the assignment: each change is delivered; the last set holds the policy.
    const { policy } = await a.assignedPolicy([device]);
    expect(await deliveredVersions(client, 1)).toEqual([[policy.policyId, 1]]);

    await a.admin.ok('PUT', `/policies/${policy.policyId}`, { name: 'AV baseline', kind: 'antivirus', settings: { 'defender.AllowRealtimeMonitoring': 0 } });
    expect(await deliveredVersions(client, 2)).toEqual([[policy.policyId, 2]]);

    await a.admin.ok('POST', `/devices/${device.deviceId}/revoke`, {});
    expect((await client.closed).code).toBe(PUSH_CLOSE.revoked);
  });
});
