// `attache-management admin reset` as a real process on a data dir whose endpoint never ran: it creates the
// Administrator, writes its password 0600, prints where, and exits 0; on PostgreSQL it resets the existing account.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import { systemClock } from '../../../../common/clock.js';
import { createSilentLogger } from '../../logging.js';
import { openPostgresStore } from '../../store/postgres-store.js';
import { startScratchPostgres } from '../../store/scratch-postgres.js';
import { openSqliteStore } from '../../store/sqlite-store.js';
import { AuditLog } from '../audit/audit-log.js';
import { verifyPassword } from './passwords.js';
import { adminReset, OFFLINE_RESET_SOURCE } from './reset-command.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

it('creates an Administrator with a new password in <data-dir>/admin-password', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'attache-reset-'));
  dirs.push(dir);
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', resolve('management/src/main.ts'), 'admin', 'reset', '--data-dir', dir], {
    env: { ...process.env, ATTACHE_DATABASE_URL: '' },
  });
  const printed = JSON.parse(stdout.trim());
  expect(printed).toEqual({ event: 'admin-reset', username: 'admin', created: true, passwordFile: join(dir, 'admin-password') });
  expect((await stat(printed.passwordFile)).mode & 0o777).toBe(0o600);
  const store = await openSqliteStore({ file: join(dir, 'db.sqlite') });
  try {
    const admin = await store.getAdminByUsername('admin');
    expect(admin).toMatchObject({ role: 'administrator', disabled: false, lockedUntil: null });
    expect(await verifyPassword((await readFile(printed.passwordFile, 'utf8')).trim(), admin?.passwordHash ?? '')).toBe(true);
    expect(await store.getMeta('bootstrapAdminId')).toBe(admin?.adminId);
    const { entries } = await new AuditLog({ store, clock: systemClock, logger: createSilentLogger() }).list({ action: 'admin.reset' });
    expect(entries).toEqual([
      expect.objectContaining({
        actor: null,
        sourceAddress: OFFLINE_RESET_SOURCE,
        target: { type: 'admin', id: admin?.adminId },
        outcome: 'success',
        after: expect.objectContaining({ username: 'admin', role: 'administrator', created: true }),
      }),
    ]);
  } finally {
    await store.close();
  }
});

it('resets the Administrator in a PostgreSQL database without the key-encryption key', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'attache-reset-pg-'));
  dirs.push(dir);
  const cluster = await startScratchPostgres();
  try {
    const url = await cluster.createDatabase();
    const first = await adminReset({ dataDir: dir, databaseUrl: url }, createSilentLogger());
    expect(first).toMatchObject({ username: 'admin', created: true });
    const second = await adminReset({ dataDir: dir, databaseUrl: url }, createSilentLogger());
    expect(second).toMatchObject({ username: 'admin', created: false });
    const store = await openPostgresStore({ url, poolSize: 1 });
    try {
      expect(await store.listAdmins()).toHaveLength(1);
      const admin = await store.getAdminByUsername('admin');
      expect(await verifyPassword((await readFile(second.passwordFile, 'utf8')).trim(), admin?.passwordHash ?? '')).toBe(true);
    } finally {
      await store.close();
    }
  } finally {
    cluster.stop();
  }
});
