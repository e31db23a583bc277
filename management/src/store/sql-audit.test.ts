// Tests of the audit log store on both engines: appends form one chain (also from two replicas at once), listings
// filter and page newest first, and the chain walk names the first entry changed or removed behind the store's back.
import type { Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { AUDIT_GENESIS_HASH, verifyAuditChain } from './audit-chain.js';
import type { NewAuditRecord } from './audit-store.js';
import type { Database } from './schema.js';
import type { ManagementStore } from './store.js';
import { freshStorePerTest, STORE_ENGINES } from './testing/store-engines.js';

let store: ManagementStore;

function entry(n: number, over: Partial<NewAuditRecord> = {}): NewAuditRecord {
  return {
    at: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
    actorId: 'bootstrap',
    actorUsername: 'admin',
    actorRole: 'administrator',
    sourceAddress: '127.0.0.1',
    action: 'policy.update',
    targetType: 'policy',
    targetId: `p${n}`,
    outcome: 'success',
    errorCode: null,
    before: null,
    after: `{"n":${n}}`,
    ...over,
  };
}

// The tests reach around the store on purpose, as someone with database access would.
const rawDb = (s: ManagementStore) => (s as unknown as { db: Kysely<Database> }).db;

describe.each(STORE_ENGINES)('%s store', (engineName) => {
  const engine = freshStorePerTest(engineName, (s) => {
    store = s;
  });

  describe('audit log', () => {
    it('links each entry to the one before, from the genesis hash', async () => {
      const first = await store.appendAudit(entry(1));
      const second = await store.appendAudit(entry(2, { actorId: null, actorUsername: null, actorRole: null, outcome: 'failure', errorCode: 'CONFLICT' }));
      expect(first).toMatchObject({ seq: 1, prevHash: AUDIT_GENESIS_HASH });
      expect(second).toMatchObject({ seq: 2, prevHash: first.hash, outcome: 'failure', errorCode: 'CONFLICT', actorId: null });
      expect(second.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(await store.auditChain(0, 10)).toEqual([first, second]);
      expect(await verifyAuditChain(store)).toEqual({ entries: 2, head: { seq: 2, hash: second.hash } });
    });

    it('verifies an empty log', async () => {
      expect(await verifyAuditChain(store)).toEqual({ entries: 0 });
    });

    it('filters by time, actor, action (exact or prefix), target, and pages newest first', async () => {
      await store.appendAudit(entry(1, { action: 'policy.create' }));
      await store.appendAudit(entry(2, { action: 'group.create', targetType: 'group', targetId: 'g1', actorId: 'a2', actorUsername: 'alice' }));
      await store.appendAudit(entry(3, { action: 'policy.delete' }));
      await store.appendAudit(entry(4, { action: 'policyx.create' }));
      const seqs = async (filter: Parameters<ManagementStore['listAudit']>[0]) => (await store.listAudit(filter)).map((r) => r.seq);
      expect(await seqs({ limit: 10 })).toEqual([4, 3, 2, 1]);
      expect(await seqs({ limit: 2 })).toEqual([4, 3]);
      expect(await seqs({ limit: 2, beforeSeq: 3 })).toEqual([2, 1]);
      expect(await seqs({ limit: 10, action: 'policy.' })).toEqual([3, 1]);
      expect(await seqs({ limit: 10, action: 'policy.create' })).toEqual([1]);
      expect(await seqs({ limit: 10, actor: 'alice' })).toEqual([2]);
      expect(await seqs({ limit: 10, actor: 'a2' })).toEqual([2]);
      expect(await seqs({ limit: 10, targetType: 'group', targetId: 'g1' })).toEqual([2]);
      expect(await seqs({ limit: 10, targetId: 'p3' })).toEqual([3]);
      expect(await seqs({ limit: 10, from: entry(2).at, to: entry(3).at })).toEqual([3, 2]);
    });

    it('names the first entry changed with raw SQL, and a removed one', async () => {
      for (let n = 1; n <= 5; n++) await store.appendAudit(entry(n));
      await rawDb(store).updateTable('auditLog').set({ after: '{"n":"forged"}' }).where('seq', '=', 3).execute();
      expect(await verifyAuditChain(store)).toMatchObject({ entries: 2, head: { seq: 2 }, broken: { seq: 3, problem: expect.stringMatching(/changed/) } });
      // Re-hashing the changed entry moves the break to the next link.
      const [changed] = await store.auditChain(2, 1);
      const { auditRecordHash } = await import('./audit-chain.js');
      await rawDb(store)
        .updateTable('auditLog')
        .set({ hash: auditRecordHash(changed as NonNullable<typeof changed>) })
        .where('seq', '=', 3)
        .execute();
      expect((await verifyAuditChain(store)).broken).toMatchObject({ seq: 4, problem: expect.stringMatching(/prevHash/) });
      await rawDb(store).deleteFrom('auditLog').where('seq', '=', 2).execute();
      expect((await verifyAuditChain(store)).broken).toMatchObject({ seq: 3, problem: expect.stringMatching(/entry 2 is missing/) });
    });

    // Replicas share a PostgreSQL database (SQLite is one endpoint process per data dir; its one connection serialises).
    it.runIf(engineName === 'postgres')('keeps one linear chain when two replicas append at once', async () => {
      const [a, b] = await engine.openPair();
      try {
        const writes = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? a : b).appendAudit(entry(i + 1, { targetId: `t${i}` })));
        const written = await Promise.all(writes);
        expect(new Set(written.map((r) => r.seq)).size).toBe(40);
        const chain = await a.auditChain(0, 100);
        expect(chain.map((r) => r.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
        expect(await verifyAuditChain(b)).toMatchObject({ entries: 40, head: { seq: 40 } });
      } finally {
        await a.close();
        await b.close();
      }
    });
  });
});
