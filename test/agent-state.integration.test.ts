// A corrupt identity or device key does not put the shipped agent into a restart loop: `attache-agent run` exits 78
// (the code the service definitions do not restart on) with STATE_CORRUPT naming the file and what to do.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateEd25519KeyPair, keyIdOf } from '../common/signing.js';
import { agentCommand, removeDir, tempDir } from './harness.js';

let dir: string;
beforeAll(async () => {
  dir = await tempDir('agent-state');
});
afterAll(async () => {
  await removeDir(dir);
});

function identityFor(publicKey: string) {
  const signing = generateEd25519KeyPair();
  return {
    formatVersion: 1,
    deviceId: '55555555-5555-4555-8555-555555555555',
    tenantId: '11111111-1111-4111-8111-111111111111',
    endpointUrl: 'https://127.0.0.1:9',
    caCertificate: 'unused',
    policySigningKey: { keyId: keyIdOf(signing.publicKey), publicKey: signing.publicKey },
    publicKey,
    enrolledAt: '2026-11-22T00:00:00.000Z',
  };
}

async function run(stateName: string, files: Record<string, string>) {
  const stateDir = join(dir, stateName);
  await writeFile(join(dir, `${stateName}.json`), JSON.stringify({ stateDir, logLevel: 'error', host: { kind: 'simulated', platform: 'linux' } }));
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  for (const [name, text] of Object.entries(files)) await writeFile(join(stateDir, name), text, { mode: 0o600 });
  return agentCommand(['--config', join(dir, `${stateName}.json`), 'run'], 30_000);
}

describe('corrupt identity or device key', () => {
  it('a truncated identity.json: exit 78, STATE_CORRUPT naming the file and enroll --force', async () => {
    const r = await run('truncated', { 'identity.json': '{"formatVersion":1,"deviceId":"55' });
    expect(r.code, r.stderr).toBe(78);
    expect(r.stderr).toContain('STATE_CORRUPT');
    expect(r.stderr).toContain('identity.json');
    expect(r.stderr).toContain('enroll --force');
  });

  it('a device key that is not a key: exit 78 naming device-key.pem, not a decoder error', async () => {
    const keys = generateEd25519KeyPair();
    const r = await run('badkey', {
      'identity.json': JSON.stringify(identityFor(keys.publicKey)),
      'device-key.pem': '-----BEGIN PRIVATE KEY-----\ngarbage\n-----END PRIVATE KEY-----\n',
    });
    expect(r.code, r.stderr).toBe(78);
    expect(r.stderr).toContain('STATE_CORRUPT');
    expect(r.stderr).toContain('device-key.pem');
    expect(r.stderr).toContain('enroll --force');
  });

  it("another device's key: exit 78, the key does not belong to the identity", async () => {
    const mine = generateEd25519KeyPair();
    const other = generateEd25519KeyPair();
    const r = await run('mismatch', { 'identity.json': JSON.stringify(identityFor(mine.publicKey)), 'device-key.pem': other.privateKeyPem });
    expect(r.code, r.stderr).toBe(78);
    expect(r.stderr).toContain('does not belong to the identity');
  });
});
