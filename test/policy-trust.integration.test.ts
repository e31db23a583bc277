// A policy forged in the endpoint's database (no valid signature) reaches a real agent: nothing is applied, the last
// good policy stays in force, the agent stays up, and the endpoint shows why.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assignLinuxAntivirus, type Endpoint, enrollSimulatedAgent, type Proc, removeDir, startAgent, startEndpoint, tempDir, waitFor } from './harness.js';

let dir: string;
let endpoint: Endpoint;
let agent: Proc | undefined;

beforeAll(async () => {
  dir = await tempDir('trust');
  endpoint = await startEndpoint(join(dir, 'endpoint'));
});

afterAll(async () => {
  await agent?.stop();
  await endpoint?.stop();
  await removeDir(dir);
});

describe('policy trust end to end', () => {
  it('rejects a forged policy version and keeps enforcing the last good one', async () => {
    const admin = endpoint.admin;
    const { args, deviceId } = await enrollSimulatedAgent(dir, endpoint);
    agent = startAgent(args);
    const { policy } = await assignLinuxAntivirus(admin, deviceId);
    const status = () => admin.ok('GET', `/v1/admin/devices/${deviceId}/status`);
    await waitFor('v1 applied', async () => ((await status()).policies[0]?.state === 'succeeded' ? true : undefined), 30_000);

    // An attacker with write access to the endpoint's database adds version 2 turning real-time protection off,
    // reusing version 1's signature (the signing key is not in the database).
    const db = new Database(join(endpoint.dataDir, 'db.sqlite'));
    try {
      const v1 = db.prepare('select payload, key_id, signature from policy_versions where policy_id = ? and version = 1').get(policy.policyId) as {
        payload: string;
        key_id: string;
        signature: string;
      };
      const forged = JSON.parse(v1.payload);
      forged.version = 2;
      forged.settings['mdatp.antivirusEngine.enforcementLevel'] = 'passive';
      db.prepare('insert into policy_versions (policy_id, version, payload, key_id, signature, created_at) values (?, 2, ?, ?, ?, ?)').run(
        policy.policyId,
        JSON.stringify(forged),
        v1.key_id,
        v1.signature,
        forged.createdAt,
      );
      db.prepare('update policies set latest_version = 2 where policy_id = ?').run(policy.policyId);
    } finally {
      db.close();
    }
    await admin.ok('POST', `/v1/admin/devices/${deviceId}/sync`);

    const after = await waitFor(
      'rejection reported',
      async () => {
        const s = await status();
        return s.lastSyncError ? s : undefined;
      },
      30_000,
    );
    expect(after.lastSyncError.code).toBe('POLICY_SIGNATURE_INVALID');
    // The endpoint tells the truth: version 2 is assigned but not applied.
    expect(after.policies[0]).toMatchObject({ assignedVersion: 2, reportedVersion: 1, state: 'pending' });
    expect(after.settings.find((s: any) => s.settingId === 'mdatp.antivirusEngine.enforcementLevel')).toMatchObject({
      state: 'succeeded',
      observed: 'real_time',
    });

    const local = JSON.parse(await readFile(join(dir, 'agent', 'status.json'), 'utf8'));
    expect(local).toMatchObject({ source: 'cache', error: { code: 'POLICY_SIGNATURE_INVALID' } });
    const cache = JSON.parse(await readFile(join(dir, 'agent', 'policies.json'), 'utf8'));
    expect(cache.policies.map((p: any) => p.payload.version)).toEqual([1]);
    expect(agent.child.exitCode).toBeNull();
  });
});
