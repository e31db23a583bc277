// Tests of AuditLog on a SQLite store: secrets removed and snapshots canonical before they are hashed, the actor
// mapping, listing validation, and failing closed when the store refuses an append (logged, then refused for a while).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import winston from 'winston';
import { ManualClock } from '../../../../common/testing/manual-clock.js';
import { openSqliteStore } from '../../store/sqlite-store.js';
import type { ManagementStore } from '../../store/store.js';
import type { AdminPrincipal } from '../admin-principal.js';
import { auditActorOf, BOOTSTRAP_ACTOR } from './audit-actor.js';
import { AUDIT_RETRY_AFTER_MS, AUDIT_SNAPSHOT_MAX_CHARS, AuditLog } from './audit-log.js';

let dir: string;
let store: ManagementStore;
let clock: ManualClock;
let logged: Record<string, unknown>[];
let audit: AuditLog;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'attache-audit-'));
  store = await openSqliteStore({ file: join(dir, 'db.sqlite') });
  clock = new ManualClock(Date.parse('2026-03-01T10:00:00.000Z'));
  logged = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      logged.push(JSON.parse(String(chunk)));
      done();
    },
  });
  const logger = winston.createLogger({ level: 'info', format: winston.format.json(), transports: [new winston.transports.Stream({ stream })] });
  audit = new AuditLog({ store, clock, logger });
});
afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

const event = {
  actor: BOOTSTRAP_ACTOR,
  sourceAddress: '192.0.2.7',
  action: 'accessToken.create',
  target: { type: 'accessToken', id: 't1' },
  outcome: 'success',
} as const;

describe('AuditLog', () => {
  it('records at the clock time with secrets removed, and answers entries as stored', async () => {
    const entry = await audit.record({ ...event, after: { tokenId: 't1', token: 'att_acc_secret', nested: { password: 'p' } } });
    expect(entry).toMatchObject({ seq: 1, at: '2026-03-01T10:00:00.000Z', errorCode: null, before: null });
    expect(entry.after).toEqual({ tokenId: 't1', token: '[redacted]', nested: { password: '[redacted]' } });
    expect((await audit.list({})).entries).toEqual([entry]);
    expect(await audit.verify()).toEqual({ ok: true, entries: 1, headSeq: 1, headHash: entry.hash });
  });

  it('replaces an oversized snapshot by a note of its size', async () => {
    const entry = await audit.record({ ...event, after: { blob: 'x'.repeat(AUDIT_SNAPSHOT_MAX_CHARS) } });
    expect(entry.after).toEqual({ omitted: `larger than ${AUDIT_SNAPSHOT_MAX_CHARS} characters`, chars: AUDIT_SNAPSHOT_MAX_CHARS + 11 });
  });

  it('names the bootstrap admin for a request without a principal, else the principal', () => {
    expect(auditActorOf(null)).toEqual({ adminId: 'bootstrap', username: 'admin', role: 'administrator' });
    const principal: AdminPrincipal = {
      adminId: 'a1',
      username: 'alice',
      role: 'helpDeskOperator',
      scopeGroupIds: null,
      authMethod: 'session',
      sourceAddress: '::1',
    };
    expect(auditActorOf(principal)).toEqual({ adminId: 'a1', username: 'alice', role: 'helpDeskOperator' });
  });

  it('refuses a bad query naming the parameter', async () => {
    await expect(audit.list({ limit: '0' })).rejects.toMatchObject({ code: 'QUERY_INVALID', message: expect.stringMatching(/limit/) });
    await expect(audit.list({ action: 'x', extra: '1' })).rejects.toMatchObject({ code: 'QUERY_INVALID' });
  });

  it('fails closed: a failed append is logged and thrown, and writes are refused until the retry time', async () => {
    const append = store.appendAudit.bind(store);
    store.appendAudit = () => Promise.reject(new Error('SQLITE_FULL: database or disk is full'));
    await expect(audit.record({ ...event, after: { token: 'att_acc_x' } })).rejects.toMatchObject({ code: 'AUDIT_WRITE_FAILED' });
    await new Promise((resolve) => setImmediate(resolve));
    const [line] = logged;
    expect(line).toMatchObject({
      level: 'error',
      message: 'audit entry not written',
      action: 'accessToken.create',
      error: expect.stringMatching(/disk is full/),
    });
    expect(JSON.stringify(line)).not.toContain('att_acc_x');
    expect(() => audit.assertWritable()).toThrow(expect.objectContaining({ code: 'AUDIT_UNAVAILABLE', retryAfterMs: AUDIT_RETRY_AFTER_MS }));
    clock.advance(AUDIT_RETRY_AFTER_MS);
    expect(() => audit.assertWritable()).not.toThrow();
    store.appendAudit = append;
    await audit.record(event);
    expect(() => audit.assertWritable()).not.toThrow();
  });
});
