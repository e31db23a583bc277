// The audit log through a real endpoint: admin writes recorded with actor, address, target, outcome and before/after;
// secrets never stored; listing filters and paging; JSON lines and CSV exports; verification; fail closed.
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import winston from 'winston';
import { validate } from '../../../common/validation.js';
import { AuditEntry, AuditPage, type PolicySummary } from '../../../policy-schemas/src/index.js';
import { errorCode } from '../testing/https-client.js';
import { startTestEndpoint, type TestEndpoint } from '../testing/test-endpoint.js';
import { auditedRoute } from './audit-actions.js';
import { createHttpServer } from './server.js';

let t: TestEndpoint;

beforeAll(async () => {
  t = await startTestEndpoint();
});
afterAll(() => t.close());

const page = async (query = '') => validate(AuditPage, await t.admin.ok('GET', `/audit${query}`), 'audit page');

describe('audit log', () => {
  it('has an audit action for every write route registered under /v1/admin', async () => {
    const warnings: string[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        warnings.push(String(chunk));
        done();
      },
    });
    const logger = winston.createLogger({ level: 'warn', format: winston.format.json(), transports: [new winston.transports.Stream({ stream })] });
    const { identity } = t.endpoint;
    const app = await createHttpServer({ tlsKeyPem: identity.serverKeyPem, tlsCertPem: identity.serverCertPem }, { ...t.endpoint.context, logger });
    await app.ready();
    await app.close();
    await new Promise((resolve) => setImmediate(resolve)); // winston writes to its stream asynchronously
    const unmapped = warnings.filter((w) => w.includes('admin write route has no audit action')).map((w) => JSON.parse(w).route);
    expect(unmapped, 'add these routes to AUDITED_ROUTES in http/audit-actions.ts').toEqual([]);
    expect(app.hasRoute({ method: 'POST', url: '/v1/admin/policies' })).toBe(true);
    // An unmapped route is still recorded, under its method and route.
    expect(auditedRoute('POST', '/widgets/:id/spin')).toEqual({ action: 'POST /widgets/:id/spin', targetType: 'widgets', targetId: 'param' });
  });

  it('records policy writes with actor, source address, target and before/after; reads and what-if are not recorded', async () => {
    const policy = await t.admin.ok<PolicySummary>('POST', '/policies', { name: 'AV', kind: 'antivirus', settings: { 'defender.AllowRealtimeMonitoring': 1 } });
    await t.admin.ok('PUT', `/policies/${policy.policyId}`, { name: 'AV', kind: 'antivirus', settings: { 'defender.AllowRealtimeMonitoring': 0 } });
    const headBefore = (await page('?limit=1')).entries[0]?.seq;
    await t.admin.ok('GET', `/policies/${policy.policyId}`);
    const whatIf = await t.admin.call('POST', '/what-if', { change: 'deletePolicy', policyId: policy.policyId });
    expect(whatIf.status).toBe(200);
    expect((await page('?limit=1')).entries[0]?.seq).toBe(headBefore);
    await t.admin.ok('DELETE', `/policies/${policy.policyId}`);

    const { entries } = await page(`?targetId=${policy.policyId}`);
    expect(entries.map((e) => e.action)).toEqual(['policy.delete', 'policy.update', 'policy.create']);
    const [deleted, updated, created] = entries;
    expect(created).toMatchObject({
      actor: { adminId: expect.any(String), username: 'admin', role: 'administrator' },
      sourceAddress: '127.0.0.1',
      target: { type: 'policy', id: policy.policyId },
      outcome: 'success',
      errorCode: null,
      before: null,
      after: { policyId: policy.policyId, latestVersion: 1, settings: { 'defender.AllowRealtimeMonitoring': 1 } },
    });
    expect(updated).toMatchObject({ before: { latestVersion: 1 }, after: { latestVersion: 2, settings: { 'defender.AllowRealtimeMonitoring': 0 } } });
    expect(deleted).toMatchObject({ before: { latestVersion: 2 }, after: null });
    expect((await page('?action=policy.')).entries.every((e) => e.action.startsWith('policy.'))).toBe(true);
  });

  it('records a rejected request as a failure with its error code and no after', async () => {
    const missing = randomUUID();
    const res = await t.admin.call('DELETE', `/assignments/${missing}`);
    expect(res.status).toBe(404);
    const [entry] = (await page(`?targetId=${missing}`)).entries;
    expect(entry).toMatchObject({ action: 'assignment.delete', outcome: 'failure', errorCode: 'NOT_FOUND', before: null, after: null });
    const bad = await t.admin.call('POST', '/groups', { name: '' });
    expect(bad.status).toBe(400);
    const [groupFailure] = (await page('?action=group.create')).entries;
    expect(groupFailure).toMatchObject({ outcome: 'failure', errorCode: 'SCHEMA_INVALID', target: { type: 'group', id: null } });
  });

  it('never stores a secret: access tokens, enrollment tokens', async () => {
    const token = await t.admin.ok<{ tokenId: string; token: string }>('POST', '/access-tokens', { description: 'gateway' });
    const pkg = await t.onboarding({ description: 'laptops' });
    await t.admin.ok('DELETE', `/access-tokens/${token.tokenId}`);
    const exported = (await t.admin.call('GET', '/audit/export?format=jsonl')).text;
    expect(exported).not.toContain(token.token);
    expect(exported).not.toContain(pkg.enrollmentToken);
    const created = (await page('?action=accessToken.create')).entries[0];
    expect(created).toMatchObject({ target: { type: 'accessToken', id: token.tokenId }, after: { tokenId: token.tokenId, description: 'gateway' } });
    const onboarding = (await page('?action=onboardingPackage.create')).entries[0];
    expect(onboarding?.after).toMatchObject({ enrollmentToken: '[redacted]', expiresAt: pkg.expiresAt });
    expect((await page('?action=accessToken.revoke')).entries[0]).toMatchObject({ before: { revokedAt: null }, after: { revokedAt: expect.any(String) } });
  });

  it('records admin accounts and personal API tokens with before and after, never a password hash or token', async () => {
    const created = await t.admin.ok<{ adminId: string }>('POST', '/admins', {
      username: 'audited',
      role: 'readOnlyOperator',
      password: 'a long enough password',
    });
    await t.admin.ok('PATCH', `/admins/${created.adminId}`, { displayName: 'Audited Person' });
    const updated = (await page(`?action=admin.update&targetId=${created.adminId}`)).entries[0];
    expect(updated).toMatchObject({ before: { username: 'audited', displayName: 'audited' }, after: { displayName: 'Audited Person' } });
    const token = await t.admin.ok<{ tokenId: string; token: string }>('POST', '/api-tokens', { name: 'audited token' });
    await t.admin.ok('DELETE', `/api-tokens/${token.tokenId}`);
    const revoked = (await page(`?action=apiToken.revoke&targetId=${token.tokenId}`)).entries[0];
    expect(revoked).toMatchObject({ before: { name: 'audited token', revokedAt: null }, after: { revokedAt: expect.any(String) } });
    const exported = (await t.admin.call('GET', '/audit/export?format=jsonl')).text;
    expect(exported).not.toContain(token.token);
    expect(exported).not.toContain('scrypt$');
  });

  it('pages newest first with a cursor, and refuses a bad query naming the field', async () => {
    for (let i = 0; i < 3; i++) await t.admin.ok('POST', '/groups', { name: `paging-${i}` });
    const first = await page('?action=group.create&limit=2');
    expect(first.entries).toHaveLength(2);
    expect(first.entries[0]?.seq).toBeGreaterThan(first.entries[1]?.seq ?? 0);
    const second = await page(`?action=group.create&limit=2&cursor=${first.nextCursor}`);
    expect(second.entries[0]?.seq).toBeLessThan(first.entries[1]?.seq ?? 0);
    for (const query of ['?limit=501', '?from=yesterday', '?cursor=abc', '?colour=red']) {
      const res = await t.admin.call('GET', `/audit${query}`);
      expect(res.status, query).toBe(400);
      expect(errorCode(res)).toBe('QUERY_INVALID');
      expect(errorCode(await t.admin.call('GET', `/audit/export${query}`))).toBe('QUERY_INVALID');
    }
    const since = await page(`?from=${encodeURIComponent(new Date(t.now() + 60_000).toISOString())}`);
    expect(since.entries).toEqual([]);
  });

  it('exports JSON lines that validate and CSV with a header and escaped cells, with the same filters', async () => {
    // A route parameter is admin-supplied text that lands in a cell of its own.
    expect((await t.admin.call('DELETE', `/assignments/${encodeURIComponent('=HYPERLINK("http://x","y")')}`)).status).toBe(404);
    const formula = await t.admin.call('GET', '/audit/export?format=csv&action=assignment.delete');
    expect(formula.text).toContain(`,"'=HYPERLINK(""http://x"",""y"")",failure,NOT_FOUND,`);
    const jsonl = await t.admin.call('GET', '/audit/export?format=jsonl&action=group.create');
    expect(jsonl.headers['content-type']).toMatch(/^application\/jsonl/);
    const lines = jsonl.text.trimEnd().split('\n');
    const entries = lines.map((line) => validate(AuditEntry, JSON.parse(line), 'line'));
    expect(entries.every((e) => e.action === 'group.create')).toBe(true);
    const csv = await t.admin.call('GET', '/audit/export?format=csv&action=group.create');
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const rows = csv.text.split('\r\n');
    expect(rows[0]).toBe('seq,at,actorId,actorUsername,actorRole,sourceAddress,action,targetType,targetId,outcome,errorCode,before,after,prevHash,hash');
    expect(rows).toHaveLength(entries.length + 2);
  });

  it('records a signing key rotation with the key state before and after', async () => {
    const announcement = await t.admin.ok<{ payload: { newKeyId: string } }>('POST', '/signing-key/rotate', { overlapHours: 1 });
    const [entry] = (await page('?action=signingKey.rotate')).entries;
    expect(entry?.target).toEqual({ type: 'signingKey', id: announcement.payload.newKeyId });
    expect(entry?.before).not.toHaveProperty('pending');
    expect(entry?.after).toMatchObject({ pending: { keyId: announcement.payload.newKeyId } });
    expect(JSON.stringify(entry)).not.toMatch(/PRIVATE KEY/);
  });

  it('verifies the chain', async () => {
    const res = await t.admin.ok<{ ok: boolean; entries: number; headSeq: number }>('GET', '/audit/verify');
    expect(res.ok).toBe(true);
    expect(res.entries).toBe(res.headSeq);
    expect(res.entries).toBeGreaterThan(10);
  });

  it('fails closed: an unwritable audit log answers AUDIT_WRITE_FAILED, then refuses writes until it can be written', async () => {
    const store = t.endpoint.context.store;
    const token = await t.admin.ok<{ tokenId: string }>('POST', '/access-tokens', {});
    const append = store.appendAudit.bind(store);
    store.appendAudit = async () => {
      throw new Error('disk full');
    };
    try {
      const failed = await t.admin.call('POST', '/groups', { name: 'unaudited' });
      expect(failed.status).toBe(500);
      expect(errorCode(failed)).toBe('AUDIT_WRITE_FAILED');
      // A 204 answer is replaced too (an envelope with a body).
      t.setClockOffset(6_000);
      const revoked = await t.admin.call('DELETE', `/access-tokens/${token.tokenId}`);
      expect(revoked.status).toBe(500);
      expect(errorCode(revoked)).toBe('AUDIT_WRITE_FAILED');
      const refused = await t.admin.call('POST', '/groups', { name: 'refused' });
      expect(refused.status).toBe(503);
      expect(errorCode(refused)).toBe('AUDIT_UNAVAILABLE');
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      const groups = await t.admin.ok<{ groups: { name: string }[] }>('GET', '/groups');
      expect(groups.groups.map((g) => g.name)).not.toContain('refused');
      // Reads still work.
      expect((await t.admin.call('GET', '/audit?limit=1')).status).toBe(200);
    } finally {
      store.appendAudit = append;
    }
    t.setClockOffset(12_000);
    await t.admin.ok('POST', '/groups', { name: 'audited again' });
    expect((await page('?action=group.create&limit=1')).entries[0]?.after).toMatchObject({ name: 'audited again' });
    t.setClockOffset(0);
  });
});
