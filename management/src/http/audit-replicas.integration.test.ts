// Two endpoint replicas on one PostgreSQL database (a scratch cluster) take admin writes at the same time: the audit log
// they share stays one linear hash chain, which either replica verifies and lists in full.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditPage, AuditVerification } from '../../../policy-schemas/src/index.js';
import { type ReplicaPair, startReplicaPair } from '../testing/replica-pair.js';

let pair: ReplicaPair;

beforeAll(async () => {
  pair = await startReplicaPair();
});

afterAll(() => pair?.close());

describe('audit log across replicas', () => {
  it('keeps one chain when both replicas record admin writes at once', async () => {
    const writes = Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? pair.a : pair.b).admin.ok('POST', '/groups', { name: `replica-${i}` }));
    await Promise.all(writes);
    const verified = await pair.b.admin.ok<AuditVerification>('GET', '/audit/verify');
    expect(verified).toMatchObject({ ok: true, entries: 30, headSeq: 30 });
    const page = await pair.a.admin.ok<AuditPage>('GET', '/audit?action=group.create&limit=500');
    expect(page.entries.map((e) => e.seq)).toEqual(Array.from({ length: 30 }, (_, i) => 30 - i));
    expect(new Set(page.entries.map((e) => (e.after as { name: string }).name)).size).toBe(30);
  });
});
