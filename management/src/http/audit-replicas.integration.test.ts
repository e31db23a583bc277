// Two endpoint replicas on one PostgreSQL database (a scratch cluster) take admin writes at the same time: the audit log
// they share stays one linear hash chain, which either replica verifies and lists in full.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditPage, AuditVerification } from '../../../policy-schemas/src/index.js';
import { generateKekFile } from '../pki/kek-command.js';
import { type ScratchPostgres, startScratchPostgres } from '../store/scratch-postgres.js';
import { startTestEndpoint, type TestEndpoint } from '../testing/test-endpoint.js';

let cluster: ScratchPostgres;
let a: TestEndpoint;
let b: TestEndpoint;
let kekDir: string;

beforeAll(async () => {
  cluster = await startScratchPostgres();
  const databaseUrl = await cluster.createDatabase();
  kekDir = await mkdtemp(join(tmpdir(), 'attache-kek-'));
  const keyEncryptionKeyFile = join(kekDir, 'kek');
  await generateKekFile(keyEncryptionKeyFile);
  a = await startTestEndpoint({ databaseUrl, keyEncryptionKeyFile });
  b = await startTestEndpoint({ databaseUrl, keyEncryptionKeyFile, adminTokenFile: join(a.dir, 'admin.token') });
});

afterAll(async () => {
  await b?.close();
  await a?.close();
  cluster?.stop();
  await rm(kekDir, { recursive: true, force: true });
});

describe('audit log across replicas', () => {
  it('keeps one chain when both replicas record admin writes at once', async () => {
    const writes = Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? a : b).admin.ok('POST', '/groups', { name: `replica-${i}` }));
    await Promise.all(writes);
    const verified = await b.admin.ok<AuditVerification>('GET', '/audit/verify');
    expect(verified).toMatchObject({ ok: true, entries: 30, headSeq: 30 });
    const page = await a.admin.ok<AuditPage>('GET', '/audit?action=group.create&limit=500');
    expect(page.entries.map((e) => e.seq)).toEqual(Array.from({ length: 30 }, (_, i) => 30 - i));
    expect(new Set(page.entries.map((e) => (e.after as { name: string }).name)).size).toBe(30);
  });
});
