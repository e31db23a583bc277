// Tests of the key vault: envelopes authenticate the key and the entry name, a wrong or altered key is refused naming
// it, files keep the data-dir layout, the first stored value wins, and a rotation re-encrypts all or nothing.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../store/sqlite-store.js';
import type { ManagementStore } from '../store/store.js';
import { generateKekFile } from './kek-command.js';
import { DatabaseVault, FileVault, type KeyEncryptionKey, kekId, open, readKeyEncryptionKey, rewrapSecrets, seal } from './key-vault.js';

let dir: string;
let store: ManagementStore;
const NOW = () => '2026-12-05T12:00:00.000Z';
const kek = (): KeyEncryptionKey => {
  const key = randomBytes(32);
  return { key, id: kekId(key) };
};

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'attache-vault-'));
  store = await openSqliteStore({ file: join(dir, 'db.sqlite') });
});
afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('envelopes', () => {
  it('open what they sealed, and refuse another key, another name and an altered ciphertext', () => {
    const [k1, k2] = [kek(), kek()];
    const sealed = seal(k1, 'ca', 'secret PEM');
    expect(sealed).not.toContain('secret PEM');
    expect(open(k1, 'ca', sealed)).toBe('secret PEM');
    expect(() => open(k2, 'ca', sealed)).toThrow(`encrypted with key-encryption key ${k1.id}; the key given is ${k2.id}`);
    expect(() => open(k1, 'policySigningKey', sealed)).toThrow(/does not decrypt/);
    const envelope = JSON.parse(sealed);
    const data = Buffer.from(envelope.data, 'base64');
    data[0] = (data[0] ?? 0) ^ 1;
    expect(() => open(k1, 'ca', JSON.stringify({ ...envelope, data: data.toString('base64') }))).toThrow(/does not decrypt/);
    expect(() => open(k1, 'ca', 'not json')).toThrow(/not an encrypted envelope/);
  });
});

describe('key-encryption key files', () => {
  it('are made 0600 once, and read back; a malformed one is refused naming the file', async () => {
    const file = join(dir, 'kek');
    await generateKekFile(file);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    await expect(generateKekFile(file)).rejects.toThrow(/never overwritten/);
    const key = await readKeyEncryptionKey(file);
    expect(key.key).toHaveLength(32);
    expect(key.id).toMatch(/^[0-9a-f]{16}$/);
    await writeFile(join(dir, 'short'), Buffer.alloc(16).toString('base64'));
    await expect(readKeyEncryptionKey(join(dir, 'short'))).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('short') });
    await expect(readKeyEncryptionKey(join(dir, 'missing'))).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });
});

describe('FileVault', () => {
  it('keeps the data-dir files (ca.pem + ca-key.pem, policy-signing-keys/<id>.pem), 0600', async () => {
    const vault = new FileVault(dir);
    const ca = JSON.stringify({ certPem: 'CERT', keyPem: 'KEY' });
    expect(await vault.createOnce('ca', () => ca)).toBe(ca);
    expect(await readFile(join(dir, 'ca.pem'), 'utf8')).toBe('CERT');
    expect(await readFile(join(dir, 'ca-key.pem'), 'utf8')).toBe('KEY');
    expect(await vault.createOnce('ca', () => 'other')).toBe(ca);
    await vault.createOnce('policySigningKeys/abc', () => 'PEM');
    expect((await stat(join(dir, 'policy-signing-keys', 'abc.pem'))).mode & 0o777).toBe(0o600);
    expect(await vault.read('policySigningKeys/zzz')).toBeUndefined();
  });
});

describe('DatabaseVault', () => {
  it('stores sealed values; the first stored wins for every replica', async () => {
    const key = kek();
    const [first, second] = [new DatabaseVault(store, key, NOW), new DatabaseVault(store, key, NOW)];
    expect(await first.createOnce('policySigningKey', () => 'PEM-1')).toBe('PEM-1');
    expect(await second.createOnce('policySigningKey', () => 'PEM-2')).toBe('PEM-1');
    expect(await store.getSecret('policySigningKey')).not.toContain('PEM-1');
    await expect(new DatabaseVault(store, kek(), NOW).read('policySigningKey')).rejects.toMatchObject({ code: 'KEY_ENCRYPTION_KEY_WRONG' });
  });

  it('rotates the key-encryption key for every secret in one go, or not at all', async () => {
    const [current, next] = [kek(), kek()];
    const vault = new DatabaseVault(store, current, NOW);
    await vault.createOnce('ca', () => 'CA');
    await vault.createOnce('policySigningKeys/k2', () => 'K2');
    const before = await store.listSecrets();
    await expect(rewrapSecrets(store, kek(), next, NOW())).rejects.toMatchObject({ code: 'KEY_ENCRYPTION_KEY_WRONG' });
    expect(await store.listSecrets()).toEqual(before);
    expect(await rewrapSecrets(store, current, next, NOW())).toBe(2);
    const rotated = new DatabaseVault(store, next, NOW);
    expect([await rotated.read('ca'), await rotated.read('policySigningKeys/k2')]).toEqual(['CA', 'K2']);
    await expect(vault.read('ca')).rejects.toMatchObject({ code: 'KEY_ENCRYPTION_KEY_WRONG' });
  });
});
