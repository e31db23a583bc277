// Where the endpoint keeps the key material every replica must share: the CA (key and certificate) and the
// policy-signing keys. One process on SQLite: files in the data dir (FileVault, 0600). Replicas on PostgreSQL: the
// database, each value encrypted with AES-256-GCM under the operator's key-encryption key (DatabaseVault), so a copy of
// the database alone reveals no key. docs/deploy.md, "Keys shared by replicas".
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { AttacheError } from '../../../common/errors.js';
import type { ManagementStore } from '../store/store.js';
import { DATA_FILES, readIfExists, writePrivateFile } from './files.js';

/**
 * Names of vault entries: the CA (certificate and key together, JSON `{certPem, keyPem}`: replicas must never pair
 * one's key with another's certificate), the genesis policy-signing key, and the announced ones by key id.
 */
export type SecretName = 'ca' | 'policySigningKey' | `policySigningKeys/${string}`;

/** The CA entry's value. */
export interface CaEntry {
  readonly certPem: string;
  readonly keyPem: string;
}

export interface KeyVault {
  /** Where the entries live, for messages ("the data dir …", "the database"). */
  readonly where: string;
  read(name: SecretName): Promise<string | undefined>;
  /**
   * The entry, created with `make` when absent. With several replicas starting at once, all of them end up with the one
   * value stored first (a value made by a replica that lost the race is dropped).
   */
  createOnce(name: SecretName, make: () => Promise<string> | string): Promise<string>;
}

/** A key-encryption key: 32 random bytes, and the id that names it in envelopes (not secret: a hash prefix). */
export interface KeyEncryptionKey {
  readonly key: Buffer;
  readonly id: string;
}

/** The id of a key-encryption key: the first 16 hex digits of SHA-256 over "attache-kek" and the key. */
export function kekId(key: Buffer): string {
  return createHash('sha256').update('attache-kek\0').update(key).digest('hex').slice(0, 16);
}

/** A new key-encryption key, as the file holds it: base64 of 32 random bytes and a newline. */
export function newKeyEncryptionKeyFile(): string {
  return `${randomBytes(32).toString('base64')}\n`;
}

/** Reads a key-encryption key file (base64 of exactly 32 bytes); CONFIG_INVALID naming the file otherwise. */
export async function readKeyEncryptionKey(file: string): Promise<KeyEncryptionKey> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new AttacheError('CONFIG_INVALID', `cannot read the key-encryption key file ${file}: ${(err as Error).message}`);
  }
  const key = Buffer.from(text.trim(), 'base64');
  if (!/^[A-Za-z0-9+/]{43}=$/.test(text.trim()) || key.length !== 32) {
    throw new AttacheError('CONFIG_INVALID', `key-encryption key file ${file} must hold base64 of 32 bytes (attache-management kek generate makes one)`);
  }
  return { key, id: kekId(key) };
}

/** What the database stores per secret. */
interface Envelope {
  readonly v: 1;
  readonly kek: string;
  readonly iv: string;
  readonly data: string;
  readonly tag: string;
}

/** Encrypts `value` under `kek`; the entry name is authenticated too, so an envelope cannot be moved to another name. */
export function seal(kek: KeyEncryptionKey, name: string, value: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', kek.key, iv);
  cipher.setAAD(Buffer.from(`attache-secret\0${name}`));
  const data = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
  const envelope: Envelope = { v: 1, kek: kek.id, iv: iv.toString('base64'), data: data.toString('base64'), tag: cipher.getAuthTag().toString('base64') };
  return JSON.stringify(envelope);
}

/**
 * Decrypts an envelope. KEY_ENCRYPTION_KEY_WRONG when it was sealed under another key (naming both ids) or does not
 * authenticate; STORE_CORRUPT when it is not an envelope at all.
 */
export function open(kek: KeyEncryptionKey, name: string, sealed: string): string {
  let envelope: Envelope;
  try {
    envelope = JSON.parse(sealed) as Envelope;
  } catch {
    throw new AttacheError('STORE_CORRUPT', `secret ${name} in the database is not an encrypted envelope`);
  }
  if (envelope?.v !== 1 || typeof envelope.iv !== 'string' || typeof envelope.data !== 'string' || typeof envelope.tag !== 'string') {
    throw new AttacheError('STORE_CORRUPT', `secret ${name} in the database is not an encrypted envelope`);
  }
  if (envelope.kek !== kek.id) {
    throw new AttacheError(
      'KEY_ENCRYPTION_KEY_WRONG',
      `the endpoint's keys in the database are encrypted with key-encryption key ${envelope.kek}; the key given is ${kek.id}`,
    );
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', kek.key, Buffer.from(envelope.iv, 'base64'));
    decipher.setAAD(Buffer.from(`attache-secret\0${name}`));
    decipher.setAuthTag(Buffer.from(envelope.tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(envelope.data, 'base64')), decipher.final()]).toString('utf8');
  } catch {
    throw new AttacheError(
      'KEY_ENCRYPTION_KEY_WRONG',
      `secret ${name} does not decrypt with key-encryption key ${kek.id} (altered, or another key with the same id)`,
    );
  }
}

/** Entries as files in the data dir, as a single endpoint has always kept them. */
export class FileVault implements KeyVault {
  readonly where: string;
  constructor(private readonly dataDir: string) {
    this.where = `the data dir ${dataDir}`;
  }

  private path(name: Exclude<SecretName, 'ca'>): string {
    if (name === 'policySigningKey') return join(this.dataDir, DATA_FILES.policySigningKey);
    return join(this.dataDir, 'policy-signing-keys', `${name.slice('policySigningKeys/'.length)}.pem`);
  }

  async read(name: SecretName): Promise<string | undefined> {
    if (name !== 'ca') return readIfExists(this.path(name));
    const certPem = await readIfExists(join(this.dataDir, DATA_FILES.caCert));
    const keyPem = await readIfExists(join(this.dataDir, DATA_FILES.caKey));
    return certPem && keyPem ? JSON.stringify({ certPem, keyPem } satisfies CaEntry) : undefined;
  }

  async createOnce(name: SecretName, make: () => Promise<string> | string): Promise<string> {
    const existing = await this.read(name);
    if (existing !== undefined) return existing;
    const value = await make();
    if (name === 'ca') {
      // Key first: a crash in between leaves no certificate, so the next start makes a fresh pair.
      const ca = JSON.parse(value) as CaEntry;
      await writePrivateFile(join(this.dataDir, DATA_FILES.caKey), ca.keyPem);
      await writePrivateFile(join(this.dataDir, DATA_FILES.caCert), ca.certPem);
      return value;
    }
    await mkdir(dirname(this.path(name)), { recursive: true, mode: 0o700 });
    await writePrivateFile(this.path(name), value);
    return value;
  }
}

/** Entries in the database, sealed under the key-encryption key. */
export class DatabaseVault implements KeyVault {
  readonly where = 'the database';
  constructor(
    private readonly store: Pick<ManagementStore, 'getSecret' | 'initSecret'>,
    private readonly kek: KeyEncryptionKey,
    private readonly now: () => string,
  ) {}

  async read(name: SecretName): Promise<string | undefined> {
    const sealed = await this.store.getSecret(name);
    return sealed === undefined ? undefined : open(this.kek, name, sealed);
  }

  async createOnce(name: SecretName, make: () => Promise<string> | string): Promise<string> {
    const existing = await this.read(name);
    if (existing !== undefined) return existing;
    const stored = await this.store.initSecret(name, seal(this.kek, name, await make()), this.now());
    return open(this.kek, name, stored);
  }
}

/**
 * Re-encrypts every secret of the database under `next` in one transaction (a key-encryption key rotation). Every
 * secret must open with `current`: a wrong current key (or a secret sealed under a third key) changes nothing.
 * Returns how many were re-encrypted.
 */
export function rewrapSecrets(
  store: Pick<ManagementStore, 'transformSecrets'>,
  current: KeyEncryptionKey,
  next: KeyEncryptionKey,
  at: string,
): Promise<number> {
  return store.transformSecrets((name, envelope) => seal(next, name, open(current, name, envelope)), at);
}

/** Opens every secret in the database with `kek` (at start): a secret sealed under another key is refused, named. */
export async function checkSecrets(store: Pick<ManagementStore, 'listSecrets'>, kek: KeyEncryptionKey): Promise<void> {
  for (const [name, envelope] of await store.listSecrets()) open(kek, name, envelope);
}
