// Integration test of `attache-admin audit …` against a real endpoint: list with filters and paging, export to a file
// and to stdout, verify (and a chain broken with raw SQL exits non-zero naming the entry), hostile strings escaped.
import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasUnsafeCharacters } from '../../../common/terminal-text.js';
import type { AuditPage, AuditVerification, PolicySummary } from '../../../policy-schemas/src/index.js';
import type { Database } from '../store/schema.js';
import { startTestEndpoint, type TestEndpoint } from '../testing/test-endpoint.js';
import { parseAuditTarget, parseAuditTime } from './audit-commands.js';
import { adminCliRunner } from './testing/cli-runner.js';

let t: TestEndpoint;
beforeAll(async () => {
  t = await startTestEndpoint();
});
afterAll(async () => {
  await t.close();
});

const { cli, json } = adminCliRunner(() => t.dir);

describe('attache-admin audit', () => {
  it('lists entries with filters and pages with a cursor', async () => {
    const policy = await t.admin.ok<PolicySummary>('POST', '/policies', { name: 'AV', kind: 'antivirus', settings: { 'defender.AllowRealtimeMonitoring': 1 } });
    for (let i = 0; i < 3; i++) await t.admin.ok('POST', '/groups', { name: `cli-${i}` });
    const page = await json<AuditPage>('audit', 'list', '--action', 'group.', '--limit', '2', '--since', '1h');
    expect(page.entries.map((e) => e.action)).toEqual(['group.create', 'group.create']);
    const next = await json<AuditPage>('audit', 'list', '--action', 'group.', '--limit', '2', '--cursor', page.nextCursor ?? '');
    expect(next.entries).toHaveLength(1);
    const byTarget = await json<AuditPage>('audit', 'list', '--target', `policy:${policy.policyId}`, '--actor', 'admin');
    expect(byTarget.entries.map((e) => e.action)).toEqual(['policy.create']);
    const human = await cli('audit', 'list', '--action', 'policy.create');
    expect(human.code).toBe(0);
    expect(human.out).toMatch(/^SEQ\s+AT\s+ACTOR\s+ROLE\s+SOURCE\s+ACTION\s+TARGET\s+OUTCOME\n/);
    expect(human.out).toContain(`policy:${policy.policyId}`);
    expect((await cli('audit', 'list', '--since', 'yesterday')).err).toMatch(/neither an RFC 3339 time/);
  });

  it('prints admin-supplied strings as text, not terminal control sequences', async () => {
    await t.admin.call('DELETE', `/assignments/${encodeURIComponent('\x1b[31mred\x1b]0;title\x07')}`);
    const human = await cli('audit', 'list', '--action', 'assignment.delete');
    expect(human.code).toBe(0);
    expect(hasUnsafeCharacters(human.out.replaceAll('\n', ''))).toBe(false);
    expect(human.out).toContain('red');
  });

  it('exports JSON lines to a file (0600) and CSV to stdout', async () => {
    const out = join(t.dir, 'audit.jsonl');
    expect((await cli('audit', 'export', '--format', 'jsonl', '--out', out)).code).toBe(0);
    const lines = (await readFile(out, 'utf8')).trimEnd().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(5);
    expect(JSON.parse(lines[0] ?? '')).toHaveProperty('hash');
    expect((await stat(out)).mode & 0o777).toBe(0o600);
    // An existing, world-readable file is made 0600 too (open's mode only applies to a new file).
    const existing = join(t.dir, 'existing-audit.jsonl');
    await writeFile(existing, 'old\n', { mode: 0o644 });
    await chmod(existing, 0o644);
    expect((await cli('audit', 'export', '--format', 'jsonl', '--out', existing)).code).toBe(0);
    expect((await stat(existing)).mode & 0o777).toBe(0o600);
    expect(await readFile(existing, 'utf8')).not.toContain('old');
    const csv = await cli('audit', 'export', '--format', 'csv', '--action', 'policy.');
    expect(csv.code).toBe(0);
    expect(csv.out.split('\r\n')[0]).toMatch(/^seq,at,actorId,/);
    expect(csv.out).toContain('policy.create');
    expect((await cli('audit', 'export', '--format', 'xml')).code).not.toBe(0);
  });

  it('verifies the chain, and names the first entry changed behind the endpoint', async () => {
    const intact = await json<AuditVerification>('audit', 'verify');
    expect(intact).toMatchObject({ ok: true });
    // The same chain verified offline from an export, and an export edited afterwards.
    const exported = join(t.dir, 'verify.jsonl');
    expect((await cli('audit', 'export', '--out', exported)).code).toBe(0);
    expect(await json<AuditVerification>('audit', 'verify', '--file', exported)).toEqual(intact);
    const lines = (await readFile(exported, 'utf8')).trimEnd().split('\n');
    const edited = lines.map((line) => JSON.parse(line)).map((e) => (e.seq === 3 ? { ...e, sourceAddress: '10.6.6.6' } : e));
    await writeFile(exported, `${edited.map((e) => JSON.stringify(e)).join('\n')}\n`);
    const offline = await cli('audit', 'verify', '--file', exported);
    expect(offline.code).not.toBe(0);
    expect(offline.err).toMatch(/broken at entry 3: the entry does not match its hash/);
    await writeFile(exported, '{"seq":1}\n');
    expect((await cli('audit', 'verify', '--file', exported)).err).toMatch(/error SCHEMA_INVALID: .*verify.jsonl line 1/);
    const db = (t.endpoint.context.store as unknown as { db: Kysely<Database> }).db;
    await db.updateTable('auditLog').set({ sourceAddress: '10.6.6.6' }).where('seq', '=', 2).execute();
    const broken = await cli('audit', 'verify');
    expect(broken.code).not.toBe(0);
    expect(broken.out).toMatch(/BROKEN at entry 2/);
    expect(broken.err).toMatch(/error AUDIT_CHAIN_BROKEN: the audit chain is broken at entry 2/);
  });

  it('reads --since/--until and --target forms', () => {
    const now = Date.parse('2026-01-31T12:00:00.000Z');
    expect(parseAuditTime('24h', now)).toBe('2026-01-30T12:00:00.000Z');
    expect(parseAuditTime('2026-01-01T01:00:00+01:00', now)).toBe('2026-01-01T00:00:00.000Z');
    expect(() => parseAuditTime('12', now)).toThrow(/neither/);
    expect(parseAuditTarget('policy')).toEqual({ targetType: 'policy' });
    expect(parseAuditTarget('group:G1')).toEqual({ targetType: 'group', targetId: 'G1' });
    expect(parseAuditTarget('0B9F4C2E-0000-4000-8000-000000000000')).toEqual({ targetId: '0b9f4c2e-0000-4000-8000-000000000000' });
  });
});
